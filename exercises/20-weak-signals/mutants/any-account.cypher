// mistake: your answer keeps every account with both signals, not only those that exchanged messages with $hub
MATCH (a:Account)
WHERE EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE toLower(p.text) CONTAINS toLower(t.term) }
  AND EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL }
  AND NOT EXISTS { (:Person {name: $hub})-[:USES]->(a) }
RETURN a.handle AS handle
