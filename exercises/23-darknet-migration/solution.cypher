// Reference solution: Vendors who moved after the takedown (exercises/23-darknet-migration.toml)
MATCH (old:Account)-[o:VENDOR_ON]->(:Market {status: 'seized'})
MATCH (new:Account)-[n:VENDOR_ON]->(:Market {status: 'active'})
WHERE n.pgp = o.pgp
WITH DISTINCT old, new
RETURN old.handle AS old_handle, new.handle AS new_handle
