// mistake: your answer uses the places posts are tagged at, not the posts' coordinates
MATCH (a:Account)-[:POSTED]->(:Post)-[:TAGGED_AT]->(:Location {type: 'prison'})
WITH DISTINCT a
RETURN a.handle AS handle
