"""What a prompt promises, as named predicates over a scenario's graphs.

An exercise lists the guarantees its prompt relies on (`guarantees = [...]` in its TOML file): "one person
has the most message contacts", "exactly one non-member links two crews"... Everything else is left to
vary: the varied worlds of hidden scenarios (scenario.variation) keep every guarantee of every exercise of
their profile, and break every other habit of the generator. A guarantee says what is true of the data,
never how the generator made it, so it holds for any world the prompt fits.

A guarantee about a parameter (a person given by name, a wallet by address) checks the parameter that the
exercise's answer function chooses (exercises.answers): the two must agree, and they use the same helper.
An exercise about one organisation has its guarantees checked on the world focused on the organisation it
asks about there (answers.asked): "one member of $org has the most message contacts".
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

import networkx as nx

from ..scenario.graphs import ScenarioGraphs
from . import answers
from .answers import answer_for, asked, leader

CLEAR_MARGIN = 1.1  # a top score that a reimplementation (GDS) must find too leads the next by this factor


@dataclass(frozen=True)
class Guarantee:
    name: str
    promise: str  # what the prompt promises, in words
    holds: Callable[[ScenarioGraphs], bool]


REGISTRY: dict[str, Guarantee] = {}


def guarantee(name: str, promise: str):
    def register(func: Callable[[ScenarioGraphs], bool]):
        REGISTRY[name] = Guarantee(name, promise, func)
        return func
    return register


def clear_leader(scores: dict[str, float]) -> str | None:
    """The top key when it leads the second by CLEAR_MARGIN (and is above zero), else None."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] <= 0:
        return None
    if len(ranked) > 1 and ranked[0][1] < CLEAR_MARGIN * ranked[1][1]:
        return None
    return ranked[0][0]


# ---------------------------------------------------------------- who leads


@guarantee("unique-message-hub", "one known member of $org has more message contacts than any other")
def unique_message_hub(g: ScenarioGraphs) -> bool:
    return leader(answers.message_degrees(g)) is not None


@guarantee("unique-call-hub", "one known member of $org has call contact with more people than any other")
def unique_call_hub(g: ScenarioGraphs) -> bool:
    return leader(answers.call_degrees(g)) is not None


@guarantee("unique-most-followed", "one account has more followers than any other")
def unique_most_followed(g: ScenarioGraphs) -> bool:
    return leader(dict(g.follows.in_degree())) is not None


@guarantee("unique-stash-address", "one address has more slang posts within 200 metres than any other")
def unique_stash_address(g: ScenarioGraphs) -> bool:
    return leader(answers.stash_scores(g)) is not None


@guarantee("clear-pagerank-top", "one account leads PageRank on the follower network clearly (as networkx "
           "and as Graph Data Science compute it)")
def clear_pagerank_top(g: ScenarioGraphs) -> bool:
    first = clear_leader(answers.follower_pagerank(g))
    return first is not None and first == clear_leader(gds_pagerank(g.follows))


@guarantee("clear-betweenness-top", "one person leads betweenness in $org's network clearly, "
           "whether a contact counts once or once per message link")
def clear_betweenness_top(g: ScenarioGraphs) -> bool:
    org = g.org_network()
    first = clear_leader(answers.organisation_betweenness(g))
    return first is not None and first == clear_leader(multigraph_betweenness(org, message_links(g, org)))


# ---------------------------------------------------------------- roles the prompts name


@guarantee("unique-go-between", "exactly one person who is no known member of anything exchanges messages "
           "with known members of two different crews of $org")
def unique_go_between(g: ScenarioGraphs) -> bool:
    return len(g.go_betweens) == 1


@guarantee("go-between-named", "the go-between has a name nobody else has (it is given as a parameter)")
def go_between_named(g: ScenarioGraphs) -> bool:
    return answers.go_between(g) in g.unique_names


@guarantee("slang-as-words", "a post contains a slang term only as a word of its own, so that a term found "
           "anywhere in the text and a term found as a word are the same posts")
def slang_as_words(g: ScenarioGraphs) -> bool:
    words = [re.compile(rf"\b{re.escape(term)}\b") for term in g.terms]
    for post in g.nodes["Post"].values():
        text = post["text"].lower()
        if any(term in text for term in g.terms) != any(w.search(text) for w in words):
            return False
    return True


@guarantee("one-prison", "exactly one Location has type 'prison'")
def one_prison(g: ScenarioGraphs) -> bool:
    return len(answers.location_of_type(g, "prison")) == 1


@guarantee("seized-and-active-market", "there is a seized market and an active one")
def seized_and_active_market(g: ScenarioGraphs) -> bool:
    statuses = {row["status"] for row in g.nodes.get("Market", {}).values()}
    return {"seized", "active"} <= statuses


# ---------------------------------------------------------------- parameters that exist


@guarantee("org-named", "$org names one organisation: no other Organization node has its name")
def org_named(g: ScenarioGraphs) -> bool:
    if not g.org:
        return False
    name = g.org_name()
    return sum(row["name"] == name for row in g.nodes["Organization"].values()) == 1


@guarantee("common-contacts-pair", "two members of one crew of the organisation asked about, with names of "
           "their own, not in contact with each other, have a common message contact ($a and $b)")
def common_contacts_pair(g: ScenarioGraphs) -> bool:
    return answers.common_pair(g) is not None


@guarantee("path-pair", "two members of different crews of the organisation asked about, with names of "
           "their own, are linked through messages between accounts ($a and $b)")
def path_pair(g: ScenarioGraphs) -> bool:
    return answers.path_pair(g) is not None


@guarantee("signal-hub-named", "a member of the organisation asked about with a name of their own has "
           "message contacts ($hub)")
def signal_hub_named(g: ScenarioGraphs) -> bool:
    return answers.signal_hub(g) is not None


@guarantee("arrest-hub-named", "a member of a crew of $org with a name of their own has message contacts "
           "($hub)")
def arrest_hub_named(g: ScenarioGraphs) -> bool:
    return answers.arrested_hub(g) is not None


@guarantee("buyer-reaches-exchange", "a wallet that received nothing pays, through one or more payments, "
           "into an exchange; its address is its own, no money from it comes round to a wallet twice, and no "
           "wallet on its routes pays the same wallet twice (a route is its list of wallets)")
def buyer_reaches_exchange(g: ScenarioGraphs) -> bool:
    start = answers.buyer(g)
    if start is None:
        return False
    addresses = [row["address"] for row in g.nodes["Wallet"].values()]
    reachable = nx.descendants(g.money, start) | {start}
    payments = [(r["s"], r["e"]) for r in g.rels("SENT", "Wallet", "Wallet") if r["s"] in reachable]
    return (addresses.count(g.nodes["Wallet"][start]["address"]) == 1 and len(payments) == len(set(payments))
            and nx.is_directed_acyclic_graph(g.money.subgraph(reachable)))


# ---------------------------------------------------------------- checking a world


def unknown(names: Iterable[str]) -> list[str]:
    return sorted(set(names) - set(REGISTRY))


def broken(g: ScenarioGraphs, exercises, pick: int = 0) -> str | None:
    """The first promise these exercises make that `g` does not keep: a guarantee that fails (on the
    organisation the exercise asks about, chosen by `pick`), or an answer function that cannot compute its
    parameters and rows here. None when the world fits every prompt."""
    for exercise in exercises:
        view = asked(exercise, g, pick)
        if exercise.organisations and view.org is None:
            return f"{exercise.id}: no organisation it asks about"
        for name in exercise.guarantees:
            if not REGISTRY[name].holds(view):
                return f"{exercise.id}: {name}"
    for exercise in exercises:
        try:
            answer_for(exercise, g, pick)
        except (LookupError, TypeError, ValueError, ZeroDivisionError, nx.NetworkXException) as exc:
            return f"{exercise.id}: the answer function fails ({type(exc).__name__})"
    return None


# ---------------------------------------------------------------- what Graph Data Science computes


def gds_pagerank(graph: nx.DiGraph, damping: float = 0.85, iterations: int = 20,
                 tolerance: float = 1e-7) -> dict[str, float]:
    """PageRank as GDS computes it by default: scores start at 1 - damping, a node without followees keeps
    its rank to itself (it is not spread over everyone, as networkx does), at most 20 iterations."""
    nodes = sorted(graph)
    out = {n: graph.out_degree(n) for n in nodes}
    score = {n: 1 - damping for n in nodes}
    for _ in range(iterations):
        new = {n: (1 - damping) + damping * sum(score[u] / out[u] for u in graph.predecessors(n)) for n in nodes}
        change = max((abs(new[n] - score[n]) for n in nodes), default=0.0)
        score = new
        if change < tolerance:
            break
    return score


def message_links(g: ScenarioGraphs, network: nx.Graph) -> dict[tuple[str, str], int]:
    """Pairs of people in `network` -> how many MESSAGED relationships join their accounts."""
    links: dict[tuple[str, str], int] = {}
    for r in g.rels("MESSAGED", "Account", "Account"):
        a, b = g.owner.get(r["s"]), g.owner.get(r["e"])
        if a and b and a != b and network.has_edge(a, b):
            pair = (min(a, b), max(a, b))
            links[pair] = links.get(pair, 0) + 1
    return links


def multigraph_betweenness(network: nx.Graph, links: dict[tuple[str, str], int]) -> dict[str, float]:
    """Betweenness (Brandes) where two people joined by k relationships are joined by k shortest routes:
    what GDS computes on a projection that keeps every message link between two people."""
    def multiplicity(a: str, b: str) -> int:
        return links.get((min(a, b), max(a, b)), 1)

    score = {v: 0.0 for v in network}
    for source in sorted(network):
        order, preds = [], {v: [] for v in network}
        sigma = {v: 0 for v in network}
        dist = {v: -1 for v in network}
        sigma[source], dist[source] = 1, 0
        queue = deque([source])
        while queue:
            v = queue.popleft()
            order.append(v)
            for w in sorted(network[v]):
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v] * multiplicity(v, w)
                    preds[w].append(v)
        delta = {v: 0.0 for v in network}
        for w in reversed(order):
            for v in preds[w]:
                delta[v] += sigma[v] * multiplicity(v, w) / sigma[w] * (1 + delta[w])
            if w != source:
                score[w] += delta[w]
    return {v: s / 2 for v, s in score.items()}
