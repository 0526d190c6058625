"""The answer key of second-degree: Second-degree contacts

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, go_between, name
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    start = go_between(g)
    direct = set(g.messaging[start])
    second = {q for p in direct for q in g.messaging[p]} - direct - {start}
    return Answer(Expected([(name(g, p),) for p in sorted(second)]), {"name": name(g, start)})
