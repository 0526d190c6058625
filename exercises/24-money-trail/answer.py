"""The answer key of money-trail: Follow the money

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, buyer, cash_routes
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    """Every route from $buyer along payments to the first exchange it reaches."""
    wallets = g.nodes["Wallet"]
    start = buyer(g)
    return Answer(Expected([(tuple(wallets[w]["address"] for w in p),) for p in cash_routes(g, start)]),
                  {"buyer": wallets[start]["address"]})
