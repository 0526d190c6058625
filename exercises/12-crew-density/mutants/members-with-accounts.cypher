// mistake: your answer counts n as the members with an attributed account: n is every known member
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(m:Person)-[:USES]->(:Account)
WITH crew, count(DISTINCT m) AS n
WHERE n >= 2
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(x:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y:Person)-[:MEMBER_OF]->(crew)
  WHERE x.id < y.id
  RETURN count(DISTINCT [x, y]) AS ties
}
RETURN crew.name AS crew, 2.0 * ties / (n * (n - 1)) AS density
