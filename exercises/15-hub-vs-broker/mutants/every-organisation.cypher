// mistake: your answer looks at every organisation: the prompt asks about the hub and the go-between of the organisation it names
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
  WHERE p <> q
  WITH p, count(DISTINCT q) AS contacts
  ORDER BY contacts DESC LIMIT 1
  RETURN p.name AS hub
}
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})
  WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
  WITH p, count(DISTINCT crew) AS crews
  WHERE crews >= 2
  RETURN p.name AS broker
}
RETURN hub, broker
