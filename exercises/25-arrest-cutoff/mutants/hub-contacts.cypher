// mistake: your answer counts the crew members in contact with $hub, not who is cut off from the go-between
MATCH (:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(m:Person)-[:MEMBER_OF]->(:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
RETURN count(DISTINCT m) AS cut_off
