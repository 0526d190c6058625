// mistake: your answer follows messages in one direction only: hops count in either direction
MATCH (:Person {name: $a})-[:USES]->(x:Account), (:Person {name: $b})-[:USES]->(y:Account)
MATCH p = shortestPath((x)-[:MESSAGED*]->(y))
RETURN min(length(p)) AS hops
