// mistake: your answer ignores the direction of FAMILY_OF, which points from the member to the relative
MATCH (m:Person)-[f:FAMILY_OF]-(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->() } AND NOT EXISTS { (r)-[:MEMBER_OF]->() }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
