// mistake: your answer counts the accounts messaged, not the people behind them
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(b:Account)<-[:USES]-(q:Person)
WHERE p <> q
WITH p, count(DISTINCT b) AS contacts
RETURN p.name AS name, contacts
ORDER BY contacts DESC
LIMIT 1
