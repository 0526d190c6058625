// mistake: your answer returns the person once per pair of members they link: each person once is asked
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(c1:Organization {kind: 'crew'})
MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(c2:Organization {kind: 'crew'})
WHERE c1.id < c2.id AND NOT EXISTS { (p)-[:MEMBER_OF]->() }
RETURN p.name AS name
