// mistake: your answer runs PageRank, not betweenness centrality
MATCH (p:Person)
OPTIONAL MATCH (p)-->(q:Person)
WITH gds.graph.project($graph, p, q, {}, {undirectedRelationshipTypes: ['*']}) AS g
CALL gds.pageRank.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).name AS name
ORDER BY score DESC
LIMIT 1
