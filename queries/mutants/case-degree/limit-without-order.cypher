// mistake: your answer uses LIMIT without ORDER BY: it returns whichever rows come first
MATCH (p:Person)--(q:Person)
RETURN p.name AS name, count(DISTINCT q) AS contacts
LIMIT 5
