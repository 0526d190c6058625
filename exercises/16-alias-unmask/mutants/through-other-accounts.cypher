// mistake: your answer links through another account registered with the same phone or email, not through the subscriber records
MATCH (a:Account)-[:REGISTERED_WITH]->(d)<-[:REGISTERED_WITH]-(b:Account)<-[:USES]-(p:Person)
WHERE NOT EXISTS { (:Person)-[:USES]->(a) }
WITH DISTINCT a, p
RETURN a.handle AS handle, p.name AS name
