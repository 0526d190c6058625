"""The answer key of case-path: Case network: how far apart are two people?

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.cases.network import CaseNetwork
from linklab.exercises.answers import Answer, case_path_pair
from linklab.exercises.rows import Expected


def answer(case: CaseNetwork) -> Answer:
    avoid = case_path_pair(case.base, None)[2] if case.base else None
    a, b, hops = case_path_pair(case, avoid)
    return Answer(Expected([(hops,)]), {"a": case.name_of(a), "b": case.name_of(b)})
