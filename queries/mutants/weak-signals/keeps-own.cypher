// mistake: your answer keeps the hub's own accounts: other accounts are asked
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(a:Account)
WHERE EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE toLower(p.text) CONTAINS toLower(t.term) } AND EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL }
RETURN DISTINCT a.handle AS handle
