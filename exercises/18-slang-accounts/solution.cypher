// Reference solution: Repeated slang: weak signals (exercises/18-slang-accounts.toml)
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH a, count(DISTINCT post) AS posts
WHERE posts >= 3
RETURN a.handle AS handle, posts
