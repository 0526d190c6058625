// mistake: your answer keeps the first row without sorting: it returns whichever row comes first
MATCH (f:Account)-[:FOLLOWS]->(a:Account)
WITH a, count(DISTINCT f) AS followers
RETURN a.handle AS handle, followers
LIMIT 1
