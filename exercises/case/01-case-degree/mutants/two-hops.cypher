// mistake: your answer also counts contacts of contacts, not only direct contacts
MATCH (p:Person)-[*1..2]-(q:Person)
WHERE p <> q
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC, name ASC
LIMIT 5
