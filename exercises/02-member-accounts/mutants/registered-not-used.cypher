// mistake: your answer finds accounts through the phone or email they were registered with, not the accounts attributed to the member
MATCH (:Organization {name: $org})<-[:PART_OF]-(c:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)-[:HAS_PHONE|HAS_EMAIL]->()<-[:REGISTERED_WITH]-(a:Account)
WITH DISTINCT c, p, a
RETURN c.name AS crew, p.name AS member, a.handle AS handle
