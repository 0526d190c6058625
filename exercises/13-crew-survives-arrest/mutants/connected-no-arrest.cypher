// mistake: your answer checks that the crew is connected, but removes no member: an arrest must be simulated for each member
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(member:Person)
WITH crew, collect(member) AS members
WHERE size(members) >= 3
WITH crew, members, members + COLLECT { MATCH (r:Person)-[:USES]->(acc:Account) WHERE r IN members RETURN acc } AS allowed
CALL apoc.path.subgraphNodes(members[0], {relationshipFilter: 'USES|MESSAGED', whitelistNodes: allowed}) YIELD node
WITH crew, members, collect(node) AS reached
WHERE all(m IN members WHERE m IN reached)
RETURN crew.name AS crew
