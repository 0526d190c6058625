"""The answer key of alias-unmask: Unmask the aliases

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, handle, name
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    """One row per account nobody is known to use and person behind it (two accounts may share a handle)."""
    holder: dict[str, set[str]] = {}
    for key in (("HAS_PHONE", "Person", "Phone"), ("HAS_EMAIL", "Person", "Email")):
        for r in g.rels(*key):
            holder.setdefault(r["e"], set()).add(r["s"])
    pairs = {(r["s"], person)
             for key in (("REGISTERED_WITH", "Account", "Phone"), ("REGISTERED_WITH", "Account", "Email"))
             for r in g.rels(*key) if r["s"] not in g.owner for person in holder.get(r["e"], ())}
    return Answer(Expected([(handle(g, a), name(g, p)) for a, p in sorted(pairs)]))
