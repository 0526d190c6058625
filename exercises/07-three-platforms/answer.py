"""The answer key of three-platforms: One person, three platforms

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, name
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    platforms: dict[str, set[str]] = {}
    for account, person in g.owner.items():
        platforms.setdefault(person, set()).add(g.nodes["Account"][account]["platform"])
    return Answer(Expected([(name(g, p), len(s)) for p, s in sorted(platforms.items()) if len(s) >= 3]))
