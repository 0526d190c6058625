// mistake: your answer counts only members who have an attributed account
MATCH (c:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
OPTIONAL MATCH (c)<-[:MEMBER_OF]-(p:Person)-[:USES]->(:Account)
WITH c, count(DISTINCT p) AS members
RETURN c.name AS crew, members
