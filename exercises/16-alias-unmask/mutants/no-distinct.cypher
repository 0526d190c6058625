// mistake: your answer repeats a pair when the account shares both a phone and an email with the person: each account and person once
MATCH (a:Account)-[:REGISTERED_WITH]->(d:Phone|Email)<-[:HAS_PHONE|HAS_EMAIL]-(p:Person)
WHERE NOT EXISTS { (:Person)-[:USES]->(a) }
RETURN a.handle AS handle, p.name AS name
