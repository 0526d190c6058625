// mistake: your answer counts contacts with members, not different crews
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
WITH p, count(crew) AS crews
WHERE crews >= 2
RETURN p.name AS name
