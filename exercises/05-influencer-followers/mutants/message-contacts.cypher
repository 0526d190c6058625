// mistake: your answer counts message contacts, not followers
MATCH (f:Account)-[:MESSAGED]-(a:Account)
WITH a, count(DISTINCT f) AS followers
RETURN a.handle AS handle, followers
ORDER BY followers DESC
LIMIT 1
