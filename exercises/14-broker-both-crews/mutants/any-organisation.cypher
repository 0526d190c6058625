// mistake: your answer counts the organisation as well as its crews: contacts in different crews are asked
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
WITH p, count(DISTINCT crew) AS crews
WHERE crews >= 2
RETURN p.name AS name
