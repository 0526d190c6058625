// mistake: your answer adds up link weights, not different people
MATCH (p:Person)-[r]-(q:Person)
RETURN p.name AS name, sum(r.weight) AS contacts
ORDER BY contacts DESC
LIMIT 5
