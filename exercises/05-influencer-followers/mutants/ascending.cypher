// mistake: your answer sorts from the fewest followers: the most followed comes first
MATCH (f:Account)-[:FOLLOWS]->(a:Account)
WITH a, count(DISTINCT f) AS followers
RETURN a.handle AS handle, followers
ORDER BY followers
LIMIT 1
