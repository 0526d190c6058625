// mistake: your answer links through another account registered with the same phone or email, not the subscriber records (HAS_PHONE, HAS_EMAIL)
MATCH (a:Account)-[:REGISTERED_WITH]->(d)<-[:REGISTERED_WITH]-(b:Account)<-[:USES]-(p:Person)
WHERE NOT EXISTS { (:Person)-[:USES]->(a) }
RETURN DISTINCT a.handle AS handle, p.name AS name
