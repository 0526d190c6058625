// mistake: your answer counts phone numbers called, not the people who hold them
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
MATCH (p)-[:HAS_PHONE]->(:Phone)-[:CALLED]-(y:Phone)
WITH p, count(DISTINCT y) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
