// Reference solution: Follow the money (exercises/24-money-trail.toml)
MATCH route = (w:Wallet {address: $buyer})-[:SENT*]->(x:Wallet)
WHERE x.exchange IS NOT NULL
  // the route ends at the first exchange it reaches: the only exchange on it is its end
  AND size([n IN nodes(route) WHERE n.exchange IS NOT NULL]) = 1
RETURN [n IN nodes(route) | n.address] AS addresses
