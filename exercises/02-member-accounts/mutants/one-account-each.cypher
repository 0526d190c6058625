// mistake: your answer keeps one account per member: some members use several
MATCH (:Organization {name: $org})<-[:PART_OF]-(c:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)-[:USES]->(a:Account)
WITH c, p, collect(a.handle)[0] AS handle
RETURN c.name AS crew, p.name AS member, handle
