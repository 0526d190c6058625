// mistake: your answer sorts ascending: ORDER BY ... DESC puts the most followed first
MATCH (f:Account)-[:FOLLOWS]->(a:Account)
RETURN a.handle AS handle, count(DISTINCT f) AS followers
ORDER BY followers LIMIT 1
