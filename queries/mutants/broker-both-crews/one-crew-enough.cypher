// mistake: your answer keeps people who message members of one crew: both crews are asked
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})
WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
RETURN DISTINCT p.name AS name
