// mistake: your answer counts only messages sent (->): the prompt asks for either direction
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(DISTINCT q) AS contacts
ORDER BY contacts DESC LIMIT 1
