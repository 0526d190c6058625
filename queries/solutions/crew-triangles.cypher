// Reference solution: Triangles in each crew (exercises/11-crew-triangles.toml)
MATCH (crew:Organization {kind: 'crew'})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(x:Account),
        (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(y:Account),
        (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(z:Account)
  WHERE x.id < y.id < z.id
    AND EXISTS { (x)-[:MESSAGED]-(y) } AND EXISTS { (y)-[:MESSAGED]-(z) } AND EXISTS { (z)-[:MESSAGED]-(x) }
  RETURN count(*) AS triangles
}
RETURN crew.name AS crew, triangles
