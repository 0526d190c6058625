// mistake: your answer lists members of every organisation, not only crews
MATCH (c:Organization)<-[:MEMBER_OF]-(p:Person)-[:USES]->(a:Account)
RETURN c.name AS crew, p.name AS member, a.handle AS handle
