// mistake: your answer counts every member of anything for each crew: the membership is not tied to that crew
MATCH (c:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
MATCH (p:Person)-[:MEMBER_OF]->(:Organization)
WITH c, count(DISTINCT p) AS members
RETURN c.name AS crew, members
