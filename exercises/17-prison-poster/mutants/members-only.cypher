// mistake: your answer keeps known members' accounts only: any account that posted from there counts
MATCH (prison:Location {type: 'prison'})
MATCH (a:Account)-[:POSTED]->(post:Post)
WHERE point.distance(post.location, prison.location) <= 500
  AND EXISTS { MATCH (m:Person)-[:USES]->(a) WHERE EXISTS { (m)-[:MEMBER_OF]->() } }
WITH DISTINCT a
RETURN a.handle AS handle
