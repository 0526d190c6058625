// mistake: your answer counts as associates people in contact with a single member: contact with several different members is asked
CALL () {
  MATCH (m:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
  RETURN collect(DISTINCT m) AS members
}
CALL (members) {
  MATCH (x:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(m:Person)
  WHERE m IN members AND NOT x IN members
  WITH x, count(DISTINCT m) AS links
  WHERE links >= 1
  RETURN collect(x) AS associates
}
WITH members + associates AS org
UNWIND org AS p
MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE q IN org AND p <> q
WITH DISTINCT p, q
WITH gds.graph.project($graph, p, q, {}, {undirectedRelationshipTypes: ['*']}) AS g
CALL gds.betweenness.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).name AS name
ORDER BY score DESC
LIMIT 1
