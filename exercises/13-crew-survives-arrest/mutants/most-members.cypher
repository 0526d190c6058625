// mistake: your answer picks the crew with the most members, not the one that stays connected
MATCH (:Organization {name: $org})<-[:PART_OF]-(crew:Organization {kind: 'crew'})<-[:MEMBER_OF]-(m:Person)
WITH crew, count(m) AS n ORDER BY n DESC LIMIT 1
RETURN crew.name AS crew
