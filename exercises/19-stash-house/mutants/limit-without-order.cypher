// mistake: your answer keeps the first row without sorting: it returns whichever row comes first
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
  AND EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH place, count(DISTINCT post) AS posts
RETURN place.name AS address, posts
LIMIT 1
