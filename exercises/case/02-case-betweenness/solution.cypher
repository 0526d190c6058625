// Reference solution: Case network: the broker (exercises/case/02-case-betweenness.toml)
MATCH (p:Person)
OPTIONAL MATCH (p)-->(q:Person)
WITH gds.graph.project($graph, p, q, {}, {undirectedRelationshipTypes: ['*']}) AS g
CALL gds.betweenness.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).name AS name
ORDER BY score DESC
LIMIT 1
