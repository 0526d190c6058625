"""The answer key of slang-accounts: Repeated slang: weak signals

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, handle, slang_counts
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(handle(g, a), n) for a, n in sorted(slang_counts(g).items()) if n >= 3]))
