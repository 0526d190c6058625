// mistake: your answer looks at the crews of every organisation: the prompt asks about the crews of the organisation it names
MATCH (crew:Organization {kind: 'crew'})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(x:Person), (crew)<-[:MEMBER_OF]-(y:Person), (crew)<-[:MEMBER_OF]-(z:Person)
  WHERE x.id < y.id < z.id
    AND EXISTS { (x)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y) }
    AND EXISTS { (y)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(z) }
    AND EXISTS { (z)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(x) }
  RETURN count(*) AS triangles
}
RETURN crew.name AS crew, triangles
