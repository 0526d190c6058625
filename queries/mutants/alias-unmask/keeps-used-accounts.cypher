// mistake: your answer keeps accounts that someone is known to use: only accounts without USES are aliases
MATCH (a:Account)-[:REGISTERED_WITH]->(d:Phone|Email)<-[:HAS_PHONE|HAS_EMAIL]-(p:Person)
RETURN DISTINCT a.handle AS handle, p.name AS name
