// mistake: your answer returns every contact of $a, not only those $b shares
MATCH (a:Person {name: $a})-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(c:Person)
WHERE c <> a
WITH DISTINCT c
RETURN c.name AS name
