// mistake: your answer counts the accounts messaged, not the people behind them
MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(b:Account)<-[:USES]-(q:Person)
WHERE p <> q
RETURN p.name AS name, count(DISTINCT b) AS contacts
ORDER BY contacts DESC LIMIT 1
