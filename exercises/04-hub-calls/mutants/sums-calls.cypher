// mistake: your answer adds up calls (the count property), not different people
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
MATCH (p)-[:HAS_PHONE]->(:Phone)-[c:CALLED]-(:Phone)<-[:HAS_PHONE]-(q:Person)
WHERE p <> q
WITH p, sum(c.count) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
