// mistake: your answer counts only crew members as the organisation's members: a member of the organisation itself is one too
MATCH (m:Person)-[f:FAMILY_OF]->(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->(:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org}) } AND NOT EXISTS { (r)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
