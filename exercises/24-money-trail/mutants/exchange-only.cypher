// mistake: your answer returns only the exchange's address, not the route
MATCH route = (w:Wallet {address: $buyer})-[:SENT*]->(x:Wallet)
WHERE x.exchange IS NOT NULL AND size([n IN nodes(route) WHERE n.exchange IS NOT NULL]) = 1
RETURN DISTINCT [x.address] AS addresses
