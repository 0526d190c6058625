// Reference solution: The organisation and its crews (exercises/01-crews.toml)
MATCH (crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
OPTIONAL MATCH (crew)<-[:MEMBER_OF]-(member:Person)
WITH crew, count(DISTINCT member) AS members
RETURN crew.name AS crew, members
