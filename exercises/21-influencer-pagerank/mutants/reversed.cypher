// mistake: your answer projects FOLLOWS the wrong way round (followed to follower)
MATCH (a:Account)-[:FOLLOWS]->(b:Account)
WITH gds.graph.project($graph, b, a) AS g
CALL gds.pageRank.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).handle AS handle
ORDER BY score DESC
LIMIT 1
