"""The answer key of member-accounts: Members and their accounts

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, crew_sets, handle, name
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    accounts: dict[str, list[str]] = {}
    for account, person in g.owner.items():
        accounts.setdefault(person, []).append(account)
    return Answer(Expected([(crew, name(g, p), handle(g, a)) for crew, members in crew_sets(g)
                            for p in sorted(members) for a in accounts.get(p, [])]))
