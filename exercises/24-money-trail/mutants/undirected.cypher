// mistake: your answer follows payments in either direction: money flows from payer to payee
MATCH route = (w:Wallet {address: $buyer})-[:SENT*]-(x:Wallet)
WHERE x.exchange IS NOT NULL AND size([n IN nodes(route) WHERE n.exchange IS NOT NULL]) = 1
RETURN [n IN nodes(route) | n.address] AS addresses
