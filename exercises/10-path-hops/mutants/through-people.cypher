// mistake: your answer also goes through people and phones, not only message hops between accounts
MATCH (:Person {name: $a})-[:USES]->(x:Account), (:Person {name: $b})-[:USES]->(y:Account)
MATCH p = shortestPath((x)-[*]-(y))
RETURN min(length(p)) AS hops
