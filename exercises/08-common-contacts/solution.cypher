// Reference solution: Common contacts of two suspects (exercises/08-common-contacts.toml)
MATCH (a:Person {name: $a})-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(c:Person)
MATCH (c)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(b:Person {name: $b})
WHERE c <> a AND c <> b
WITH DISTINCT c
RETURN c.name AS name
