// mistake: your answer uses LIMIT without ORDER BY: it returns whichever row comes first
MATCH (p:Person)-[:HAS_PHONE]->(:Phone)-[:CALLED]-(:Phone)<-[:HAS_PHONE]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(DISTINCT q) AS contacts
LIMIT 1
