"""The generated data as networkx graphs: an independent route to every answer (no Cypher, no Neo4j).

Answer keys and the ground-truth checks compute here what trainees compute in the database, so a
mistake in a reference query and a mistake in the generator cannot hide each other.

A world holds several organisations. An exercise about one of them reads the world through `focus(org)`: the
same data and graphs, with the crews, members, go-between and network of that organisation. Unfocused, the
crews are every crew and the members everybody with a MEMBER_OF relationship.
"""

from __future__ import annotations

import math
from functools import cached_property

import networkx as nx

from .builder import distance_m
from .model import Scenario


def shared(func):
    """A property computed once per world and shared by every focused view of it."""
    name = func.__name__

    def get(self):
        cache = self.base.__dict__.setdefault("_shared", {})
        if name not in cache:
            cache[name] = func(self.base)
        return cache[name]

    get.__doc__ = func.__doc__
    return property(get)


class ScenarioGraphs:
    def __init__(self, scenario: Scenario, org: str | None = None, base: ScenarioGraphs | None = None):
        self.scenario = scenario
        self.org = org  # the organisation an exercise asks about (an Organization id), or None: the whole world
        self.base = base or self

    def focus(self, org: str | None) -> ScenarioGraphs:
        """This world as an exercise about organisation `org` reads it (None: the whole world)."""
        return ScenarioGraphs(self.scenario, org, self.base)

    @shared
    def data(self) -> tuple[dict, dict]:
        nodes: dict[str, dict[str, dict]] = {}
        rels: dict[tuple[str, str, str], list[dict]] = {}
        for chunk in self.scenario.chunks():
            for label, rows in chunk.nodes.items():
                bucket = nodes.setdefault(label, {})
                for row in rows:
                    bucket[row["id"]] = row
            for key, rows in chunk.rels.items():
                rels.setdefault(key, []).extend(rows)
        return nodes, rels

    @property
    def nodes(self) -> dict[str, dict[str, dict]]:
        return self.data[0]

    def rels(self, rel_type: str, start: str, end: str) -> list[dict]:
        return self.data[1].get((rel_type, start, end), [])

    # -- people and their accounts
    @shared
    def owner(self) -> dict[str, str]:
        """Attributed account id -> person id (USES)."""
        return {r["e"]: r["s"] for r in self.rels("USES", "Person", "Account")}

    @shared
    def members(self) -> dict[str, set[str]]:
        """Organization id -> ids of its known members (a direct MEMBER_OF relationship)."""
        out: dict[str, set[str]] = {}
        for r in self.rels("MEMBER_OF", "Person", "Organization"):
            out.setdefault(r["e"], set()).add(r["s"])
        return out

    @shared
    def organisations(self) -> list[str]:
        """The organisations (kind 'organisation'), by id."""
        return sorted(o for o, row in self.nodes["Organization"].items() if row["kind"] == "organisation")

    @shared
    def all_crews(self) -> list[str]:
        return sorted(o for o, row in self.nodes["Organization"].items() if row["kind"] == "crew")

    @shared
    def parent(self) -> dict[str, set[str]]:
        """Organization id -> the organisations it is PART_OF."""
        out: dict[str, set[str]] = {}
        for r in self.rels("PART_OF", "Organization", "Organization"):
            out.setdefault(r["s"], set()).add(r["e"])
        return out

    def crews_of(self, org: str) -> list[str]:
        """The crews that are PART_OF `org`, by id."""
        return [c for c in self.all_crews if org in self.parent.get(c, set())]

    def members_of(self, org: str) -> set[str]:
        """The known members of `org`: a MEMBER_OF relationship to it or to one of its crews."""
        return set(self.members.get(org, set())).union(*(self.crew_members(c) for c in self.crews_of(org)))

    @property
    def crews(self) -> list[str]:
        """The crews of the organisation in focus (every crew, unfocused)."""
        return self.crews_of(self.org) if self.org else self.all_crews

    @shared
    def known_members(self) -> set[str]:
        """Everybody with a MEMBER_OF relationship (to anything)."""
        return set().union(*self.members.values()) if self.members else set()

    @cached_property
    def org_members(self) -> set[str]:
        """The known members of the organisation in focus (everybody's, unfocused)."""
        return self.members_of(self.org) if self.org else self.known_members

    def crew_members(self, crew: str) -> set[str]:
        """A crew's known members: none for a crew that intelligence has named without knowing anyone."""
        return self.members.get(crew, set())

    def org_name(self) -> str:
        return self.nodes["Organization"][self.org]["name"]

    def kind_of(self, org: str) -> str | None:
        """The design's kind of an organisation (what the generator built; never in the database)."""
        return next((o.kind for o in self.scenario.truth.organisations if o.id == org), None)

    def go_betweens_of(self, org: str) -> list[str]:
        """People who are not known members (of anything) but exchange messages with known members of two or
        more different crews of `org`, sorted by id."""
        crew_of: dict[str, set[str]] = {}
        for crew in self.crews_of(org):
            for person in self.crew_members(crew):
                crew_of.setdefault(person, set()).add(crew)
        found = []
        for person in sorted(self.messaging):
            if person in self.known_members:
                continue
            reached = set().union(*(crew_of.get(q, set()) for q in self.messaging[person]))
            if len(reached) >= 2:
                found.append(person)
        return found

    @cached_property
    def go_betweens(self) -> list[str]:
        """The go-betweens of the organisation in focus; unfocused, of any organisation (sorted by id)."""
        if self.org:
            return self.go_betweens_of(self.org)
        return sorted({p for org in self.organisations for p in self.go_betweens_of(org)})

    @shared
    def unique_names(self) -> set[str]:
        """Ids of the people whose name nobody else has (a name given as a parameter must be one of these)."""
        seen: dict[str, int] = {}
        for row in self.nodes["Person"].values():
            seen[row["name"]] = seen.get(row["name"], 0) + 1
        return {p for p, row in self.nodes["Person"].items() if seen[row["name"]] == 1}

    @shared
    def messaging(self) -> nx.Graph:
        """Person contact graph from messages between attributed accounts (undirected)."""
        return contact_graph(self.rels("MESSAGED", "Account", "Account"), self.owner, self.nodes["Person"])

    @shared
    def account_messaging(self) -> nx.Graph:
        graph = nx.Graph()
        graph.add_edges_from((r["s"], r["e"]) for r in self.rels("MESSAGED", "Account", "Account"))
        return graph

    @shared
    def calls(self) -> nx.Graph:
        """Person contact graph from calls between the phones people hold (undirected)."""
        phone_owner = {r["e"]: r["s"] for r in self.rels("HAS_PHONE", "Person", "Phone")}
        return contact_graph(self.rels("CALLED", "Phone", "Phone"), phone_owner)

    @shared
    def follows(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes["Account"])
        graph.add_edges_from((r["s"], r["e"]) for r in self.rels("FOLLOWS", "Account", "Account"))
        return graph

    @shared
    def money(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes.get("Wallet", {}))
        graph.add_edges_from((r["s"], r["e"]) for r in self.rels("SENT", "Wallet", "Wallet"))
        return graph

    def network_of(self, org: str | None) -> nx.Graph:
        """An organisation's network: its known members plus every other person in message contact with two or
        more of them, and the message contacts among these people. For None: the whole criminal core (everybody
        with a MEMBER_OF relationship, and everyone in contact with two or more of them)."""
        members = self.members_of(org) if org else self.known_members
        keep = set(members) & set(self.messaging)
        for person in self.messaging:
            if person not in members and len(members.intersection(self.messaging[person])) >= 2:
                keep.add(person)
        return self.messaging.subgraph(keep).copy()

    def org_network(self) -> nx.Graph:
        """The network of the organisation in focus (unfocused: the whole criminal core)."""
        return self.network_of(self.org)

    # -- posts
    @shared
    def posts_by_account(self) -> dict[str, list[dict]]:
        posts = self.nodes["Post"]
        out: dict[str, list[dict]] = {}
        for r in self.rels("POSTED", "Account", "Post"):
            out.setdefault(r["s"], []).append(posts[r["e"]])
        return out

    @shared
    def terms(self) -> list[str]:
        return [row["term"].lower() for row in self.nodes["Term"].values()]

    def is_slang(self, text: str) -> bool:
        lowered = text.lower()
        return any(term in lowered for term in self.terms)

    def posts_within(self, lat: float, lon: float, metres: float) -> list[tuple[str, dict]]:
        """(account id, post) for every geotagged post within `metres`."""
        return [(account, post) for account, posts in self.posts_by_account.items() for post in posts
                if "latitude" in post and distance_m(lat, lon, post["latitude"], post["longitude"]) <= metres]


def contact_graph(rows: list[dict], owner: dict[str, str], people=()) -> nx.Graph:
    """People linked when things they own (accounts, phones) are linked by one of `rows`."""
    graph = nx.Graph()
    graph.add_nodes_from(people)
    for r in rows:
        a, b = owner.get(r["s"]), owner.get(r["e"])
        if a and b and a != b:
            graph.add_edge(a, b)
    return graph


def top_two(scores: dict) -> tuple[tuple, tuple]:
    """((best key, best score), (second key, second score)) by score, ties broken by key."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[0], ranked[1] if len(ranked) > 1 else (None, -math.inf)
