// mistake: your answer adds up messages (the count property), not different people
MATCH (p:Person)-[:USES]->(:Account)-[m:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
WITH p, sum(m.count) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
