// mistake: your answer keeps people who message members of one crew only: members of different crews are asked
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
WITH DISTINCT p
RETURN p.name AS name
