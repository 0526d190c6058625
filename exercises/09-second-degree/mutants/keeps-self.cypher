// mistake: your answer keeps $name: a contact of a contact can be $name again
MATCH (s:Person {name: $name})-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(d:Person)
WHERE d <> s
WITH s, collect(DISTINCT d) AS direct
UNWIND direct AS d
MATCH (d)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(x:Person)
WHERE NOT x IN direct
WITH DISTINCT x
RETURN x.name AS name
