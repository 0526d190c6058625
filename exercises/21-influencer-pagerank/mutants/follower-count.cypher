// mistake: your answer counts followers (in-degree): PageRank also weighs who the followers are
MATCH (f:Account)-[:FOLLOWS]->(a:Account)
WITH a, count(DISTINCT f) AS followers
ORDER BY followers DESC LIMIT 1
RETURN a.handle AS handle
