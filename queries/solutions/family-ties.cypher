// Reference solution: Family ties into the network (exercises/06-family-ties.toml)
MATCH (m:Person)-[f:FAMILY_OF]->(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->() } AND NOT EXISTS { (r)-[:MEMBER_OF]->() }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
