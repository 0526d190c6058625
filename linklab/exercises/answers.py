"""Answer keys, computed from the generated data with networkx: never by running the reference query.

Each exercise's answer function is in its folder (exercises/NN-ID/answer.py, loaded by
linklab.exercises.answer_files); this module holds what they share and `answer_for`, which calls one. Each takes
the scenario's graphs (or, for exercises/case/, the case network) and returns the parameters the exercise's prompt uses
(values a trainee can see in the database, such as a name) and the expected rows. It computes what the
prompt says, on any world that keeps the exercise's guarantees (exercises.guarantees), not what the
generator happens to plant: the varied worlds of hidden scenarios (variation) break every habit of the
generator that no prompt promises.

An exercise about one organisation (its `organisations` lists the kinds it may be asked about) reads the world
focused on the organisation `asked_org` chooses (ScenarioGraphs.focus): by the trainee's pick where one is
given, so that classmates get different organisations, else by the world's seed. Its `$org` parameter is
that organisation's name.
"""

from __future__ import annotations

import functools
import random
import zlib
from dataclasses import dataclass, field
from typing import Callable

import networkx as nx

from ..cases.network import CaseNetwork
from .answer_files import answer_function
from .rows import Expected
from ..scenario.graphs import ScenarioGraphs


@dataclass
class Answer:
    expected: Expected
    params: dict = field(default_factory=dict)


def once_per_graph(func):
    """`func(g)` computed once per ScenarioGraphs, for a costly result that a guarantee and an answer key
    both read (read it, never change it). Graphs are not changed once built: a varied world builds new ones
    after every edit (variation.world.World.touch), which is where checking promises costs most."""
    kept = f"_once_{func.__name__}"

    @functools.wraps(func)
    def once(g: ScenarioGraphs):
        if kept not in g.__dict__:
            g.__dict__[kept] = func(g)
        return g.__dict__[kept]

    return once


def top(scores: dict, k: int = 1, label: Callable[[object], object] = lambda key: key) -> Expected:
    """Top-k rows (label(key), score) with ties at the boundary allowed. Keys are what is ranked (people by
    id: two people may share a name), labels what the rows show."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))
    rows = [(label(key), score) for key, score in ranked[:k]]
    boundary = rows[-1][1]
    tied = [(label(key), score) for key, score in ranked if score == boundary]
    return Expected(rows, tied if len(tied) > 1 or len(ranked) > k and ranked[k][1] == boundary else [])


def name(g: ScenarioGraphs, person: str) -> str:
    return g.nodes["Person"][person]["name"]


def handle(g: ScenarioGraphs, account: str) -> str:
    return g.nodes["Account"][account]["handle"]


def crew_sets(g: ScenarioGraphs) -> list[tuple[str, set[str]]]:
    """Every crew of the organisation in focus with its known members: none for a crew nobody is known to
    belong to."""
    return [(g.nodes["Organization"][c]["name"], g.crew_members(c)) for c in g.crews]


# ---------------------------------------------------------------- which organisation an exercise asks about


def asked_org(exercise, g: ScenarioGraphs, pick: int = 0) -> str | None:
    """The organisation `exercise` asks about in world `g`: one of the kinds it lists, chosen by `pick` (a
    trainee's seed; 0: the world's own seed) and the exercise, so that one trainee meets several organisations
    and classmates different ones. None for an exercise about the whole world (or a world without such an
    organisation)."""
    kinds = tuple(exercise.organisations)
    if not kinds:
        return None
    found = sorted((o for o in g.organisations if g.kind_of(o) in kinds), key=lambda o: (kinds.index(g.kind_of(o)), o))
    if not found:
        return None
    choice = (pick or g.scenario.info.seed) + zlib.crc32(exercise.id.encode())
    return found[choice % len(found)]


def asked(exercise, g: ScenarioGraphs, pick: int = 0) -> ScenarioGraphs:
    """The world as `exercise` reads it: focused on the organisation it asks about (if any)."""
    return g.focus(asked_org(exercise, g, pick)) if exercise.organisations else g


def answer_for(exercise, g, pick: int = 0) -> Answer:
    """The answer key of `exercise` on world `g` (a generated world's graphs or a case network)."""
    if not isinstance(g, ScenarioGraphs):
        return answer_function(exercise)(g)
    view = asked(exercise, g, pick)
    if exercise.organisations and view.org is None:
        raise LookupError(f"no organisation of kind {', '.join(exercise.organisations)} in this world")
    found = answer_function(exercise)(view)
    if "org" in exercise.parameters:
        return Answer(found.expected, {"org": view.org_name(), **found.params})
    return found


def leader(scores: dict[str, float]) -> str | None:
    """The key with the strictly highest score, or None when two or more share it (or there is none)."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def most(scores: dict[str, float]) -> str:
    """The key with the highest score, the smallest key among equals (deterministic)."""
    return min(scores, key=lambda key: (-scores[key], key))


def ranked_people(g: ScenarioGraphs) -> set[str]:
    """Who an exercise about the hub ranks: the known members of the organisation in focus (everybody,
    unfocused)."""
    return g.org_members if g.org else set(g.nodes["Person"])


def message_degrees(g: ScenarioGraphs) -> dict[str, int]:
    """Message contacts of the people ranked (ranked_people)."""
    people = ranked_people(g)
    return {p: d for p, d in g.messaging.degree() if p in people}


def call_degrees(g: ScenarioGraphs) -> dict[str, int]:
    """Call contacts of the people ranked (ranked_people) who hold a phone."""
    people = ranked_people(g)
    return {p: d for p, d in g.calls.degree() if p in people}


def hub(g: ScenarioGraphs) -> str:
    """The person with the most message contacts (among the members of the organisation in focus; a unique
    one where the exercise guarantees it)."""
    return most(message_degrees(g))


def go_between(g: ScenarioGraphs) -> str | None:
    """The only non-member who exchanges messages with members of two different crews (None unless one)."""
    return g.go_betweens[0] if len(g.go_betweens) == 1 else None


# ---------------------------------------------------------------- parameters: people, wallets that exist
# A parameter names something the trainee looks up, so a person given by name has a name nobody else has.


def signal_hub(g: ScenarioGraphs) -> str | None:
    """weak-signals' $hub: of the people ranked (the organisation's members) with a name of their own, the one
    with the most message contacts."""
    degree = {p: d for p, d in message_degrees(g).items() if p in g.unique_names and d > 0}
    return most(degree) if degree else None


def arrested_hub(g: ScenarioGraphs) -> str | None:
    """arrest-cutoff's $hub: of the crew members with a name of their own, the one with the most contacts."""
    crew_members = set().union(*(m for _, m in crew_sets(g)))
    degree = {p: d for p, d in g.messaging.degree() if p in crew_members and p in g.unique_names and d > 0}
    return most(degree) if degree else None


def common_pair(g: ScenarioGraphs) -> tuple[str, str] | None:
    """common-contacts' $a and $b: two known members of one crew, each with a name of their own, not in
    contact with each other, with the most common contacts (one at least); the first such pair by id."""
    best = None
    for crew in g.crews:
        members = sorted(g.crew_members(crew) & g.unique_names)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if g.messaging.has_edge(a, b):
                    continue
                shared = len(set(g.messaging[a]) & set(g.messaging[b]))
                if shared and (best is None or shared > best[0]):
                    best = (shared, a, b)
    return best[1:] if best else None


def path_pair(g: ScenarioGraphs) -> tuple[str, str] | None:
    """path-hops' $a and $b, known members of different crews with names of their own, linked through
    messages: $a has the most accounts in message contact (so that the closest pair of accounts is not
    just any pair), $b is the last such member of another crew by id."""
    graph = g.account_messaging
    accounts: dict[str, list[str]] = {}
    for account, owner in sorted(g.owner.items()):
        if account in graph and owner in g.unique_names:
            accounts.setdefault(owner, []).append(account)
    crew_of: dict[str, set[str]] = {}
    for crew in g.crews:
        for person in g.crew_members(crew):
            crew_of.setdefault(person, set()).add(crew)
    candidates = sorted(p for p in accounts if p in crew_of)
    for a in sorted(candidates, key=lambda p: (-len(accounts[p]), p)):
        reach = set().union(*(nx.node_connected_component(graph, x) for x in accounts[a]))
        others = [b for b in candidates if not crew_of[b] & crew_of[a] and reach & set(accounts[b])]
        if others:
            return a, others[-1]
    return None


def buyers(g: ScenarioGraphs) -> list[str]:
    """Wallets that received nothing and pay towards an exchange, by id."""
    exchanges = exchange_wallets(g)
    return [w for w in sorted(g.money) if w not in exchanges and g.money.in_degree(w) == 0
            and any(nx.has_path(g.money, w, x) for x in exchanges)]


def exchange_wallets(g: ScenarioGraphs) -> set[str]:
    return {w for w, row in g.nodes.get("Wallet", {}).items() if row.get("exchange")}


def cash_routes(g: ScenarioGraphs, start: str) -> list[list[str]]:
    """Every route of payments from `start` that ends at the first exchange it reaches."""
    exchanges = exchange_wallets(g)
    stopped = g.money.copy()
    stopped.remove_edges_from([e for e in g.money.edges() if e[0] in exchanges])  # cashed out: no further
    return sorted(p for x in sorted(exchanges) for p in nx.all_simple_paths(stopped, start, x))


@once_per_graph
def buyer(g: ScenarioGraphs) -> str | None:
    """money-trail's $buyer: of the buyers, the one with the most routes to cash (then the first by id)."""
    found = buyers(g)
    return min(found, key=lambda w: (-len(cash_routes(g, w)), w)) if found else None


# ---------------------------------------------------------------- first steps


# ---------------------------------------------------------------- relationships


def crew_graph(g: ScenarioGraphs, members: set[str]) -> nx.Graph:
    return g.messaging.subgraph(members).copy()


# ---------------------------------------------------------------- aliases, places, weak signals


def location_of_type(g: ScenarioGraphs, kind: str) -> list[dict]:
    return [row for _, row in sorted(g.nodes["Location"].items()) if row["type"] == kind]


def slang_near(g: ScenarioGraphs, kind: str, metres: float) -> dict[str, int]:
    """Location id -> slang posts within `metres`, for every location of `kind`."""
    return {loc["id"]: sum(g.is_slang(p["text"]) for _, p in g.posts_within(loc["latitude"], loc["longitude"], metres))
            for loc in location_of_type(g, kind)}


@once_per_graph
def stash_scores(g: ScenarioGraphs) -> dict[str, int]:
    """Address -> slang posts within 200 metres (the stash house's exercise and its guarantee)."""
    return slang_near(g, "address", 200)


def slang_counts(g: ScenarioGraphs) -> dict[str, int]:
    return {a: sum(g.is_slang(p["text"]) for p in posts) for a, posts in g.posts_by_account.items()}


# ---------------------------------------------------------------- centrality, darknet, money, disruption


@once_per_graph
def follower_pagerank(g: ScenarioGraphs) -> dict[str, float]:
    """networkx's PageRank of the follower network."""
    return nx.pagerank(g.follows)


@once_per_graph
def organisation_betweenness(g: ScenarioGraphs) -> dict[str, float]:
    """Betweenness (not normalised) in the organisation's network, a contact counted once."""
    return nx.betweenness_centrality(g.org_network(), normalized=False)


def reach_of(graph: nx.Graph, start: str) -> set[str]:
    return nx.node_connected_component(graph, start) if start in graph else set()


# ---------------------------------------------------------------- any imported case network
# These read a CaseNetwork (linklab.cases.network) instead of a generated scenario. A hidden variant
# picks its parameters so that a number copied from the answer on the case as imported is wrong there.


def case_top(case: CaseNetwork, scores: dict[str, float], k: int) -> Expected:
    return top(scores, k, label=case.name_of)


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


def ranked_by_contacts(case: CaseNetwork) -> list[str]:
    """People by contacts, most first; ties go to the name that sorts first (as the case prompts say)."""
    return [p for p, _ in sorted(case.graph.degree(), key=lambda pd: (-pd[1], case.name_of(pd[0])))]


def left_after(case: CaseNetwork, arrested: list[str]) -> tuple[int, int]:
    rest = case.graph.copy()
    rest.remove_nodes_from(arrested)
    largest = max((len(c) for c in nx.connected_components(rest)), default=0)
    return largest, rest.number_of_nodes() - largest


def after_arrests(case: CaseNetwork, k: int) -> tuple[int, int]:
    """(size of the largest group left, people left outside it) once the k most connected are arrested."""
    return left_after(case, ranked_by_contacts(case)[:k])


def tie_decides(case: CaseNetwork, k: int) -> bool:
    """Whether the k-th and the next share their number of contacts and arresting the other one of them
    leaves other numbers: only the prompt's tie rule gives the right answer."""
    ranked = ranked_by_contacts(case)
    if len(ranked) <= k or case.graph.degree(ranked[k - 1]) != case.graph.degree(ranked[k]):
        return False
    return left_after(case, ranked[:k - 1] + [ranked[k]]) != after_arrests(case, k)


def arrest_count(case: CaseNetwork) -> int:
    return 3 if case.graph.number_of_nodes() >= 10 else 1


