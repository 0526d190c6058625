// mistake: your answer asks for more than three platforms (> 3): three or more are asked (>= 3)
MATCH (p:Person)-[:USES]->(a:Account)
WITH p, count(DISTINCT a.platform) AS platforms
WHERE platforms > 3
RETURN p.name AS name, platforms
