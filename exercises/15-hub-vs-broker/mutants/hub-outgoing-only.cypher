// mistake: your answer finds the hub from messages sent only: contacts count in either direction
CALL () {
  MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
  MATCH (p)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(q:Person)
  WHERE p <> q
  WITH p, count(DISTINCT q) AS contacts
  ORDER BY contacts DESC LIMIT 1
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
