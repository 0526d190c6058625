// mistake: your answer counts message contacts, not followers
MATCH (f:Account)-[:MESSAGED]-(a:Account)
RETURN a.handle AS handle, count(DISTINCT f) AS followers
ORDER BY followers DESC LIMIT 1
