// mistake: your answer counts accounts, not different platforms
MATCH (p:Person)-[:USES]->(a:Account)
WITH p, count(a) AS platforms
WHERE platforms >= 3
RETURN p.name AS name, platforms
