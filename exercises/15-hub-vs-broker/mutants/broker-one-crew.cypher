// mistake: your answer takes as broker anyone who messages members of a crew: members of different crews are asked
CALL () {
  MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
  MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
  WHERE p <> q
  WITH p, count(DISTINCT q) AS contacts
  ORDER BY contacts DESC LIMIT 1
  RETURN p.name AS hub
}
CALL () {
  MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)-[:MEMBER_OF]->(crew:Organization {kind: 'crew'})-[:PART_OF]->(:Organization {name: $org})
  WHERE NOT EXISTS { (p)-[:MEMBER_OF]->() }
  WITH p, count(DISTINCT crew) AS crews
  WHERE crews >= 1
  RETURN p.name AS broker
}
RETURN hub, broker
