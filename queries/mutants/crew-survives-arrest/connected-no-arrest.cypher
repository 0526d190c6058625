// mistake: your answer checks that the crew is connected, but removes no member: an arrest must be simulated for each member
MATCH (crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(member:Person)
WITH crew, collect(member) AS members
WITH crew, members, COLLECT { MATCH (r:Person)-[:USES]->(acc:Account) WHERE r IN members RETURN acc } AS accounts
CALL (members, accounts) {
  WITH members, accounts, accounts[0..1] AS start
  CALL apoc.path.subgraphNodes(start, {relationshipFilter: 'MESSAGED', whitelistNodes: accounts}) YIELD node
  WITH members, collect(node) AS reached
  RETURN size([r IN members WHERE EXISTS { MATCH (r)-[:USES]->(acc) WHERE acc IN reached }]) AS reachable
}
WITH crew, members, reachable WHERE reachable = size(members)
RETURN crew.name AS crew
