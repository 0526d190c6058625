// mistake: your answer counts each tie twice (x-y and y-x) and then doubles it again
MATCH (crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(m:Person)
WITH crew, count(DISTINCT m) AS n
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(x:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y:Person)-[:MEMBER_OF]->(crew)
  WHERE x <> y
  RETURN count(DISTINCT [x, y]) AS ties
}
RETURN crew.name AS crew, 2.0 * ties / (n * (n - 1)) AS density
