// mistake: your answer counts the accounts it follows (->), not its followers
MATCH (a:Account)-[:FOLLOWS]->(f:Account)
RETURN a.handle AS handle, count(DISTINCT f) AS followers
ORDER BY followers DESC LIMIT 1
