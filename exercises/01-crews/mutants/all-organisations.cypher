// mistake: your answer counts the organisation itself as one of its crews
MATCH (c:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
OPTIONAL MATCH (c)<-[:MEMBER_OF]-(p:Person)
WITH c, count(DISTINCT p) AS members
RETURN c.name AS crew, members
