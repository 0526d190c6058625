// mistake: your answer counts message contacts between accounts, not call contacts between phones
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
