// mistake: your answer writes the status with a capital letter: text comparison is case-sensitive
MATCH (old:Account)-[o:VENDOR_ON]->(:Market {status: 'Seized'})
MATCH (new:Account)-[n:VENDOR_ON]->(:Market {status: 'active'})
WHERE n.pgp = o.pgp
WITH DISTINCT old, new
RETURN old.handle AS old_handle, new.handle AS new_handle
