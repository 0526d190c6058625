// mistake: your answer adds up the contacts of different people who share a name: count per person
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(DISTINCT q) AS contacts
ORDER BY contacts DESC
LIMIT 1
