// mistake: your answer drops crews without triangles: they must appear with 0
MATCH (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(x:Account), (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(y:Account), (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(z:Account)
WHERE crew.kind = 'crew' AND x.id < y.id < z.id
  AND EXISTS { (x)-[:MESSAGED]-(y) } AND EXISTS { (y)-[:MESSAGED]-(z) } AND EXISTS { (z)-[:MESSAGED]-(x) }
RETURN crew.name AS crew, count(*) AS triangles
