// mistake: your answer pairs keys on any market, so a vendor is paired with itself: the new account must be on an active market
MATCH (old:Account)-[o:VENDOR_ON]->(:Market {status: 'seized'})
MATCH (new:Account)-[n:VENDOR_ON]->(:Market)
WHERE n.pgp = o.pgp
WITH DISTINCT old, new
RETURN old.handle AS old_handle, new.handle AS new_handle
