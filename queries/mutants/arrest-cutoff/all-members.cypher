// mistake: your answer counts members of the organisation as well as crew members
CALL () {
  MATCH (m:Person)-[:MEMBER_OF]->()
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
WITH [p IN org WHERE p.name <> $hub] AS rest
WITH rest, COLLECT { MATCH (r:Person)-[:USES]->(acc:Account) WHERE r IN rest RETURN acc } AS accounts
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})
  WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
  WITH p, count(DISTINCT crew) AS crews
  WHERE crews = 2
  RETURN p AS broker
}
MATCH (broker)-[:USES]->(start:Account)
WHERE start IN accounts
CALL apoc.path.subgraphNodes(start, {relationshipFilter: 'MESSAGED', whitelistNodes: accounts}) YIELD node
WITH collect(DISTINCT node) AS reached
MATCH (m:Person)-[:MEMBER_OF]->()
WHERE m.name <> $hub AND NOT EXISTS { MATCH (m)-[:USES]->(acc) WHERE acc IN reached }
RETURN count(DISTINCT m) AS cut_off
