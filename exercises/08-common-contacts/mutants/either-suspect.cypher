// mistake: your answer returns contacts of $a or $b, not of both
MATCH (s:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(c:Person)
WHERE s.name IN [$a, $b] AND NOT c.name IN [$a, $b]
WITH DISTINCT c
RETURN c.name AS name
