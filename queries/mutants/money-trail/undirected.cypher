// mistake: your answer follows SENT in either direction: money flows from payer to payee
MATCH route = (w:Wallet {address: $buyer})-[:SENT*]-(x:Wallet)
WHERE x.exchange IS NOT NULL
RETURN [n IN nodes(route) | n.address] AS addresses
