// mistake: your answer returns every crew without testing any arrest
MATCH (crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
RETURN crew.name AS crew
