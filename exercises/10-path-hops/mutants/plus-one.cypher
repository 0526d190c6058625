// mistake: your answer counts the accounts on the path, not the hops between them
MATCH (:Person {name: $a})-[:USES]->(x:Account), (:Person {name: $b})-[:USES]->(y:Account)
MATCH p = shortestPath((x)-[:MESSAGED*]-(y))
RETURN min(size(nodes(p))) AS hops
