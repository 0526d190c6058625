// mistake: your answer counts only members who have an attributed account (USES)
MATCH (c:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)-[:USES]->(:Account)
RETURN c.name AS crew, count(DISTINCT p) AS members
