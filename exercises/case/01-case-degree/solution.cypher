// Reference solution: Case network: the most connected people (exercises/case/01-case-degree.toml)
MATCH (p:Person)--(q:Person)
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC, name ASC
LIMIT 5
