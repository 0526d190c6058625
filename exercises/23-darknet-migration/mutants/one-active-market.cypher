// mistake: your answer looks at one active market only: vendors may have moved to any active market
MATCH (market:Market {status: 'active'})
WITH market LIMIT 1
MATCH (old:Account)-[o:VENDOR_ON]->(:Market {status: 'seized'})
MATCH (new:Account)-[n:VENDOR_ON]->(market)
WHERE n.pgp = o.pgp
WITH DISTINCT old, new
RETURN old.handle AS old_handle, new.handle AS new_handle
