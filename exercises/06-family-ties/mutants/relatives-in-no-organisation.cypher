// mistake: your answer leaves out relatives who belong to another organisation: only members of the organisation the prompt names are left out
MATCH (m:Person)-[f:FAMILY_OF]->(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) } AND NOT EXISTS { (r)-[:MEMBER_OF]->() }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
