// mistake: your answer leaves out accounts with exactly the number of posts the prompt names: that many or more are asked
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH a, count(DISTINCT post) AS posts
WHERE posts > 3
RETURN a.handle AS handle, posts
