// mistake: your answer repeats a pair when the account shares both phone and email with the person: DISTINCT
MATCH (a:Account)-[:REGISTERED_WITH]->(d:Phone|Email)<-[:HAS_PHONE|HAS_EMAIL]-(p:Person)
WHERE NOT EXISTS { (:Person)-[:USES]->(a) }
RETURN a.handle AS handle, p.name AS name
