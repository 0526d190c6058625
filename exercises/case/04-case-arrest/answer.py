"""The answer key of case-arrest: Case network: what is left after arresting the top $k?

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

import random

from linklab.cases.network import CaseNetwork
from linklab.exercises.answers import Answer, after_arrests, arrest_count, tie_decides
from linklab.exercises.rows import Expected


def answer(case: CaseNetwork) -> Answer:
    k = arrest_count(case)
    if case.base:
        avoid = after_arrests(case.base, arrest_count(case.base))
        choices = [n for n in range(1, 6) if n < case.graph.number_of_nodes() - 1]
        random.Random(case.digest).shuffle(choices)
        choices.sort(key=lambda n: not tie_decides(case, n))  # where the tie rule decides first
        k = next((n for n in choices if after_arrests(case, n) != avoid), k)
    return Answer(Expected([after_arrests(case, k)]), {"k": k})
