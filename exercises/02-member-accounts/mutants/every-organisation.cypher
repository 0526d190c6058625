// mistake: your answer lists the crews of every organisation: the prompt asks about the crews of the organisation it names
MATCH (crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)-[:USES]->(a:Account)
RETURN crew.name AS crew, p.name AS member, a.handle AS handle
