// mistake: your answer keeps relatives who are known members themselves
MATCH (m:Person)-[f:FAMILY_OF]->(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->() }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
