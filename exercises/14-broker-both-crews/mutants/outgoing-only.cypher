// mistake: your answer follows messages in one direction only: contacts count in either direction
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
WITH p, count(DISTINCT crew) AS crews
WHERE crews >= 2
RETURN p.name AS name
