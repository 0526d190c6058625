// mistake: your answer adds up the followers of different accounts that share a handle: count per account
MATCH (f:Account)-[:FOLLOWS]->(a:Account)
RETURN a.handle AS handle, count(DISTINCT f) AS followers
ORDER BY followers DESC
LIMIT 1
