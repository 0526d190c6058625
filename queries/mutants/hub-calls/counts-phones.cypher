// mistake: your answer counts phone numbers called, not the people who hold them
MATCH (p:Person)-[:HAS_PHONE]->(:Phone)-[:CALLED]-(y:Phone)
RETURN p.name AS name, count(DISTINCT y) AS contacts
ORDER BY contacts DESC LIMIT 1
