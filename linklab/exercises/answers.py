"""Answer keys, computed from the generated data with networkx: never by running the reference query.

Each function takes the scenario's graphs and returns the parameters the exercise's prompt uses
(values a trainee can see in the database, such as a name) and the expected rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

import networkx as nx

from ..cases.network import CaseNetwork
from ..grade.compare import Expected
from ..scenario.graphs import ScenarioGraphs


@dataclass
class Answer:
    expected: Expected
    params: dict = field(default_factory=dict)


REGISTRY: dict[str, Callable[[ScenarioGraphs], Answer] | Callable[[CaseNetwork], Answer]] = {}


def answer(func):
    REGISTRY[func.__name__] = func
    return func


def top(scores: dict, k: int = 1) -> Expected:
    """Top-k rows (key, score) with ties at the boundary allowed."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))
    rows = [tuple(r) for r in ranked[:k]]
    boundary = rows[-1][1]
    tied = [tuple(r) for r in ranked if r[1] == boundary]
    return Expected(rows, tied if len(tied) > 1 or len(ranked) > k and ranked[k][1] == boundary else [])


def name(g: ScenarioGraphs, person: str) -> str:
    return g.nodes["Person"][person]["name"]


def handle(g: ScenarioGraphs, account: str) -> str:
    return g.nodes["Account"][account]["handle"]


def crew_sets(g: ScenarioGraphs) -> list[tuple[str, set[str]]]:
    return [(g.nodes["Organization"][c]["name"], g.members[c]) for c in g.crews]


def hub(g: ScenarioGraphs) -> str:
    degrees = dict(g.messaging.degree())
    return max(sorted(degrees), key=degrees.get)


def broker(g: ScenarioGraphs) -> str:
    (_, a), (_, b) = crew_sets(g)
    found = [p for p in sorted(g.messaging) if p not in g.known_members
             and a & set(g.messaging[p]) and b & set(g.messaging[p])]
    return found[0]


# ---------------------------------------------------------------- first steps


@answer
def crews(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(crew, len(members)) for crew, members in crew_sets(g)]))


@answer
def member_accounts(g: ScenarioGraphs) -> Answer:
    accounts: dict[str, list[str]] = {}
    for account, person in g.owner.items():
        accounts.setdefault(person, []).append(account)
    return Answer(Expected([(crew, name(g, p), handle(g, a)) for crew, members in crew_sets(g)
                            for p in members for a in accounts.get(p, [])]))


@answer
def hub_messages(g: ScenarioGraphs) -> Answer:
    return Answer(top({name(g, p): d for p, d in g.messaging.degree()}))


@answer
def hub_calls(g: ScenarioGraphs) -> Answer:
    return Answer(top({name(g, p): d for p, d in g.calls.degree()}))


@answer
def influencer_followers(g: ScenarioGraphs) -> Answer:
    return Answer(top({handle(g, a): d for a, d in g.follows.in_degree()}))


@answer
def family_ties(g: ScenarioGraphs) -> Answer:
    rows = [(name(g, r["s"]), name(g, r["e"]), r["p"]["relation"])
            for r in g.rels("FAMILY_OF", "Person", "Person")
            if r["s"] in g.known_members and r["e"] not in g.known_members]
    return Answer(Expected(rows))


@answer
def three_platforms(g: ScenarioGraphs) -> Answer:
    platforms: dict[str, set[str]] = {}
    for account, person in g.owner.items():
        platforms.setdefault(person, set()).add(g.nodes["Account"][account]["platform"])
    return Answer(Expected([(name(g, p), len(s)) for p, s in platforms.items() if len(s) >= 3]))


# ---------------------------------------------------------------- relationships


def common_pair(g: ScenarioGraphs) -> tuple[str, str]:
    """Two members of the second crew with the most common contacts (at least one)."""
    members = sorted(crew_sets(g)[1][1] & set(g.messaging))
    pairs = [(len(set(g.messaging[a]) & set(g.messaging[b])), a, b)
             for i, a in enumerate(members) for b in members[i + 1:]]
    best = max(pairs, key=lambda t: (t[0], t[1], t[2]))
    return best[1], best[2]


@answer
def common_contacts(g: ScenarioGraphs) -> Answer:
    a, b = common_pair(g)
    common = set(g.messaging[a]) & set(g.messaging[b])
    return Answer(Expected([(name(g, p),) for p in common]), {"a": name(g, a), "b": name(g, b)})


@answer
def second_degree(g: ScenarioGraphs) -> Answer:
    start = broker(g)
    direct = set(g.messaging[start])
    second = {q for p in direct for q in g.messaging[p]} - direct - {start}
    return Answer(Expected([(name(g, p),) for p in second]), {"name": name(g, start)})


def path_pair(g: ScenarioGraphs) -> tuple[str, str]:
    """In the first crew the member with the most accounts in message contact (a pair of accounts is
    not the closest pair), in the second the last member by id with one; ties go to the last by id."""
    (_, a), (_, b) = crew_sets(g)
    accounts = {}
    for x, owner in g.owner.items():
        if x in g.account_messaging:
            accounts[owner] = accounts.get(owner, 0) + 1
    first = max(sorted(p for p in a if p in accounts), key=lambda p: accounts[p])
    return first, sorted(p for p in b if p in accounts)[-1]


@answer
def path_hops(g: ScenarioGraphs) -> Answer:
    a, b = path_pair(g)
    graph = g.account_messaging
    accounts = {p: [x for x, owner in g.owner.items() if owner == p and x in graph] for p in (a, b)}
    hops = min(nx.shortest_path_length(graph, x, y) for x in accounts[a] for y in accounts[b])
    return Answer(Expected([(hops,)]), {"a": name(g, a), "b": name(g, b)})


def crew_graph(g: ScenarioGraphs, members: set[str]) -> nx.Graph:
    return g.messaging.subgraph(members).copy()


@answer
def crew_triangles(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(crew, sum(nx.triangles(crew_graph(g, m)).values()) // 3)
                            for crew, m in crew_sets(g)]))


@answer
def crew_density(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(crew, round(nx.density(crew_graph(g, m)), 6)) for crew, m in crew_sets(g)]))


@answer
def crew_survives_arrest(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(crew,) for crew, m in crew_sets(g)
                            if len(m) >= 3 and nx.is_biconnected(crew_graph(g, m))]))


@answer
def broker_both_crews(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(name(g, broker(g)),)]))


@answer
def hub_vs_broker(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(name(g, hub(g)), name(g, broker(g)))]))


# ---------------------------------------------------------------- aliases, places, weak signals


@answer
def alias_unmask(g: ScenarioGraphs) -> Answer:
    holder = {r["e"]: r["s"] for r in g.rels("HAS_PHONE", "Person", "Phone")}
    holder.update({r["e"]: r["s"] for r in g.rels("HAS_EMAIL", "Person", "Email")})
    rows = {(handle(g, r["s"]), name(g, holder[r["e"]]))
            for key in (("REGISTERED_WITH", "Account", "Phone"), ("REGISTERED_WITH", "Account", "Email"))
            for r in g.rels(*key) if r["s"] not in g.owner and r["e"] in holder}
    return Answer(Expected(sorted(rows)))


def location_of_type(g: ScenarioGraphs, kind: str) -> list[dict]:
    return [row for row in g.nodes["Location"].values() if row["type"] == kind]


@answer
def prison_poster(g: ScenarioGraphs) -> Answer:
    prison = location_of_type(g, "prison")[0]
    found = {handle(g, a) for a, _ in g.posts_within(prison["latitude"], prison["longitude"], 500)}
    return Answer(Expected([(h,) for h in found]))


@answer
def stash_house(g: ScenarioGraphs) -> Answer:
    scores = {}
    for loc in location_of_type(g, "address"):
        near = g.posts_within(loc["latitude"], loc["longitude"], 200)
        scores[loc["name"]] = sum(g.is_slang(p["text"]) for _, p in near)
    return Answer(top(scores))


def slang_counts(g: ScenarioGraphs) -> dict[str, int]:
    return {a: sum(g.is_slang(p["text"]) for p in posts) for a, posts in g.posts_by_account.items()}


@answer
def slang_accounts(g: ScenarioGraphs) -> Answer:
    return Answer(Expected([(handle(g, a), n) for a, n in slang_counts(g).items() if n >= 3]))


@answer
def weak_signals(g: ScenarioGraphs) -> Answer:
    the_hub = hub(g)
    hub_accounts = {a for a, p in g.owner.items() if p == the_hub}
    contacts = set()
    for r in g.rels("MESSAGED", "Account", "Account"):
        if r["s"] in hub_accounts:
            contacts.add(r["e"])
        if r["e"] in hub_accounts:
            contacts.add(r["s"])
    slang = slang_counts(g)
    rows = [(handle(g, a),) for a in contacts - hub_accounts if slang.get(a, 0) >= 1
            and any("latitude" in p for p in g.posts_by_account.get(a, []))]
    return Answer(Expected(rows), {"hub": name(g, the_hub)})


# ---------------------------------------------------------------- centrality, darknet, money, disruption


@answer
def influencer_pagerank(g: ScenarioGraphs) -> Answer:
    ranks = nx.pagerank(g.follows)
    best = max(sorted(ranks), key=ranks.get)
    return Answer(Expected([(handle(g, best),)]))


@answer
def betweenness_gds(g: ScenarioGraphs) -> Answer:
    scores = nx.betweenness_centrality(g.org_network(), normalized=False)
    best = max(sorted(scores), key=scores.get)
    return Answer(Expected([(name(g, best),)]))


@answer
def darknet_migration(g: ScenarioGraphs) -> Answer:
    markets = g.nodes["Market"]
    on: dict[str, list[tuple[str, str]]] = {"seized": [], "active": []}
    for r in g.rels("VENDOR_ON", "Account", "Market"):
        on[markets[r["e"]]["status"]].append((r["s"], r["p"]["pgp"]))
    active = {}
    for account, key in on["active"]:
        active.setdefault(key, []).append(account)
    return Answer(Expected([(handle(g, old), handle(g, new)) for old, key in on["seized"]
                            for new in active.get(key, [])]))


@answer
def money_trail(g: ScenarioGraphs) -> Answer:
    wallets = g.nodes["Wallet"]
    exchanges = [w for w, row in wallets.items() if row.get("exchange")]
    buyer = sorted(w for w in wallets if g.money.in_degree(w) == 0 and g.money.out_degree(w) == 1
                   and any(nx.has_path(g.money, w, x) for x in exchanges))[0]
    paths = [p for x in exchanges for p in nx.all_simple_paths(g.money, buyer, x)]
    return Answer(Expected([(tuple(wallets[w]["address"] for w in p),) for p in paths]),
                  {"buyer": wallets[buyer]["address"]})


@answer
def arrest_cutoff(g: ScenarioGraphs) -> Answer:
    org = g.org_network()
    the_hub, the_broker = hub(g), broker(g)
    org.remove_node(the_hub)
    reach = nx.node_connected_component(org, the_broker)
    crew_members = set().union(*(m for _, m in crew_sets(g)))
    cut = [m for m in crew_members if m != the_hub and m not in reach]
    return Answer(Expected([(len(cut),)]), {"hub": name(g, the_hub)})


# ---------------------------------------------------------------- any imported case network
# These read a CaseNetwork (linklab.cases.network) instead of a generated scenario. A hidden variant
# picks its parameters so that a number copied from the answer on the case as imported is wrong there.


def case_top(case: CaseNetwork, scores: dict[str, float], k: int) -> Expected:
    return top({case.name_of(p): s for p, s in scores.items()}, k)


@answer
def case_degree(case: CaseNetwork) -> Answer:
    return Answer(case_top(case, dict(case.graph.degree()), min(5, case.graph.number_of_nodes())))


@answer
def case_betweenness(case: CaseNetwork) -> Answer:
    scores = {p: round(s, 6) for p, s in nx.betweenness_centrality(case.graph, normalized=False).items()}
    best = case_top(case, scores, 1)
    return Answer(Expected([r[:1] for r in best.rows], [r[:1] for r in best.tied]))


def largest_component(graph: nx.Graph) -> list[str]:
    return sorted(max(nx.connected_components(graph), key=lambda c: (len(c), sorted(c)[0])))


def case_path_pair(case: CaseNetwork, avoid: int | None) -> tuple[str, str, int]:
    """Two people of the largest connected group: far apart on the case as imported; on a hidden variant,
    at a distance other than `avoid` where the network allows it."""
    rng = random.Random(case.digest)
    a = rng.choice(largest_component(case.graph))
    distance = nx.single_source_shortest_path_length(case.graph, a)
    others = sorted((d, p) for p, d in distance.items() if d >= 1)
    if avoid is None:
        farthest = others[-1][0]
        b = rng.choice([p for d, p in others if d == farthest])
    else:
        b = rng.choice([p for d, p in others if d != avoid] or [p for _, p in others])
    return a, b, distance[b]


@answer
def case_path(case: CaseNetwork) -> Answer:
    avoid = case_path_pair(case.base, None)[2] if case.base else None
    a, b, hops = case_path_pair(case, avoid)
    return Answer(Expected([(hops,)]), {"a": case.name_of(a), "b": case.name_of(b)})


def after_arrests(case: CaseNetwork, k: int) -> tuple[int, int]:
    """(size of the largest group left, people left outside it) once the k most connected are arrested."""
    ranked = sorted(case.graph.degree(), key=lambda pd: (-pd[1], case.name_of(pd[0])))
    rest = case.graph.copy()
    rest.remove_nodes_from(p for p, _ in ranked[:k])
    largest = max((len(c) for c in nx.connected_components(rest)), default=0)
    return largest, rest.number_of_nodes() - largest


def arrest_count(case: CaseNetwork) -> int:
    return 3 if case.graph.number_of_nodes() >= 10 else 1


@answer
def case_arrest(case: CaseNetwork) -> Answer:
    k = arrest_count(case)
    if case.base:
        avoid = after_arrests(case.base, arrest_count(case.base))
        choices = [n for n in range(1, 6) if n < case.graph.number_of_nodes() - 1]
        random.Random(case.digest).shuffle(choices)
        k = next((n for n in choices if after_arrests(case, n) != avoid), k)
    return Answer(Expected([after_arrests(case, k)]), {"k": k})
