"""The criminal core while it is built (scenario.core builds it, scenario.decoys plants in it): its people,
numbered in creation order, and each organisation's roles. Its own module so that both read it without
importing each other."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .builder import Builder, Ids, Pools, pid, primary
from .model import Chunk, Crew
from .profiles import OrgSpec, Profile

LEAN_PERSONS = 300  # worlds up to this many people (hidden worlds) stay small: fewer venues, posts, addresses
MEMBER_LOCALE = 0.8  # the share of an organisation's people named from its own locale (the rest: the region's)


def core_size(persons: int) -> int:
    """People per organisation (the decoys add a few)."""
    return max(16, min(300, persons // 30))


@dataclass
class CoreRefs:
    """What the background needs to know about the core."""

    persons: int  # persons in the core chunk (P0000001 .. P{persons})
    customer_targets: list[str]  # accounts of crew members that buyers message
    influencer: str
    venues: list[str]
    avoid: list[tuple[float, float, float]]  # (lat, lon, metres) no background post comes near


@dataclass
class Org:
    """One organisation while the core is built: its people and roles (the ground truth keeps the plan)."""

    spec: OrgSpec
    index: int
    id: str
    crews: list[Crew]
    leader: str | None
    hub: str | None
    broker: str
    lieutenants: list[str]
    acct: dict[str, str]  # person -> primary account, for every person of the organisation and its broker
    side0: list[str]  # crew members the broker messages
    side1: list[str]
    busy: set[str] = field(default_factory=set)  # people with a role that other roles must not take
    alias_people: list[str] = field(default_factory=list)
    multi: str = ""
    advertisers: list[str] = field(default_factory=list)
    family: list[tuple[str, str]] = field(default_factory=list)

    @property
    def crew_rank(self) -> list[str]:
        return [m for c in self.crews for m in c.members[1:]]


class Core:
    """The core chunk under construction: one Builder and one Random, people numbered in creation order."""

    def __init__(self, profile: Profile, pools: Pools, ids: Ids, seed: int, persons: int):
        self.profile, self.seed = profile, seed
        self.rng = random.Random(seed * 7919 + 1)
        # the venues' names in the order they are given: a stream of their own, so that naming them takes
        # nothing from the scenario's (core.spend_old_name_draws)
        self.venue_names = random.Random(f"venues/{seed}").sample(profile.venues, len(profile.venues))
        self.chunk = Chunk()
        self.b = Builder(profile, pools, ids, self.rng, self.chunk)
        self.lean = persons <= LEAN_PERSONS
        self.n_core = core_size(persons)
        self.next_n = 1
        self.post_n = 0
        self.addresses: list[str] = []
        self.decoys: dict = {}  # organisation id -> decoys.PlantedOrg

    def locale_of(self, spec: OrgSpec | None) -> str:
        """An organisation's people are mostly named from its locale; anyone else lives in the region."""
        if spec is not None and self.rng.random() < MEMBER_LOCALE:
            return spec.locale
        return self.b.resident_locale()

    def person(self, spec: OrgSpec | None = None, with_email: bool | None = None, account: bool = True) -> str:
        """A person with a phone, maybe an email, a home and an account (attributed to them unless
        account=False: then intelligence sees the account but not whose it is)."""
        b, rng, chunk = self.b, self.rng, self.chunk
        p = pid(self.next_n)
        self.next_n += 1
        name = b.person(p, self.locale_of(spec))["name"]
        phone = b.phone(p, "T" + p[1:])
        email = b.email(p, "E" + p[1:], name) if (with_email if with_email is not None else rng.random() < 0.5) else None
        if not account:
            b.account(primary(p), name)
            chunk.rel("LIVES_AT", "Person", p, "Location", rng.choice(self.addresses))
            return p
        acc = b.account(primary(p), name, user=p)
        registered = ("Email", email) if email and rng.random() < 0.4 else ("Phone", phone)
        chunk.rel("REGISTERED_WITH", "Account", acc, *registered)
        chunk.rel("LIVES_AT", "Person", p, "Location", rng.choice(self.addresses))
        return p

    def next_post(self) -> str:
        self.post_n += 1
        return f"S0-{self.post_n}"

    def name_of(self, p: str) -> str:
        return next(r["name"] for r in self.chunk.nodes["Person"] if r["id"] == p)
