// mistake: your answer lists the crews of every organisation: the prompt asks about the crews of the organisation it names
MATCH (crew:Organization {kind: 'crew'})
OPTIONAL MATCH (crew)<-[:MEMBER_OF]-(member:Person)
WITH crew, count(DISTINCT member) AS members
RETURN crew.name AS crew, members
