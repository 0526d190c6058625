// mistake: your answer takes the second most connected person as the broker: the broker is the non-member who links the crews
CALL () {
  MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org})
  MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person)
  WHERE p <> q
  WITH p, count(DISTINCT q) AS contacts
  ORDER BY contacts DESC LIMIT 2
  RETURN collect(p.name) AS top
}
RETURN top[0] AS hub, top[1] AS broker
