// mistake: your answer keeps known members only: anyone in contact with both suspects counts
MATCH (a:Person {name: $a})-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(c:Person)
MATCH (c)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(b:Person {name: $b})
WHERE c <> a AND c <> b AND EXISTS { (c)-[:MEMBER_OF]->() }
WITH DISTINCT c
RETURN c.name AS name
