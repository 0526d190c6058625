// Reference solution: One person, three platforms (exercises/07-three-platforms.toml)
MATCH (p:Person)-[:USES]->(a:Account)
WITH p, count(DISTINCT a.platform) AS platforms
WHERE platforms >= 3
RETURN p.name AS name, platforms
