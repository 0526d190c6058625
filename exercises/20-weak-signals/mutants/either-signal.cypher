// mistake: your answer keeps accounts with either signal: both are asked
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) }
WITH DISTINCT a
WHERE (EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE toLower(p.text) CONTAINS toLower(t.term) } OR EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL })
RETURN a.handle AS handle
