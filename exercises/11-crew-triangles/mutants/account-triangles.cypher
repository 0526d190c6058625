// mistake: your answer counts triangles of accounts: a triangle is three people, and a person may message from several accounts
MATCH (crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(x:Account),
        (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(y:Account),
        (crew)<-[:MEMBER_OF]-(:Person)-[:USES]->(z:Account)
  WHERE x.id < y.id < z.id
    AND EXISTS { (x)-[:MESSAGED]-(y) } AND EXISTS { (y)-[:MESSAGED]-(z) } AND EXISTS { (z)-[:MESSAGED]-(x) }
  RETURN count(*) AS triangles
}
RETURN crew.name AS crew, triangles
