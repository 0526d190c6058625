// mistake: your answer compares kind with 'Crew': text comparison is case-sensitive, the kind is 'crew'
MATCH (c:Organization {kind: 'Crew'})<-[:MEMBER_OF]-(p:Person)
RETURN c.name AS crew, count(DISTINCT p) AS members
