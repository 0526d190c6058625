// mistake: your answer counts two hops between accounts (MESSAGED*2), so it keeps direct contacts and misses hops through a person's other account
MATCH (s:Person {name: $name})-[:USES]->(:Account)-[:MESSAGED*2]-(:Account)<-[:USES]-(x:Person)
WHERE x <> s
RETURN DISTINCT x.name AS name
