// mistake: your answer takes the organisation's leader as the hub: the hub is the person with the most message contacts
MATCH (h:Person)-[:MEMBER_OF]->(:Organization {name: $org})
CALL () {
  MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
  MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
  WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
  WITH p, count(DISTINCT crew) AS crews
  WHERE crews >= 2
  RETURN p.name AS broker
}
RETURN h.name AS hub, broker
