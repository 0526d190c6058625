// Reference solution: Case network: how far apart are two people? (exercises/case/03-case-path.toml)
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH path = shortestPath((a)-[*]-(b))
RETURN length(path) AS hops
