// mistake: your answer considers every location, not only addresses
MATCH (place:Location)
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
  AND EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH place, count(DISTINCT post) AS posts
RETURN place.name AS address, posts
ORDER BY posts DESC
LIMIT 1
