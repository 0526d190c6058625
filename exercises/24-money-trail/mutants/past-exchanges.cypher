// mistake: your answer follows the money on past an exchange: a route ends at the first exchange it reaches
MATCH route = (w:Wallet {address: $buyer})-[:SENT*]->(x:Wallet)
WHERE x.exchange IS NOT NULL
RETURN [n IN nodes(route) | n.address] AS addresses
