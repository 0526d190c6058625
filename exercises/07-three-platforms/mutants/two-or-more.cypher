// mistake: your answer keeps people with fewer platforms than the prompt asks
MATCH (p:Person)-[:USES]->(a:Account)
WITH p, count(DISTINCT a.platform) AS platforms
WHERE platforms >= 2
RETURN p.name AS name, platforms
