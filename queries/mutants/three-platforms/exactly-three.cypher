// mistake: your answer keeps exactly three platforms (= 3): three or more are asked
MATCH (p:Person)-[:USES]->(a:Account)
WITH p, count(DISTINCT a.platform) AS platforms
WHERE platforms = 3
RETURN p.name AS name, platforms
