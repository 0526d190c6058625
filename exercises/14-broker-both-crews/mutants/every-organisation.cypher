// mistake: your answer finds people who link crews of any organisation: the prompt asks about two crews of the organisation it names
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})
WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
WITH p, count(DISTINCT crew) AS crews
WHERE crews >= 2
RETURN p.name AS name
