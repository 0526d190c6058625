// Reference solution: The hub: most message contacts (exercises/03-hub-messages.toml)
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(DISTINCT q) AS contacts
ORDER BY contacts DESC
LIMIT 1
