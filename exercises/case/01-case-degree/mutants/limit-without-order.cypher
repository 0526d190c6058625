// mistake: your answer keeps the first rows without sorting: it returns whichever rows come first
MATCH (p:Person)--(q:Person)
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
LIMIT 5
