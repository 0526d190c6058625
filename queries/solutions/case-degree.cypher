// Reference solution: Case network: the most connected people (exercises/case/01-case-degree.toml)
MATCH (p:Person)--(q:Person)
RETURN p.name AS name, count(DISTINCT q) AS contacts
ORDER BY contacts DESC
LIMIT 5
