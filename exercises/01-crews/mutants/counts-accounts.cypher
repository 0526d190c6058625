// mistake: your answer counts accounts, not people
MATCH (c:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
OPTIONAL MATCH (c)<-[:MEMBER_OF]-(p:Person)-[:USES]->(a:Account)
WITH c, count(a) AS members
RETURN c.name AS crew, members
