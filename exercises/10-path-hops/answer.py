"""The answer key of path-hops: How far apart are two suspects?

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

import networkx as nx

from linklab.exercises.answers import Answer, name, path_pair
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    a, b = path_pair(g)
    graph = g.account_messaging
    accounts = {p: [x for x, owner in sorted(g.owner.items()) if owner == p and x in graph] for p in (a, b)}
    hops = min(nx.shortest_path_length(graph, x, y) for x in accounts[a] for y in accounts[b]
               if nx.has_path(graph, x, y))
    return Answer(Expected([(hops,)]), {"a": name(g, a), "b": name(g, b)})
