// mistake: your answer runs degree centrality, not PageRank
MATCH (a:Account)
OPTIONAL MATCH (a)-[:FOLLOWS]->(b:Account)
WITH gds.graph.project($graph, a, b) AS g
CALL gds.degree.stream($graph, {orientation: 'REVERSE'}) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).handle AS handle
ORDER BY score DESC
LIMIT 1
