// mistake: your answer keeps only the shortest route: one row per route is asked
MATCH (w:Wallet {address: $buyer}), (x:Wallet)
WHERE x.exchange IS NOT NULL
MATCH route = shortestPath((w)-[:SENT*]->(x))
WHERE size([n IN nodes(route) WHERE n.exchange IS NOT NULL]) = 1
RETURN [n IN nodes(route) | n.address] AS addresses
