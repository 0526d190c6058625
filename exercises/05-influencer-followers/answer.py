"""The answer key of influencer-followers: The most followed account

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, handle, top
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    return Answer(top(dict(g.follows.in_degree()), label=lambda a: handle(g, a)))
