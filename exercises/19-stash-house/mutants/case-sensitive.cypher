// mistake: your answer matches slang case-sensitively: slang in capitals counts too
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
  AND EXISTS { MATCH (t:Term) WHERE post.text CONTAINS t.term }
WITH place, count(DISTINCT post) AS posts
RETURN place.name AS address, posts
ORDER BY posts DESC
LIMIT 1
