// mistake: your answer adds up messages (the count property), not different people
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
MATCH (p)-[:USES]->(:Account)-[m:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
WITH p, sum(m.count) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
