// mistake: your answer asks every member to have several contacts in the crew: that is not the same as surviving any single arrest
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(m:Person)
WITH crew, m, COUNT { MATCH (m)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(y:Person)-[:MEMBER_OF]->(crew) WHERE y <> m RETURN DISTINCT y } AS contacts
WITH crew, count(m) AS n, min(contacts) AS fewest
WHERE n >= 3 AND fewest >= 2
RETURN crew.name AS crew
