// mistake: your answer picks the densest crew: density is not the same as surviving any single arrest
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(m:Person)
WITH crew, count(DISTINCT m) AS n
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(x:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y:Person)-[:MEMBER_OF]->(crew)
  WHERE x.id < y.id
  RETURN count(DISTINCT [x, y]) AS ties
}
WITH crew, 2.0 * ties / (n * (n - 1)) AS density
ORDER BY density DESC LIMIT 1
RETURN crew.name AS crew
