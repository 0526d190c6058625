// mistake: your answer stops after a few payments: routes can be longer
MATCH route = (w:Wallet {address: $buyer})-[:SENT*1..3]->(x:Wallet)
WHERE x.exchange IS NOT NULL AND size([n IN nodes(route) WHERE n.exchange IS NOT NULL]) = 1
RETURN [n IN nodes(route) | n.address] AS addresses
