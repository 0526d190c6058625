// mistake: your answer returns the accounts of people detained at the prison, not accounts that posted from there
MATCH (p:Person)-[:DETAINED_AT]->(:Location {type: 'prison'})
MATCH (p)-[:USES]->(a:Account)
WITH DISTINCT a
RETURN a.handle AS handle
