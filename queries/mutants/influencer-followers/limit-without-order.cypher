// mistake: your answer uses LIMIT without ORDER BY: it returns whichever row comes first
MATCH (f:Account)-[:FOLLOWS]->(a:Account)
RETURN a.handle AS handle, count(DISTINCT f) AS followers
LIMIT 1
