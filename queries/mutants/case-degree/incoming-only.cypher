// mistake: your answer counts links in one direction only (<-): the prompt asks for either direction
MATCH (p:Person)<--(q:Person)
RETURN p.name AS name, count(DISTINCT q) AS contacts
ORDER BY contacts DESC
LIMIT 5
