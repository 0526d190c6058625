// mistake: your answer counts every post nearby, not only slang posts
MATCH (place:Location {type: 'address'})
MATCH (post:Post)
WHERE point.distance(post.location, place.location) <= 200
WITH place, count(DISTINCT post) AS posts
RETURN place.name AS address, posts
ORDER BY posts DESC
LIMIT 1
