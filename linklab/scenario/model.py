"""The scenario as plain data: what the database will hold (observable), and what only the generator knows.

Node rows are dicts with a unique `id` (the stable key, per label). Relationship rows are
`{"s": start id, "e": end id, "p": {properties}}`. Times are ISO-8601 strings (the loader makes them
Neo4j datetimes); coordinates are rounded to 6 decimals so the canonical export is byte-stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

# Observable schema: label -> properties a node may carry (the ground-truth test checks this list).
NODE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "Organization": ("id", "name", "kind"),
    "Person": ("id", "name", "born", "nationality"),
    "Account": ("id", "handle", "platform", "created"),
    "Phone": ("id", "number"),
    "Email": ("id", "address"),
    "Location": ("id", "name", "type", "latitude", "longitude"),
    "Post": ("id", "text", "time", "latitude", "longitude"),
    "Market": ("id", "name", "status", "seized"),
    "Wallet": ("id", "address", "chain", "exchange"),
    "Term": ("id", "term", "meaning", "language"),
}
NODE_LABELS = tuple(NODE_PROPERTIES)

# (type, start label, end label) -> relationship properties. Order = load order.
REL_SPECS: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("PART_OF", "Organization", "Organization"): (),
    ("MEMBER_OF", "Person", "Organization"): (),
    ("USES", "Person", "Account"): (),
    ("HAS_PHONE", "Person", "Phone"): (),
    ("HAS_EMAIL", "Person", "Email"): (),
    ("REGISTERED_WITH", "Account", "Phone"): (),
    ("REGISTERED_WITH", "Account", "Email"): (),
    ("FOLLOWS", "Account", "Account"): ("since",),
    ("MESSAGED", "Account", "Account"): ("count", "first", "last"),
    ("CALLED", "Phone", "Phone"): ("count", "first", "last"),
    ("POSTED", "Account", "Post"): (),
    ("TAGGED_AT", "Post", "Location"): (),
    ("MENTIONS", "Post", "Account"): (),
    ("FAMILY_OF", "Person", "Person"): ("relation",),
    ("LIVES_AT", "Person", "Location"): (),
    ("DETAINED_AT", "Person", "Location"): ("since",),
    ("VENDOR_ON", "Account", "Market"): ("pgp", "since", "until"),
    ("CONTROLS", "Account", "Wallet"): (),
    ("SENT", "Wallet", "Wallet"): ("amount", "time"),
}
REL_KEYS = tuple(REL_SPECS)

# Properties the loader turns into Neo4j temporal values.
DATETIME_FIELDS = {"created", "time", "first", "last", "since", "until", "seized"}


def empty_nodes() -> dict[str, list[dict]]:
    return {label: [] for label in NODE_LABELS}


def empty_rels() -> dict[tuple[str, str, str], list[dict]]:
    return {key: [] for key in REL_KEYS}


@dataclass
class Chunk:
    """One self-contained slice of a scenario: its relationships point only at nodes of this or
    earlier chunks, so chunks can be loaded (and hashed) one after another in bounded memory."""

    nodes: dict[str, list[dict]] = field(default_factory=empty_nodes)
    rels: dict[tuple[str, str, str], list[dict]] = field(default_factory=empty_rels)

    def node(self, label: str, **props) -> dict:
        self.nodes[label].append(props)
        return props

    def rel(self, rel_type: str, start_label: str, start: str, end_label: str, end: str, **props) -> None:
        self.rels[(rel_type, start_label, end_label)].append({"s": start, "e": end, "p": props})

    def entity_count(self) -> int:
        return sum(map(len, self.nodes.values())) + sum(map(len, self.rels.values()))


@dataclass
class Crew:
    name: str
    org_id: str
    kind: str  # "spoke" (hub-and-spoke) or "mesh" (highly networked)
    lead: str  # person id
    members: list[str]  # person ids, lead included


@dataclass
class OrgTruth:
    """What only the generator knows of one organisation."""

    id: str  # its Organization node
    kind: str  # hierarchical | hub-and-spoke | networked | darknet (the design's; never in the database)
    leader: str | None  # person id
    hub: str | None  # most message contacts among its members
    broker: str  # the only non-member who links its two crews
    lieutenants: list[str]
    crews: list[Crew]
    family_ties: list[tuple[str, str]] = field(default_factory=list)  # (member, relative outside the organisation)
    multi_platform_person: str = ""  # a member with attributed accounts on three platforms
    four_platform_person: str = ""  # a member of the organisation only, with accounts on four platforms
    quiet_member: str = ""  # a crew member with no attributed account


@dataclass
class GroundTruth:
    """What only the generator knows. Never written to the database."""

    organisations: list[OrgTruth]
    influencer: str  # account id with the most followers
    aliases: dict[str, str]  # hidden account id -> person id (resolvable through a phone or email)
    unresolvable_aliases: list[str]  # hidden accounts registered with burner details only
    slang_accounts: list[str]  # accounts with three or more slang posts
    slang_posts: list[str]
    prison: str  # location id
    prison_poster: str  # account id that posts from inside the prison
    stash: str  # location id where geotagged slang posts cluster
    migrated_vendors: dict[str, str]  # vendor account on the seized market -> its account on the new one
    impostor_vendors: list[str]  # same handle as a seized vendor, another PGP key
    laundering_chain: list[str]  # wallet ids, buyer first, exchange cash-out last
    pagerank_top: str = ""  # account id with the highest PageRank (few, influential followers)
    laundering_routes: list[list[str]] = field(default_factory=list)  # every route from the buyer to cash
    touches: dict[str, list[str]] = field(default_factory=dict)  # touch kind -> what it made (people, a phone, a wallet)

    def organisation(self, kind: str) -> OrgTruth:
        return next(o for o in self.organisations if o.kind == kind)


@dataclass
class ScenarioInfo:
    profile: str
    size: str
    persons: int
    seed: int
    generator_version: str
    faker_version: str


@dataclass
class Scenario:
    """A generated scenario: metadata, the ground truth, and the data as chunks (core first)."""

    info: ScenarioInfo
    truth: GroundTruth
    chunk_source: Callable[[], Iterator[Chunk]]
    variation: tuple[str, ...] = ()  # a varied world (scenario.variation): the transforms that made it

    def chunks(self) -> Iterator[Chunk]:
        """The data, core first; made afresh (and identically) on every call."""
        return self.chunk_source()

    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type, as the database will count them (no zeros)."""
        out: dict[str, int] = {}
        for chunk in self.chunks():
            for label, rows in chunk.nodes.items():
                out[label] = out.get(label, 0) + len(rows)
            for (rel_type, _, _), rows in chunk.rels.items():
                out[rel_type] = out.get(rel_type, 0) + len(rows)
        return {k: v for k, v in out.items() if v}
