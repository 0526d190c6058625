// mistake: your answer counts only crew members as members: anyone with a MEMBER_OF relationship is one
MATCH (m:Person)-[f:FAMILY_OF]->(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->(:Organization {kind: 'crew'}) } AND NOT EXISTS { (r)-[:MEMBER_OF]->() }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
