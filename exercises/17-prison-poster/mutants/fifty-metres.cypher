// mistake: your answer uses a much smaller radius than the prompt's
MATCH (prison:Location {type: 'prison'})
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE point.distance(post.location, prison.location) <= 50
WITH DISTINCT a
RETURN a.handle AS handle
