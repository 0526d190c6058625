// Reference solution: Posting from inside the prison (exercises/17-prison-poster.toml)
MATCH (prison:Location {type: 'prison'})
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE point.distance(post.location, prison.location) <= 500
WITH DISTINCT a
RETURN a.handle AS handle
