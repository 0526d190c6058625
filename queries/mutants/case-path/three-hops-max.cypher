// mistake: your answer bounds the path at three links (*..3): paths can be longer
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH path = shortestPath((a)-[*..3]-(b))
RETURN length(path) AS hops
