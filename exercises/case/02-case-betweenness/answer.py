"""The answer key of case-betweenness: Case network: the broker (betweenness, GDS)

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

import networkx as nx

from linklab.cases.network import CaseNetwork
from linklab.exercises.answers import Answer, case_top
from linklab.exercises.rows import Expected


def answer(case: CaseNetwork) -> Answer:
    scores = {p: round(s, 6) for p, s in nx.betweenness_centrality(case.graph, normalized=False).items()}
    best = case_top(case, scores, 1)
    return Answer(Expected([r[:1] for r in best.rows], [r[:1] for r in best.tied]))
