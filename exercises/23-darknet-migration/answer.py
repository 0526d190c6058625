"""The answer key of darknet-migration: Vendors who moved after the takedown

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, handle
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    """One row per pair of vendor accounts, one on a seized market and one on an active market, with the
    same PGP key; a vendor who never moved gives no row."""
    markets = g.nodes["Market"]
    on: dict[str, list[tuple[str, str]]] = {}
    for r in g.rels("VENDOR_ON", "Account", "Market"):
        on.setdefault(markets[r["e"]]["status"], []).append((r["s"], r["p"]["pgp"]))
    active: dict[str, set[str]] = {}
    for account, key in on.get("active", []):
        active.setdefault(key, set()).add(account)
    pairs = {(old, new) for old, key in on.get("seized", []) for new in active.get(key, ())}
    return Answer(Expected([(handle(g, old), handle(g, new)) for old, new in sorted(pairs)]))
