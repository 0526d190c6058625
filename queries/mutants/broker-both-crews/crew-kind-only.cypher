// mistake: your answer excludes only crew members: a member of the organisation is a member too
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})
WHERE NOT EXISTS { (p)-[:MEMBER_OF]->(:Organization {kind: 'crew'}) }
WITH p, count(DISTINCT crew) AS crews
WHERE crews = 2
RETURN p.name AS name
