// mistake: your answer lets the remaining members stay connected through any relationship (following too), not only message contacts
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(member:Person)
WITH crew, collect(member) AS members
WHERE size(members) >= 3
UNWIND members AS arrested
WITH crew, [m IN members WHERE m <> arrested] AS rest
WITH crew, rest, rest + COLLECT { MATCH (r:Person)-[:USES]->(acc:Account) WHERE r IN rest RETURN acc } AS allowed
CALL (rest, allowed) {
  CALL apoc.path.subgraphNodes(rest[0], {relationshipFilter: 'USES|MESSAGED|FOLLOWS', whitelistNodes: allowed}) YIELD node
  WITH rest, collect(node) AS reached
  RETURN all(r IN rest WHERE r IN reached) AS connected
}
WITH crew, collect(connected) AS checks
WHERE all(c IN checks WHERE c)
RETURN crew.name AS crew
