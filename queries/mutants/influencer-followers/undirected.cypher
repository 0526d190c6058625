// mistake: your answer counts accounts followed as well as followers (no direction on FOLLOWS)
MATCH (a:Account)-[:FOLLOWS]-(f:Account)
RETURN a.handle AS handle, count(DISTINCT f) AS followers
ORDER BY followers DESC LIMIT 1
