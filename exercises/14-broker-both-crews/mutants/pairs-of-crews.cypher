// mistake: your answer returns the person once per pair of members they link: each person once is asked
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(c1:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(c2:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
WHERE c1.id < c2.id AND NOT EXISTS { (p)-[:MEMBER_OF]->() }
RETURN p.name AS name
