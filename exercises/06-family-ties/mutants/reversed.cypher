// mistake: your answer follows FAMILY_OF the wrong way: it points from the member to the relative
MATCH (m:Person)<-[f:FAMILY_OF]-(r:Person)
WHERE EXISTS { (m)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) } AND NOT EXISTS { (r)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) }
RETURN m.name AS member, r.name AS relative, f.relation AS relation
