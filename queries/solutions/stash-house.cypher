// Reference solution: Where the slang clusters: the stash house (exercises/19-stash-house.toml)
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
  AND EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
RETURN place.name AS address, count(DISTINCT post) AS posts
ORDER BY posts DESC
LIMIT 1
