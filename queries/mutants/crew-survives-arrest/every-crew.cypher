// mistake: your answer returns every crew without testing any arrest
MATCH (crew:Organization {kind: 'crew'})
RETURN crew.name AS crew
