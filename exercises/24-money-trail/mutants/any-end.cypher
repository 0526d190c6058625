// mistake: your answer keeps routes that end anywhere: they must end at an exchange
MATCH route = (w:Wallet {address: $buyer})-[:SENT*]->(x:Wallet)
WHERE size([n IN nodes(route) WHERE n.exchange IS NOT NULL]) <= 1
RETURN [n IN nodes(route) | n.address] AS addresses
