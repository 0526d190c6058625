// mistake: your answer returns account handles, not the people behind them
MATCH (a:Person {name: $a})-[:USES]->(:Account)-[:MESSAGED]-(x:Account)<-[:USES]-(c:Person)
MATCH (c)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(b:Person {name: $b})
WHERE c <> a AND c <> b
WITH DISTINCT x
RETURN x.handle AS name
