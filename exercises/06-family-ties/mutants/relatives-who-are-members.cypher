// mistake: your answer keeps relatives who are known members of the organisation themselves
MATCH (m:Person)-[f:FAMILY_OF]->(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
