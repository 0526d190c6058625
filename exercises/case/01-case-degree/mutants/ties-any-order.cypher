// mistake: your answer leaves people with as many contacts in any order: among them the name that sorts first comes first
MATCH (p:Person)--(q:Person)
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 5
