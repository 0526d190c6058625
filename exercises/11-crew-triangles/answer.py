"""The answer key of crew-triangles: Triangles in each crew

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

import networkx as nx

from linklab.exercises.answers import Answer, crew_graph, crew_sets
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(crew, sum(nx.triangles(crew_graph(g, m)).values()) // 3)
                            for crew, m in crew_sets(g)]))
