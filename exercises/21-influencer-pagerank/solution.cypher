// Reference solution: Influence with PageRank (GDS) (exercises/21-influencer-pagerank.toml)
MATCH (a:Account)
OPTIONAL MATCH (a)-[:FOLLOWS]->(b:Account)
WITH gds.graph.project($graph, a, b) AS g
CALL gds.pageRank.stream($graph) YIELD nodeId, score
RETURN gds.util.asNode(nodeId).handle AS handle
ORDER BY score DESC
LIMIT 1
