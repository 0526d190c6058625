// mistake: your answer takes the organisation's leader as the hub: the hub is the person with the most message contacts
MATCH (h:Person)-[:MEMBER_OF]->(:Organization {kind: 'organisation'})
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})
  WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
  WITH p, count(DISTINCT crew) AS crews
  WHERE crews >= 2
  RETURN p.name AS broker
}
RETURN h.name AS hub, broker
