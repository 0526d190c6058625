// mistake: your answer leaves out crews without known members: every crew belongs in the result
MATCH (:Organization {name: $org})<-[:PART_OF]-(c:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)
WITH c, count(DISTINCT p) AS members
RETURN c.name AS crew, members
