// mistake: your answer takes a post tagged at a place for one with coordinates: only coordinates count
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) }
WITH DISTINCT a
WHERE EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE toLower(p.text) CONTAINS toLower(t.term) }
  AND EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL OR EXISTS { (p)-[:TAGGED_AT]->() } }
RETURN a.handle AS handle
