// mistake: your answer counts every post nearby, not only slang posts
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
RETURN place.name AS address, count(DISTINCT post) AS posts
ORDER BY posts DESC LIMIT 1
