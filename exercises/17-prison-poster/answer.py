"""The answer key of prison-poster: Posting from inside the prison

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, handle, location_of_type
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    prison = location_of_type(g, "prison")[0]
    found = {a for a, _ in g.posts_within(prison["latitude"], prison["longitude"], 500)}
    return Answer(Expected([(handle(g, a),) for a in sorted(found)]))
