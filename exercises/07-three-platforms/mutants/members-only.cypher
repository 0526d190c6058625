// mistake: your answer keeps known members only: anyone with attributed accounts counts
MATCH (p:Person)-[:USES]->(a:Account)
WHERE EXISTS { (p)-[:MEMBER_OF]->() }
WITH p, count(DISTINCT a.platform) AS platforms
WHERE platforms >= 3
RETURN p.name AS name, platforms
