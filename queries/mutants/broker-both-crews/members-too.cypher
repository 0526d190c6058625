// mistake: your answer keeps members: the go-between has no MEMBER_OF relationship
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})
WITH p, count(DISTINCT crew) AS crews
WHERE crews = 2
RETURN p.name AS name
