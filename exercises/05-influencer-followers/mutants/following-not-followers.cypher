// mistake: your answer counts the accounts it follows, not its followers
MATCH (a:Account)-[:FOLLOWS]->(f:Account)
WITH a, count(DISTINCT f) AS followers
RETURN a.handle AS handle, followers
ORDER BY followers DESC
LIMIT 1
