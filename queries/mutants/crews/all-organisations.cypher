// mistake: your answer counts members of every organisation, not only crews
MATCH (c:Organization)
OPTIONAL MATCH (c)<-[:MEMBER_OF]-(p:Person)
WITH c, count(DISTINCT p) AS members
RETURN c.name AS crew, members
