// mistake: your answer pairs any two accounts that share a key, in both directions: from a seized market to an active one is asked
MATCH (old:Account)-[o:VENDOR_ON]->(:Market)
MATCH (new:Account)-[n:VENDOR_ON]->(:Market)
WHERE n.pgp = o.pgp AND old <> new
WITH DISTINCT old, new
RETURN old.handle AS old_handle, new.handle AS new_handle
