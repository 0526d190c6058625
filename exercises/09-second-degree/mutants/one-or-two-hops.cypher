// mistake: your answer uses a range of hops: it returns direct contacts too
MATCH (s:Person {name: $name})-[:USES]->(:Account)-[:MESSAGED*1..2]-(:Account)<-[:USES]-(x:Person)
WHERE x <> s
WITH DISTINCT x
RETURN x.name AS name
