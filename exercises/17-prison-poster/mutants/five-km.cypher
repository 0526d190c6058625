// mistake: your answer uses a much larger radius than the prompt's: distances are in metres
MATCH (prison:Location {type: 'prison'})
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE point.distance(post.location, prison.location) <= 5000
WITH DISTINCT a
RETURN a.handle AS handle
