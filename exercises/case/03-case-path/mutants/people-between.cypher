// mistake: your answer counts the people between them, not the links
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH path = shortestPath((a)-[*]-(b))
RETURN length(path) - 1 AS hops
