"""The answer key of influencer-pagerank: Influence with PageRank (GDS)

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, follower_pagerank, handle, most
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    ranks = follower_pagerank(g)
    return Answer(Expected([(handle(g, most(ranks)),)]))
