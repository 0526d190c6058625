// mistake: your answer ranks known members only: everyone with attributed accounts counts
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE p <> q AND EXISTS { (p)-[:MEMBER_OF]->() }
WITH p, count(DISTINCT q) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
