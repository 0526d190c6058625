// mistake: your answer lists family ties of everyone, not only of the organisation's known members
MATCH (m:Person)-[f:FAMILY_OF]->(r:Person)
WHERE NOT EXISTS { (r)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
