// Reference solution: Which crew survives any single arrest? (exercises/13-crew-survives-arrest.toml)
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(member:Person)
WITH crew, collect(member) AS members
WHERE size(members) >= 3
UNWIND members AS arrested
WITH crew, [m IN members WHERE m <> arrested] AS rest
// people are connected through their accounts: walk Person -USES- Account -MESSAGED- Account -USES- Person
WITH crew, rest, rest + COLLECT { MATCH (r:Person)-[:USES]->(acc:Account) WHERE r IN rest RETURN acc } AS allowed
CALL (rest, allowed) {
  CALL apoc.path.subgraphNodes(rest[0], {relationshipFilter: 'USES|MESSAGED', whitelistNodes: allowed}) YIELD node
  WITH rest, collect(node) AS reached
  RETURN all(r IN rest WHERE r IN reached) AS connected
}
WITH crew, collect(connected) AS checks
WHERE all(c IN checks WHERE c)
RETURN crew.name AS crew
