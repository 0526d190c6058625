// mistake: your answer matches slang case-sensitively: lower-case both sides (toLower)
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
  AND EXISTS { MATCH (t:Term) WHERE post.text CONTAINS t.term }
RETURN place.name AS address, count(DISTINCT post) AS posts
ORDER BY posts DESC LIMIT 1
