// mistake: your answer keeps accounts with a single slang post: one proves nothing, three or more are asked
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH a, count(DISTINCT post) AS posts
RETURN a.handle AS handle, posts
