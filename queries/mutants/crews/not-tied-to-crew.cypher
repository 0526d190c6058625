// mistake: your answer counts every member of anything for each crew: the MEMBER_OF pattern is not tied to that crew
MATCH (c:Organization {kind: 'crew'})
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)
RETURN c.name AS crew, count(DISTINCT p) AS members
