// mistake: your answer keeps the arrested people in the network: their links no longer connect anyone
MATCH (p:Person)
OPTIONAL MATCH (p)--(q:Person)
WITH p, count(DISTINCT q) AS contacts
ORDER BY contacts DESC, p.name ASC
LIMIT $k
WITH collect(p) AS arrested
MATCH (p:Person)
OPTIONAL MATCH (p)-->(q:Person)
WITH gds.graph.project($graph, p, q, {}, {undirectedRelationshipTypes: ['*']}) AS g
CALL gds.wcc.stream($graph) YIELD componentId
WITH componentId, count(*) AS size
RETURN max(size) AS largest, sum(size) - max(size) AS cut_off
