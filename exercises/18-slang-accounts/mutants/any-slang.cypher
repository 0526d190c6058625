// mistake: your answer keeps accounts with fewer slang posts than the prompt asks: one proves nothing
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH a, count(DISTINCT post) AS posts
RETURN a.handle AS handle, posts
