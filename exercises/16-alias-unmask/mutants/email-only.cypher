// mistake: your answer follows email addresses only: accounts were opened with a phone or an email
MATCH (a:Account)-[:REGISTERED_WITH]->(d:Email)<-[:HAS_EMAIL]-(p:Person)
WHERE NOT EXISTS { (:Person)-[:USES]->(a) }
WITH DISTINCT a, p
RETURN a.handle AS handle, p.name AS name
