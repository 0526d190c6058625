// mistake: your answer counts the links between people and their accounts as hops: only message links between accounts count
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH p = shortestPath((a)-[:USES|MESSAGED*]-(b))
RETURN length(p) AS hops
