// mistake: your answer also lists the members of the organisation itself, not only those of its crews
MATCH (:Organization {name: $org})<-[:PART_OF*0..1]-(c:Organization)<-[:MEMBER_OF]-(p:Person)-[:USES]->(a:Account)
RETURN c.name AS crew, p.name AS member, a.handle AS handle
