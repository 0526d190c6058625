// mistake: your answer pairs vendors by date (joined an active market after the seizure), not by PGP key
MATCH (old:Account)-[:VENDOR_ON]->(m:Market {status: 'seized'})
MATCH (new:Account)-[n:VENDOR_ON]->(:Market {status: 'active'})
WHERE n.since >= m.seized
WITH DISTINCT old, new
RETURN old.handle AS old_handle, new.handle AS new_handle
