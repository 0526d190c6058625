// mistake: your answer follows phone numbers only: accounts were opened with a phone or an email
MATCH (a:Account)-[:REGISTERED_WITH]->(d:Phone)<-[:HAS_PHONE]-(p:Person)
WHERE NOT EXISTS { (:Person)-[:USES]->(a) }
WITH DISTINCT a, p
RETURN a.handle AS handle, p.name AS name
