// mistake: your answer sorts from the lowest score: the top account has the highest
MATCH (a:Account)
OPTIONAL MATCH (a)-[:FOLLOWS]->(b:Account)
WITH gds.graph.project($graph, a, b) AS g
CALL gds.pageRank.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).handle AS handle
ORDER BY score
LIMIT 1
