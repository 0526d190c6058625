// mistake: your answer counts posts tagged at the address (TAGGED_AT), not posts within 200 metres
MATCH (place:Location {type: 'address'})<-[:TAGGED_AT]-(post:Post)
WHERE EXISTS { MATCH (t:Term) WHERE toLower(post.text) CONTAINS toLower(t.term) }
RETURN place.name AS address, count(DISTINCT post) AS posts
ORDER BY posts DESC LIMIT 1
