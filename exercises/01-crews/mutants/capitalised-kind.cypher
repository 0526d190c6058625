// mistake: your answer writes the kind with a capital letter: text comparison is case-sensitive
MATCH (c:Organization {kind: 'Crew'})-[:PART_OF]->(:Organization {name: $org})
OPTIONAL MATCH (c)<-[:MEMBER_OF]-(p:Person)
WITH c, count(DISTINCT p) AS members
RETURN c.name AS crew, members
