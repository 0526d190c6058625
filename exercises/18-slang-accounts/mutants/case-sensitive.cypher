// mistake: your answer matches slang case-sensitively: slang in capitals counts too
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE EXISTS { MATCH (t:Term) WHERE post.text CONTAINS t.term }
WITH a, count(DISTINCT post) AS posts
WHERE posts >= 3
RETURN a.handle AS handle, posts
