// mistake: your answer leaves out the geotag condition (a post with a location)
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) } AND EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE toLower(p.text) CONTAINS toLower(t.term) }
RETURN DISTINCT a.handle AS handle
