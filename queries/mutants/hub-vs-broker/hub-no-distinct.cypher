// mistake: your answer counts message paths, not different people, to find the hub
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
  WHERE p <> q
  RETURN p.name AS hub, count(q) AS contacts
  ORDER BY contacts DESC LIMIT 1
}
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})
  WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
  WITH p, count(DISTINCT crew) AS crews
  WHERE crews = 2
  RETURN p.name AS broker
}
RETURN hub, broker
