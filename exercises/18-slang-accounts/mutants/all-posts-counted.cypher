// mistake: your answer counts all posts of accounts that used slang once, not only their slang posts
MATCH (a:Account)-[:POSTED]->(s:Post)
WHERE EXISTS { MATCH (t:Term) WHERE toLower(s.text) CONTAINS toLower(t.term) }
WITH DISTINCT a
MATCH (a)-[:POSTED]->(post:Post)
WITH a, count(DISTINCT post) AS posts
WHERE posts >= 3
RETURN a.handle AS handle, posts
