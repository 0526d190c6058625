// mistake: your answer projects messages as well as follows: the follower network is asked
MATCH (a:Account)
OPTIONAL MATCH (a)-[:FOLLOWS|MESSAGED]->(b:Account)
WITH gds.graph.project($graph, a, b) AS g
CALL gds.pageRank.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).handle AS handle
ORDER BY score DESC
LIMIT 1
