// mistake: your answer follows messages in one direction round the triangle: ties count in either direction
MATCH (crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(x:Person), (crew)<-[:MEMBER_OF]-(y:Person), (crew)<-[:MEMBER_OF]-(z:Person)
  WHERE x.id < y.id < z.id
    AND EXISTS { (x)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(y) }
    AND EXISTS { (y)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(z) }
    AND EXISTS { (x)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(z) }
  RETURN count(*) AS triangles
}
RETURN crew.name AS crew, triangles
