// mistake: your answer uses the places posts are tagged at (TAGGED_AT), not the posts' coordinates
MATCH (a:Account)-[:POSTED]->(:Post)-[:TAGGED_AT]->(:Location {type: 'prison'})
RETURN DISTINCT a.handle AS handle
