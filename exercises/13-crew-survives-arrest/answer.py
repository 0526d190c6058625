"""The answer key of crew-survives-arrest: Which crew survives any single arrest?

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

import networkx as nx

from linklab.exercises.answers import Answer, crew_graph, crew_sets
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    """Crews of three or more known members that stay connected whoever is arrested: every member counts,
    one without any message contact too (then the crew is not connected)."""
    return Answer(Expected([(crew,) for crew, m in crew_sets(g)
                            if len(m) >= 3 and nx.is_biconnected(crew_graph(g, m))]))
