// mistake: your answer leaves the associates (non-members in contact with two or more members) out of the network
MATCH (m:Person)-[:MEMBER_OF]->()
WITH collect(DISTINCT m) AS members
MATCH (b:Person)
WHERE NOT b IN members AND COUNT { MATCH (b)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(:Person)-[:MEMBER_OF]->(c:Organization {kind: 'crew'}) RETURN DISTINCT c } = 2
WITH [p IN members + [b] WHERE p.name <> $hub] AS rest
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
MATCH (m:Person)-[:MEMBER_OF]->(:Organization {kind: 'crew'})
WHERE m.name <> $hub AND NOT EXISTS { MATCH (m)-[:USES]->(acc) WHERE acc IN reached }
RETURN count(DISTINCT m) AS cut_off
