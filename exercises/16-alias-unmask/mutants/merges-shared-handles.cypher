// mistake: your answer merges different accounts that share a handle: one row per account and person is asked
MATCH (a:Account)-[:REGISTERED_WITH]->(d:Phone|Email)<-[:HAS_PHONE|HAS_EMAIL]-(p:Person)
WHERE NOT EXISTS { (:Person)-[:USES]->(a) }
RETURN DISTINCT a.handle AS handle, p.name AS name
