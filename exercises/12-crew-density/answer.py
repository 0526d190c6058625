"""The answer key of crew-density: Hub-and-spoke or highly networked?

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

import networkx as nx

from linklab.exercises.answers import Answer, crew_graph, crew_sets
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    """Crews with fewer than two known members have no density (no possible tie): they give no row."""
    return Answer(Expected([(crew, round(nx.density(crew_graph(g, m)), 6)) for crew, m in crew_sets(g)
                            if len(m) >= 2]))
