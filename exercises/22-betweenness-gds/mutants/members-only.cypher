// mistake: your answer leaves out the associates (non-members in contact with several members)
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
WITH collect(DISTINCT p) AS org
UNWIND org AS p
MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
WHERE q IN org AND p <> q
WITH DISTINCT p, q
WITH gds.graph.project($graph, p, q, {}, {undirectedRelationshipTypes: ['*']}) AS g
CALL gds.betweenness.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).name AS name
ORDER BY score DESC
LIMIT 1
