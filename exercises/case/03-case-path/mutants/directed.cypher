// mistake: your answer follows links in one direction only: either direction is asked
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH path = shortestPath((a)-[*]->(b))
RETURN length(path) AS hops
