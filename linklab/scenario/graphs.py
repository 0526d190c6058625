"""The generated data as networkx graphs: an independent route to every answer (no Cypher, no Neo4j).

Answer keys and the ground-truth checks compute here what trainees compute in the database, so a
mistake in a reference query and a mistake in the generator cannot hide each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from .builder import distance_m
from .model import Scenario


@dataclass
class ScenarioGraphs:
    scenario: Scenario

    @cached_property
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
    @cached_property
    def owner(self) -> dict[str, str]:
        """Attributed account id -> person id (USES)."""
        return {r["e"]: r["s"] for r in self.rels("USES", "Person", "Account")}

    @cached_property
    def members(self) -> dict[str, set[str]]:
        """Organization id -> ids of its known members."""
        out: dict[str, set[str]] = {}
        for r in self.rels("MEMBER_OF", "Person", "Organization"):
            out.setdefault(r["e"], set()).add(r["s"])
        return out

    @cached_property
    def crews(self) -> list[str]:
        return sorted(o for o, row in self.nodes["Organization"].items() if row["kind"] == "crew")

    @cached_property
    def known_members(self) -> set[str]:
        return set().union(*self.members.values()) if self.members else set()

    def crew_members(self, crew: str) -> set[str]:
        """A crew's known members: none for a crew that intelligence has named without knowing anyone."""
        return self.members.get(crew, set())

    @cached_property
    def go_betweens(self) -> list[str]:
        """People who are not known members (of anything) but exchange messages with known members of two or
        more different crews, sorted by id."""
        crew_of: dict[str, set[str]] = {}
        for crew in self.crews:
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
    def unique_names(self) -> set[str]:
        """Ids of the people whose name nobody else has (a name given as a parameter must be one of these)."""
        seen: dict[str, int] = {}
        for row in self.nodes["Person"].values():
            seen[row["name"]] = seen.get(row["name"], 0) + 1
        return {p for p, row in self.nodes["Person"].items() if seen[row["name"]] == 1}

    @cached_property
    def messaging(self) -> nx.Graph:
        """Person contact graph from messages between attributed accounts (undirected)."""
        return contact_graph(self.rels("MESSAGED", "Account", "Account"), self.owner, self.nodes["Person"])

    @cached_property
    def account_messaging(self) -> nx.Graph:
        graph = nx.Graph()
        graph.add_edges_from((r["s"], r["e"]) for r in self.rels("MESSAGED", "Account", "Account"))
        return graph

    @cached_property
    def calls(self) -> nx.Graph:
        """Person contact graph from calls between the phones people hold (undirected)."""
        phone_owner = {r["e"]: r["s"] for r in self.rels("HAS_PHONE", "Person", "Phone")}
        return contact_graph(self.rels("CALLED", "Phone", "Phone"), phone_owner)

    @cached_property
    def follows(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes["Account"])
        graph.add_edges_from((r["s"], r["e"]) for r in self.rels("FOLLOWS", "Account", "Account"))
        return graph

    @cached_property
    def money(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes.get("Wallet", {}))
        graph.add_edges_from((r["s"], r["e"]) for r in self.rels("SENT", "Wallet", "Wallet"))
        return graph

    def org_network(self) -> nx.Graph:
        """Known members plus every non-member in message contact with two or more members."""
        members = self.known_members
        keep = set(members) & set(self.messaging)
        for person in self.messaging:
            if person not in members and len(members.intersection(self.messaging[person])) >= 2:
                keep.add(person)
        return self.messaging.subgraph(keep).copy()

    # -- posts
    @cached_property
    def posts_by_account(self) -> dict[str, list[dict]]:
        posts = self.nodes["Post"]
        out: dict[str, list[dict]] = {}
        for r in self.rels("POSTED", "Account", "Post"):
            out.setdefault(r["s"], []).append(posts[r["e"]])
        return out

    @cached_property
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
