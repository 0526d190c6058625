// mistake: your answer leaves out the slang condition (a post containing a slang term)
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) } AND EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL }
RETURN DISTINCT a.handle AS handle
