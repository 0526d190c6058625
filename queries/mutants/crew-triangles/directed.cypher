// mistake: your answer follows MESSAGED in one direction round the triangle: ties count in either direction
MATCH (crew:Organization {kind: 'crew'})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(x:Account), (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(y:Account), (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(z:Account)
  WHERE x.id < y.id < z.id AND EXISTS { (x)-[:MESSAGED]->(y) } AND EXISTS { (y)-[:MESSAGED]->(z) } AND EXISTS { (x)-[:MESSAGED]->(z) }
  RETURN count(*) AS triangles
}
RETURN crew.name AS crew, triangles
