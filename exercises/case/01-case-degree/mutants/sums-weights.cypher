// mistake: your answer adds up link weights, not different people
MATCH (p:Person)-[r]-(q:Person)
WITH p, sum(r.weight) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC, name ASC
LIMIT 5
