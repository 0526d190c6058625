// mistake: your answer counts people within two links, not direct contacts
MATCH (p:Person)-[*1..2]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(DISTINCT q) AS contacts
ORDER BY contacts DESC
LIMIT 5
