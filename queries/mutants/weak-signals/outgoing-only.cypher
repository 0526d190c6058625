// mistake: your answer follows MESSAGED in one direction only: exchanges count in either direction
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]->(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) } AND EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE toLower(p.text) CONTAINS toLower(t.term) } AND EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL }
RETURN DISTINCT a.handle AS handle
