// mistake: your answer counts paths, not different people: count(DISTINCT ...)
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(q) AS contacts
ORDER BY contacts DESC LIMIT 1
