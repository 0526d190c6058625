"""The answer key of betweenness-gds: Betweenness in the organisation (GDS)

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, most, name, organisation_betweenness
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    scores = organisation_betweenness(g)
    return Answer(Expected([(name(g, most(scores)),)]))
