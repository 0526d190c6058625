// mistake: your answer counts message ties (pairs) inside the crew, not triangles
MATCH (crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(x:Account), (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(y:Account)
  WHERE x.id < y.id AND EXISTS { (x)-[:MESSAGED]-(y) }
  RETURN count(*) AS triangles
}
RETURN crew.name AS crew, triangles
