// mistake: your answer lists family ties of everyone, not only of known members
MATCH (m:Person)-[f:FAMILY_OF]->(r:Person)
WHERE NOT EXISTS { (r)-[:MEMBER_OF]->() }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
