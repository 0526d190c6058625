// mistake: your answer projects a directed graph: links are to be followed in either direction
MATCH (p:Person)
OPTIONAL MATCH (p)-->(q:Person)
WITH gds.graph.project($graph, p, q) AS g
CALL gds.betweenness.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).name AS name
ORDER BY score DESC
LIMIT 1
