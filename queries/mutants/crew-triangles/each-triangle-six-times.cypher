// mistake: your answer counts every triangle six times (once per ordering of its three accounts)
MATCH (crew:Organization {kind: 'crew'})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(x:Account), (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(y:Account), (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(z:Account)
  WHERE EXISTS { (x)-[:MESSAGED]-(y) } AND EXISTS { (y)-[:MESSAGED]-(z) } AND EXISTS { (z)-[:MESSAGED]-(x) }
  RETURN count(*) AS triangles
}
RETURN crew.name AS crew, triangles
