// Reference solution: Follow the money (exercises/24-money-trail.toml)
MATCH route = (w:Wallet {address: $buyer})-[:SENT*]->(x:Wallet)
WHERE x.exchange IS NOT NULL
RETURN [n IN nodes(route) | n.address] AS addresses
