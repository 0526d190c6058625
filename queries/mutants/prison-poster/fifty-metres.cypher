// mistake: your answer uses 50 metres: 500 are asked
MATCH (prison:Location {type: 'prison'})
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE point.distance(post.location, prison.location) <= 50
RETURN DISTINCT a.handle AS handle
