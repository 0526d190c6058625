// mistake: your answer projects FOLLOWS without direction: influence flows from follower to followed
MATCH (a:Account)
OPTIONAL MATCH (a)-[:FOLLOWS]->(b:Account)
WITH gds.graph.project($graph, a, b, {}, {undirectedRelationshipTypes: ['*']}) AS g
CALL gds.pageRank.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).handle AS handle
ORDER BY score DESC
LIMIT 1
