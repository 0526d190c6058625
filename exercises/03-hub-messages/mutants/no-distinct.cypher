// mistake: your answer counts paths, not different people
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
WITH p, count(q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
