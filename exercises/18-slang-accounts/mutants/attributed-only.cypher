// mistake: your answer keeps accounts attributed to a person only: an account nobody is known to use counts too
MATCH (:Person)-[:USES]->(a:Account)-[:POSTED]->(post:Post)
WHERE EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH a, count(DISTINCT post) AS posts
WHERE posts >= 3
RETURN a.handle AS handle, posts
