// mistake: your answer counts only contacts who belong to the organisation: every other person counts, member or not
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q AND EXISTS { (q)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) }
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
