// mistake: your answer counts message contacts between accounts, not call contacts between phones
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(DISTINCT q) AS contacts
ORDER BY contacts DESC LIMIT 1
