// mistake: your answer returns the platform, not the account's handle
MATCH (:Organization {name: $org})<-[:PART_OF]-(c:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)-[:USES]->(a:Account)
RETURN c.name AS crew, p.name AS member, a.platform AS handle
