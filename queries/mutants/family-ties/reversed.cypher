// mistake: your answer follows FAMILY_OF the wrong way: it points from the member to the relative
MATCH (m:Person)<-[f:FAMILY_OF]-(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->() } AND NOT EXISTS { (r)-[:MEMBER_OF]->() }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
