// mistake: your answer keeps accounts that someone is known to use: only accounts nobody is known to use are aliases
MATCH (a:Account)-[:REGISTERED_WITH]->(d:Phone|Email)<-[:HAS_PHONE|HAS_EMAIL]-(p:Person)
WITH DISTINCT a, p
RETURN a.handle AS handle, p.name AS name
