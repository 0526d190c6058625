// mistake: your answer counts only links that point at the person: the prompt asks for either direction
MATCH (p:Person)<--(q:Person)
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC, name ASC
LIMIT 5
