// mistake: your answer keeps people with two platforms: three or more are asked (>= 3)
MATCH (p:Person)-[:USES]->(a:Account)
WITH p, count(DISTINCT a.platform) AS platforms
WHERE platforms >= 2
RETURN p.name AS name, platforms
