// Reference solution: Where the slang clusters: the stash house (exercises/19-stash-house.toml)
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
  AND EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH place, count(DISTINCT post) AS posts
RETURN place.name AS address, posts
ORDER BY posts DESC
LIMIT 1
