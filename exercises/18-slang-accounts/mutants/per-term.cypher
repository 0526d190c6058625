// mistake: your answer counts a post once per slang term it contains, not once
MATCH (a:Account)-[:POSTED]->(post:Post), (t:Term)
WHERE toLower(post.text) CONTAINS toLower(t.term)
WITH a, count(post) AS posts
WHERE posts >= 3
RETURN a.handle AS handle, posts
