// mistake: your answer counts accounts followed as well as followers: mind the direction of following
MATCH (a:Account)-[:FOLLOWS]-(f:Account)
WITH a, count(DISTINCT f) AS followers
RETURN a.handle AS handle, followers
ORDER BY followers DESC
LIMIT 1
