"""The answer key of weak-signals: Combining weak signals

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, handle, name, signal_hub, slang_counts
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    """Accounts in message contact with an account of $hub (not $hub's own), with a slang post and a post
    that carries coordinates (not necessarily the same post; a place it is tagged at does not count)."""
    the_hub = signal_hub(g)
    hub_accounts = {a for a, p in g.owner.items() if p == the_hub}
    contacts = set()
    for r in g.rels("MESSAGED", "Account", "Account"):
        if r["s"] in hub_accounts:
            contacts.add(r["e"])
        if r["e"] in hub_accounts:
            contacts.add(r["s"])
    slang = slang_counts(g)
    rows = [(handle(g, a),) for a in sorted(contacts - hub_accounts) if slang.get(a, 0) >= 1
            and any("latitude" in p for p in g.posts_by_account.get(a, []))]
    return Answer(Expected(rows), {"hub": name(g, the_hub)})
