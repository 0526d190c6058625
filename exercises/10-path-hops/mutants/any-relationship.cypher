// mistake: your answer also follows who follows whom and other links, not only messages
MATCH (:Person {name: $a})-[:USES]->(x:Account), (:Person {name: $b})-[:USES]->(y:Account)
MATCH p = shortestPath((x)-[:MESSAGED|FOLLOWS*]-(y))
RETURN min(length(p)) AS hops
