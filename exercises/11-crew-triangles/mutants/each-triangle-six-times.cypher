// mistake: your answer counts every triangle once per ordering of its members: each set of people once
MATCH (crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(x:Person), (crew)<-[:MEMBER_OF]-(y:Person), (crew)<-[:MEMBER_OF]-(z:Person)
  WHERE x <> y AND y <> z AND x <> z
    AND EXISTS { (x)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y) }
    AND EXISTS { (y)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(z) }
    AND EXISTS { (z)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(x) }
  RETURN count(*) AS triangles
}
RETURN crew.name AS crew, triangles
