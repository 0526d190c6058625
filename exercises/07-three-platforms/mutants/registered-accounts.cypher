// mistake: your answer counts accounts registered with the person's phone or email, not the accounts attributed to them
MATCH (p:Person)-[:HAS_PHONE|HAS_EMAIL]->()<-[:REGISTERED_WITH]-(a:Account)
WITH p, count(DISTINCT a.platform) AS platforms
WHERE platforms >= 3
RETURN p.name AS name, platforms
