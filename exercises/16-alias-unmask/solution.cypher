// Reference solution: Unmask the aliases (exercises/16-alias-unmask.toml)
MATCH (a:Account)-[:REGISTERED_WITH]->(d:Phone|Email)<-[:HAS_PHONE|HAS_EMAIL]-(p:Person)
WHERE NOT EXISTS { (:Person)-[:USES]->(a) }
WITH DISTINCT a, p
RETURN a.handle AS handle, p.name AS name
