// mistake: your answer counts the USES links at both ends as hops: only MESSAGED links between accounts count
MATCH (a:Person {name: $a}), (b:Person {name: $b})
MATCH p = shortestPath((a)-[:USES|MESSAGED*]-(b))
RETURN length(p) AS hops
