// mistake: your answer keeps vendors who never moved: only pairs of accounts with the same key are asked
MATCH (old:Account)-[o:VENDOR_ON]->(:Market {status: 'seized'})
OPTIONAL MATCH (new:Account)-[n:VENDOR_ON]->(:Market {status: 'active'})
WHERE n.pgp = o.pgp
WITH DISTINCT old, new
RETURN old.handle AS old_handle, new.handle AS new_handle
