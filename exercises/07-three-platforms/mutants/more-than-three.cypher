// mistake: your answer leaves out people with exactly the number of platforms the prompt names: that many or more are asked
MATCH (p:Person)-[:USES]->(a:Account)
WITH p, count(DISTINCT a.platform) AS platforms
WHERE platforms > 3
RETURN p.name AS name, platforms
