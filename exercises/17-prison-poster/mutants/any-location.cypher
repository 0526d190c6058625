// mistake: your answer measures the distance to any location, not to the prison
MATCH (place:Location)
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE point.distance(post.location, place.location) <= 500
WITH DISTINCT a
RETURN a.handle AS handle
