// Reference solution: Members and their accounts (exercises/02-member-accounts.toml)
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(p:Person)-[:USES]->(a:Account)
RETURN crew.name AS crew, p.name AS member, a.handle AS handle
