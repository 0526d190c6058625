// Reference solution: The hub: most message contacts (exercises/03-hub-messages.toml)
// counted per person (two people may share a name), never counting the person themselves
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
