// mistake: your answer keeps accounts with either signal (OR): both are asked (AND)
MATCH (h:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(a:Account)
WHERE NOT EXISTS { (h)-[:USES]->(a) } AND (EXISTS { MATCH (a)-[:POSTED]->(p:Post), (t:Term) WHERE toLower(p.text) CONTAINS toLower(t.term) } OR EXISTS { MATCH (a)-[:POSTED]->(p:Post) WHERE p.location IS NOT NULL })
RETURN DISTINCT a.handle AS handle
