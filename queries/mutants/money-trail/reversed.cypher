// mistake: your answer follows SENT backwards (payee to payer)
MATCH route = (w:Wallet {address: $buyer})<-[:SENT*]-(x:Wallet)
WHERE x.exchange IS NOT NULL
RETURN [n IN nodes(route) | n.address] AS addresses
