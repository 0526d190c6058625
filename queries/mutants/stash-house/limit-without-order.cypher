// mistake: your answer uses LIMIT without ORDER BY: it returns whichever row comes first
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
  AND EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
RETURN place.name AS address, count(DISTINCT post) AS posts
LIMIT 1
