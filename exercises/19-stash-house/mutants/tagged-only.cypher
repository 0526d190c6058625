// mistake: your answer counts posts tagged at the address, not posts near it by distance
MATCH (place:Location {type: 'address'})<-[:TAGGED_AT]-(post:Post)
WHERE EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
WITH place, count(DISTINCT post) AS posts
RETURN place.name AS address, posts
ORDER BY posts DESC
LIMIT 1
