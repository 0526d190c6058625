// mistake: your answer returns the non-member who links the crews, not the person with the highest betweenness
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
WITH p, count(DISTINCT crew) AS crews
WHERE crews >= 2
RETURN p.name AS name
