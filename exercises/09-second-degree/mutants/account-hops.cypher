// mistake: your answer counts hops between accounts, so it keeps direct contacts and misses hops through a person's other account
MATCH (s:Person {name: $name})-[:USES]->(:Account)-[:MESSAGED*2]-(:Account)<-[:USES]-(x:Person)
WHERE x <> s
WITH DISTINCT x
RETURN x.name AS name
