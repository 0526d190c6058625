// mistake: your answer counts a person among their own contacts when their own phones call each other
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
MATCH (p)-[:HAS_PHONE]->(:Phone)-[:CALLED]-(:Phone)<-[:HAS_PHONE]-(q:Person)
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
