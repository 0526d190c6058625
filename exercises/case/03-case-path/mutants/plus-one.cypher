// mistake: your answer counts the people on the path, not the links between them
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH path = shortestPath((a)-[*]-(b))
RETURN size(nodes(path)) AS hops
