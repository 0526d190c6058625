// mistake: your answer follows FOLLOWS and other links as well as MESSAGED
MATCH (:Person {name: $a})-[:USES]->(x:Account), (:Person {name: $b})-[:USES]->(y:Account)
MATCH p = shortestPath((x)-[:MESSAGED|FOLLOWS*]-(y))
RETURN min(length(p)) AS hops
