// Reference solution: The most followed account (exercises/05-influencer-followers.toml)
MATCH (follower:Account)-[:FOLLOWS]->(a:Account)
RETURN a.handle AS handle, count(DISTINCT follower) AS followers
ORDER BY followers DESC
LIMIT 1
