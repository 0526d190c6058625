// mistake: your answer counts only calls made (->): the prompt asks for either direction
MATCH (p:Person)-[:HAS_PHONE]->(:Phone)-[:CALLED]->(:Phone)<-[:HAS_PHONE]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(DISTINCT q) AS contacts
ORDER BY contacts DESC LIMIT 1
