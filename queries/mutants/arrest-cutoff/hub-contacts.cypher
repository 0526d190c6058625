// mistake: your answer counts the crew members in contact with $hub, not who is cut off from the go-between
MATCH (:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(m:Person)-[:MEMBER_OF]->(:Organization {kind: 'crew'})
RETURN count(DISTINCT m) AS cut_off
