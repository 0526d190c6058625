// mistake: your answer counts members of every organisation, not only crews (kind = 'crew')
MATCH (c:Organization)<-[:MEMBER_OF]-(p:Person)
RETURN c.name AS crew, count(DISTINCT p) AS members
