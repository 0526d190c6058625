// mistake: your answer puts the least connected first: most first is asked
MATCH (p:Person)--(q:Person)
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts ASC, name ASC
LIMIT 5
