// mistake: your answer drops crews without triangles: every crew must appear
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(x:Person), (crew)<-[:MEMBER_OF]-(y:Person), (crew)<-[:MEMBER_OF]-(z:Person)
WHERE x.id < y.id < z.id
  AND EXISTS { (x)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y) }
  AND EXISTS { (y)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(z) }
  AND EXISTS { (z)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(x) }
RETURN crew.name AS crew, count(*) AS triangles
