// mistake: your answer counts triangles whose third account is not a crew member's
MATCH (crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(x:Account), (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(y:Account), (z:Account)
  WHERE x.id < y.id AND EXISTS { (x)-[:MESSAGED]-(y) } AND EXISTS { (y)-[:MESSAGED]-(z) } AND EXISTS { (z)-[:MESSAGED]-(x) }
  RETURN count(DISTINCT [x, y, z]) AS triangles
}
RETURN crew.name AS crew, triangles
