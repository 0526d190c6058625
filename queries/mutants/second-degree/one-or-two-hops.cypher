// mistake: your answer uses a hop range (*1..2): it returns direct contacts too
MATCH (s:Person {name: $name})-[:USES]->(:Account)-[:MESSAGED*1..2]-(:Account)<-[:USES]-(x:Person)
WHERE x <> s
RETURN DISTINCT x.name AS name
