// Reference solution: How far apart are two suspects? (exercises/10-path-hops.toml)
MATCH (:Person {name: $a})-[:USES]->(x:Account), (:Person {name: $b})-[:USES]->(y:Account)
MATCH p = shortestPath((x)-[:MESSAGED*]-(y))
RETURN min(length(p)) AS hops
