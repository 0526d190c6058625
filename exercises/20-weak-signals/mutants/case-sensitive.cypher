// mistake: your answer matches slang case-sensitively: slang in capitals counts too
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) }
WITH DISTINCT a
WHERE EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE p.text CONTAINS t.term }
  AND EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL }
RETURN a.handle AS handle
