// mistake: your answer also lists members without an attributed account, with an empty handle
MATCH (:Organization {name: $org})<-[:PART_OF]-(c:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)
OPTIONAL MATCH (p)-[:USES]->(a:Account)
RETURN c.name AS crew, p.name AS member, a.handle AS handle
