// mistake: your answer takes the most followed person as the hub: the hub has the most message contacts
CALL () {
  MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
  MATCH (p)-[:USES]->(a:Account)
  WITH p, COUNT { (:Account)-[:FOLLOWS]->(a) } AS followers
  ORDER BY followers DESC LIMIT 1
  RETURN p.name AS hub
}
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
  WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
  WITH p, count(DISTINCT crew) AS crews
  WHERE crews >= 2
  RETURN p.name AS broker
}
RETURN hub, broker
