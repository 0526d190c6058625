"""The answer key of family-ties: Family ties into the network

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, name
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    rows = [(name(g, r["s"]), name(g, r["e"]), r["p"]["relation"])
            for r in g.rels("FAMILY_OF", "Person", "Person")
            if r["s"] in g.org_members and r["e"] not in g.org_members]
    return Answer(Expected(rows))
