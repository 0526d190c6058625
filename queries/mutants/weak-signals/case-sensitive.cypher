// mistake: your answer matches slang case-sensitively: lower-case both sides (toLower)
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) } AND EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE p.text CONTAINS t.term } AND EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL }
RETURN DISTINCT a.handle AS handle
