// mistake: your answer uses 2,000 metres: point.distance is in metres, 200 are asked
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 2000
  AND EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
RETURN place.name AS address, count(DISTINCT post) AS posts
ORDER BY posts DESC LIMIT 1
