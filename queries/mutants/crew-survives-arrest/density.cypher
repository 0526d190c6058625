// mistake: your answer uses density (share of possible ties), not connectivity after an arrest
MATCH (crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(m:Person)
WITH crew, count(DISTINCT m) AS n
CALL (crew) {
  MATCH (crew)<-[:MEMBER_OF]-(x:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y:Person)-[:MEMBER_OF]->(crew)
  WHERE x.id < y.id
  RETURN count(DISTINCT [x, y]) AS ties
}
WITH crew, 2.0 * ties / (n * (n - 1)) AS density WHERE density >= 0.5
RETURN crew.name AS crew
