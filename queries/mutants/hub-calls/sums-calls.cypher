// mistake: your answer adds up calls (the count property), not different people
MATCH (p:Person)-[:HAS_PHONE]->(:Phone)-[c:CALLED]-(:Phone)<-[:HAS_PHONE]-(q:Person)
WHERE p <> q
RETURN p.name AS name, sum(c.count) AS contacts
ORDER BY contacts DESC LIMIT 1
