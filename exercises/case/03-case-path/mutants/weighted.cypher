// mistake: your answer adds up link weights along the path, not the number of links
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH path = shortestPath((a)-[*]-(b))
RETURN reduce(s = 0, r IN relationships(path) | s + r.weight) AS hops
