// mistake: your answer counts different slang terms, not posts
MATCH (a:Account)-[:POSTED]->(post:Post), (t:Term)
WHERE toLower(post.text) CONTAINS toLower(t.term)
WITH a, count(DISTINCT t) AS posts
WHERE posts >= 3
RETURN a.handle AS handle, posts
