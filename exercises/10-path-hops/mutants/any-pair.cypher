// mistake: your answer keeps one pair of accounts, not the closest pair: people can have several accounts
MATCH (:Person {name: $a})-[:USES]->(x:Account), (:Person {name: $b})-[:USES]->(y:Account)
MATCH p = shortestPath((x)-[:MESSAGED*]-(y))
RETURN length(p) AS hops LIMIT 1
