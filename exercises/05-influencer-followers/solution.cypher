// Reference solution: The most followed account (exercises/05-influencer-followers.toml)
// counted per account (two accounts may share a handle)
MATCH (follower:Account)-[:FOLLOWS]->(a:Account)
WITH a, count(DISTINCT follower) AS followers
RETURN a.handle AS handle, followers
ORDER BY followers DESC
LIMIT 1
