"""The answer key of stash-house: Where the slang clusters: the stash house

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, stash_scores, top
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    return Answer(top(stash_scores(g), label=lambda loc: g.nodes["Location"][loc]["name"]))
