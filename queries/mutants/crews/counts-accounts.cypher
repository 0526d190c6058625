// mistake: your answer counts accounts, not people
MATCH (c:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)-[:USES]->(a:Account)
RETURN c.name AS crew, count(a) AS members
