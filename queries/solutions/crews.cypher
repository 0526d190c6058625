// Reference solution: The organisation and its crews (exercises/01-crews.toml)
MATCH (crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(member:Person)
RETURN crew.name AS crew, count(DISTINCT member) AS members
