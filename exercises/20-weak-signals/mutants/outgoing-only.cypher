// mistake: your answer follows messages in one direction only: exchanges count in either direction
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]->(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) }
WITH DISTINCT a
WHERE EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE toLower(p.text) CONTAINS toLower(t.term) }
  AND EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL }
RETURN a.handle AS handle
