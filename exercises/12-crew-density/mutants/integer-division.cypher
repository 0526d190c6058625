// mistake: your answer divides whole numbers, which rounds down: the density is a fraction
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(m:Person)
WITH crew, count(DISTINCT m) AS n
WHERE n >= 2
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(x:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y:Person)-[:MEMBER_OF]->(crew)
  WHERE x.id < y.id
  RETURN count(DISTINCT [x, y]) AS ties
}
RETURN crew.name AS crew, 2 * ties / (n * (n - 1)) AS density
