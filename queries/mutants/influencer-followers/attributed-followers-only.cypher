// mistake: your answer counts only followers attributed to a person (USES): every following account counts
MATCH (:Person)-[:USES]->(f:Account)-[:FOLLOWS]->(a:Account)
RETURN a.handle AS handle, count(DISTINCT f) AS followers
ORDER BY followers DESC LIMIT 1
