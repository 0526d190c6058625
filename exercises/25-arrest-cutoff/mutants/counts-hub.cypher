// mistake: your answer counts $hub among the members cut off: the arrested person is not counted
CALL () {
  MATCH (m:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
  RETURN collect(DISTINCT m) AS members
}
CALL (members) {
  MATCH (x:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(m:Person)
  WHERE m IN members AND NOT x IN members
  WITH x, count(DISTINCT m) AS links
  WHERE links >= 2
  RETURN collect(x) AS associates
}
WITH members + associates AS org
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
  WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
  WITH p, count(DISTINCT crew) AS crews
  WHERE crews >= 2
  RETURN p AS broker
}
WITH broker, org, [p IN org WHERE p.name <> $hub] AS rest
WITH broker, org + COLLECT { MATCH (r:Person)-[:USES]->(acc:Account) WHERE r IN org RETURN acc } AS everyone,
     rest + COLLECT { MATCH (r:Person)-[:USES]->(acc:Account) WHERE r IN rest RETURN acc } AS remaining
CALL (broker, everyone) {
  CALL apoc.path.subgraphNodes(broker, {relationshipFilter: 'USES|MESSAGED', whitelistNodes: everyone}) YIELD node
  RETURN collect(node) AS before
}
CALL (broker, remaining) {
  CALL apoc.path.subgraphNodes(broker, {relationshipFilter: 'USES|MESSAGED', whitelistNodes: remaining}) YIELD node
  RETURN collect(node) AS after
}
MATCH (m:Person)-[:MEMBER_OF]->(:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
WHERE m IN before AND NOT m IN after
RETURN count(DISTINCT m) AS cut_off
