// mistake: your answer follows messages in one direction only: contacts count in either direction
MATCH (s:Person {name: $name})-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(d:Person)
WHERE d <> s
WITH s, collect(DISTINCT d) AS direct
UNWIND direct AS d
MATCH (d)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(x:Person)
WHERE x <> s AND NOT x IN direct
WITH DISTINCT x
RETURN x.name AS name
