// Reference solution: Which crew survives any single arrest? (exercises/13-crew-survives-arrest.toml)
MATCH (crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(member:Person)
WITH crew, collect(member) AS members
WHERE size(members) >= 3
UNWIND members AS arrested
WITH crew, [m IN members WHERE m <> arrested] AS rest
WITH crew, rest, COLLECT { MATCH (r:Person)-[:USES]->(acc:Account) WHERE r IN rest RETURN acc } AS accounts
CALL (rest, accounts) {
  WITH rest, accounts, accounts[0..1] AS start  // any one remaining account: a member without one is never reached
  CALL apoc.path.subgraphNodes(start, {relationshipFilter: 'MESSAGED', whitelistNodes: accounts}) YIELD node
  WITH rest, collect(node) AS reached
  RETURN size([r IN rest WHERE EXISTS { MATCH (r)-[:USES]->(acc) WHERE acc IN reached }]) AS reachable
}
WITH crew, rest, reachable
WITH crew, min(CASE WHEN reachable = size(rest) THEN 1 ELSE 0 END) AS survives
WHERE survives = 1
RETURN crew.name AS crew
