"""The answer key of common-contacts: Common contacts of two suspects

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, common_pair, name
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    a, b = common_pair(g)
    common = set(g.messaging[a]) & set(g.messaging[b])
    return Answer(Expected([(name(g, p),) for p in sorted(common)]), {"a": name(g, a), "b": name(g, b)})
