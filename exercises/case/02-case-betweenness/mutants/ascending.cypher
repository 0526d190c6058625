// mistake: your answer sorts from the lowest score: the top person has the highest
MATCH (p:Person)
OPTIONAL MATCH (p)-->(q:Person)
WITH gds.graph.project($graph, p, q, {}, {undirectedRelationshipTypes: ['*']}) AS g
CALL gds.betweenness.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).name AS name
ORDER BY score
LIMIT 1
