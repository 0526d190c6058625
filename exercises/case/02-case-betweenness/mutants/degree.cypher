// mistake: your answer takes the most connected person (degree), not the highest betweenness
MATCH (p:Person)--(q:Person)
WITH p, count(DISTINCT q) AS contacts
ORDER BY contacts DESC LIMIT 1
RETURN p.name AS name
