// mistake: your answer counts the hub's contacts among crew members, not who is cut off from the broker
MATCH (:Person {name: $hub})-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(m:Person)-[:MEMBER_OF]->(:Organization {kind: 'crew'})
RETURN count(DISTINCT m) AS cut_off
