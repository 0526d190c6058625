"""The answer key of case-degree: Case network: the most connected people

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.cases.network import CaseNetwork
from linklab.exercises.answers import Answer, ranked_by_contacts
from linklab.exercises.rows import Expected


def answer(case: CaseNetwork) -> Answer:
    """The five most connected, most first; ties go to the name that sorts first (the order is the answer)."""
    return Answer(Expected([(case.name_of(p), case.graph.degree(p)) for p in ranked_by_contacts(case)[:5]]))
