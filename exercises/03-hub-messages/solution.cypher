// Reference solution: The hub: most message contacts (exercises/03-hub-messages.toml)
// the known members of $org: of the organisation itself or of one of its crews (zero or one PART_OF step);
// counted per person (two people may share a name), never counting the person themselves
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
