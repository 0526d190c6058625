// mistake: your answer keeps direct contacts: exactly two hops away means not a direct contact
MATCH (s:Person {name: $name})-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(d:Person)
MATCH (d)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(x:Person)
WHERE x <> s
WITH DISTINCT x
RETURN x.name AS name
