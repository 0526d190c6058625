// mistake: your answer counts only followers attributed to a person: every following account counts
MATCH (:Person)-[:USES]->(f:Account)-[:FOLLOWS]->(a:Account)
WITH a, count(DISTINCT f) AS followers
RETURN a.handle AS handle, followers
ORDER BY followers DESC
LIMIT 1
