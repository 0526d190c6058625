// mistake: your answer pairs vendors by handle: handles can be changed or copied, the PGP key is kept
MATCH (old:Account)-[:VENDOR_ON]->(:Market {status: 'seized'})
MATCH (new:Account)-[:VENDOR_ON]->(:Market {status: 'active'})
WHERE new.handle = old.handle
WITH DISTINCT old, new
RETURN old.handle AS old_handle, new.handle AS new_handle
