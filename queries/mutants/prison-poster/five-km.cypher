// mistake: your answer uses 5,000 metres: point.distance is in metres, 500 are asked
MATCH (prison:Location {type: 'prison'})
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE point.distance(post.location, prison.location) <= 5000
RETURN DISTINCT a.handle AS handle
