// mistake: your answer bounds the length of the path: paths can be longer
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH path = shortestPath((a)-[*..3]-(b))
RETURN length(path) AS hops
