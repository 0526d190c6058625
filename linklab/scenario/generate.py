"""The scenario generator: seed in, plain data out. No database here.

One seed drives everything: Faker's `seed_instance` and `random.Random` objects derived from the
seed (never the global generator). Faker only fills name pools once; all further choices are
cheap `Random` calls, which keeps a million-person scenario fast and byte-identical everywhere.

The criminal core (organisation, crews, broker, aliases, posts, markets, wallets) is built first
and plants every exercise's answer with a clear margin; the background population follows in
chunks that only point back at earlier chunks, so large scenarios stream in bounded memory.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.metadata import version
from typing import Iterator

from faker import Faker

from .. import __version__
from .model import Chunk, Crew, GroundTruth, Scenario, ScenarioInfo
from .profiles import Profile, load_profile, persons_for

PLATFORMS = ("Instagram", "Facebook", "TikTok", "X", "Telegram", "Snapchat")
CHUNK_PERSONS = 20_000
NOT_HANDLE = re.compile(r"[^0-9a-z]")
EPOCH = datetime(2025, 1, 1)
SPAN_DAYS = 365


def faker_version() -> str:
    return version("faker")


# ---------------------------------------------------------------- shared helpers


@dataclass
class Pools:
    """Locale-specific vocabularies drawn from Faker once per scenario."""

    first_names: list[str]
    last_names: list[str]
    streets: list[str]
    words: list[str]
    email_domains: list[str]
    phone_prefix: str


def make_pools(fake: Faker, profile: Profile) -> Pools:
    terms = [t for t, _ in profile.lexicon.terms]

    def unique(draw, count):
        seen: dict[str, None] = {}
        for _ in range(count * 4):
            seen.setdefault(draw(), None)
            if len(seen) >= count:
                break
        return sorted(seen)

    words = [w for w in unique(fake.word, 200) if w.isalpha() and not any(t in w.lower() for t in terms)]
    prefix = {"en_US": "+1 410", "es_MX": "+52 667", "it_IT": "+39 081", "en_GB": "+44 161"}
    return Pools(
        first_names=unique(fake.first_name, 600),  # 600 x 600 names before initials are needed
        last_names=unique(fake.last_name, 600),
        streets=unique(fake.street_name, 150),
        words=words,
        email_domains=unique(fake.free_email_domain, 6),
        phone_prefix=prefix.get(profile.locales[0], "+1 555"),
    )


@dataclass
class Ids:
    """Unique names, handles and numbers across the whole scenario."""

    names: set = field(default_factory=set)
    handles: set = field(default_factory=set)
    numbers: set = field(default_factory=set)


class Builder:
    """Writes one chunk; knows the profile, the pools and a Random for this chunk."""

    def __init__(self, profile: Profile, pools: Pools, ids: Ids, rng: random.Random, chunk: Chunk):
        self.profile, self.pools, self.ids, self.rng, self.chunk = profile, pools, ids, rng, chunk
        self.terms = [t for t, _ in profile.lexicon.terms]

    # -- values (random() is several times cheaper than randrange/choice: this is the hot path)
    def below(self, n: int) -> int:
        return int(self.rng.random() * n)

    def pick(self, items):
        return items[int(self.rng.random() * len(items))]

    def when(self) -> str:
        return (EPOCH + timedelta(seconds=self.below(SPAN_DAYS * 86400))).isoformat()

    def span(self) -> tuple[str, str]:
        a, b = self.below(SPAN_DAYS * 86400), self.below(SPAN_DAYS * 86400)
        if a > b:
            a, b = b, a
        return (EPOCH + timedelta(seconds=a)).isoformat(), (EPOCH + timedelta(seconds=b)).isoformat()

    def near(self, lat: float, lon: float, metres: float) -> tuple[float, float]:
        """A point within `metres` of (lat, lon)."""
        distance = metres * math.sqrt(self.rng.random())
        angle = self.rng.random() * 2 * math.pi
        dlat = distance * math.cos(angle) / 111_320
        dlon = distance * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
        return round(lat + dlat, 6), round(lon + dlon, 6)

    def person_name(self) -> str:
        rng, pools = self.rng, self.pools
        name = f"{self.pick(pools.first_names)} {self.pick(pools.last_names)}"
        while name in self.ids.names:
            name = f"{rng.choice(pools.first_names)} {chr(65 + rng.randrange(26))}. {rng.choice(pools.last_names)}"
            if name in self.ids.names:
                name = f"{name} {rng.randrange(2, 1000)}"
        self.ids.names.add(name)
        return name

    def handle(self, base: str) -> str:
        rng = self.rng
        stem = NOT_HANDLE.sub("", base.lower())[:12] or "user"
        handle = stem
        while handle in self.ids.handles or len(handle) < 5:
            suffix = str(10 + self.below(9990)) if self.below(3) else self.pick(self.pools.words)[:6]
            handle = f"{stem}{self.pick(('_', '.', ''))}{suffix}"
        self.ids.handles.add(handle)
        return handle

    def phone_number(self) -> str:
        number = f"{self.pools.phone_prefix} {1_000_000 + self.below(9_000_000)}"
        while number in self.ids.numbers:
            number = f"{self.pools.phone_prefix} {1_000_000 + self.below(9_000_000)}"
        self.ids.numbers.add(number)
        return number

    # -- entities
    def person(self, pid: str) -> dict:
        return self.chunk.node("Person", id=pid, name=self.person_name(),
                               born=1965 + self.below(41), nationality=self.profile.locales[0][-2:])

    def account(self, aid: str, owner_name: str, platform: str | None = None, user: str | None = None) -> str:
        parts = owner_name.split()
        first, last = parts[0], parts[-1]
        base = self.pick((first, last, first + last[:1], self.pick(self.pools.words)))
        self.chunk.node("Account", id=aid, handle=self.handle(base),
                        platform=platform or self.pick(PLATFORMS), created=self.when())
        if user:
            self.chunk.rel("USES", "Person", user, "Account", aid)
        return aid

    def phone(self, pid: str | None, phone_id: str) -> str:
        self.chunk.node("Phone", id=phone_id, number=self.phone_number())
        if pid:
            self.chunk.rel("HAS_PHONE", "Person", pid, "Phone", phone_id)
        return phone_id

    def email(self, pid: str | None, email_id: str, name: str) -> str:
        local = self.handle(name.replace(" ", ""))
        self.chunk.node("Email", id=email_id, address=f"{local}@{self.pick(self.pools.email_domains)}")
        if pid:
            self.chunk.rel("HAS_EMAIL", "Person", pid, "Email", email_id)
        return email_id

    def message(self, a: str, b: str, heavy: bool = False) -> None:
        first, last = self.span()
        count = 8 + self.below(72) if heavy else 1 + self.below(11)
        if self.rng.random() < 0.5:
            a, b = b, a
        self.chunk.rel("MESSAGED", "Account", a, "Account", b, count=count, first=first, last=last)

    def call(self, a: str, b: str) -> None:
        first, last = self.span()
        self.chunk.rel("CALLED", "Phone", a, "Phone", b, count=1 + self.below(39), first=first, last=last)

    def fill(self, template: str, term: str | None = None) -> str:
        rng, lex = self.rng, self.profile.lexicon
        term = term or rng.choice(self.terms)
        text = template
        for _ in range(3):
            text = text.replace("{word}", rng.choice(self.pools.words), 1)
        return (text.replace("{term2}", rng.choice([t for t in self.terms if t != term]))
                .replace("{term}", term).replace("{emoji}", rng.choice(lex.emojis))
                .replace("{city}", self.profile.city))

    def post(self, post_id: str, account: str, text: str, at: tuple[float, float] | None = None,
             tagged: str | None = None) -> str:
        props = {"id": post_id, "text": text, "time": self.when()}
        if at:
            props["latitude"], props["longitude"] = at
        self.chunk.node("Post", **props)
        self.chunk.rel("POSTED", "Account", account, "Post", post_id)
        if tagged:
            self.chunk.rel("TAGGED_AT", "Post", post_id, "Location", tagged)
        return post_id

    def location(self, loc_id: str, name: str, kind: str, at: tuple[float, float]) -> str:
        self.chunk.node("Location", id=loc_id, name=name, type=kind, latitude=at[0], longitude=at[1])
        return loc_id

    def address_name(self) -> str:
        return f"{1 + self.below(399)} {self.pick(self.pools.streets)}"

    def city_point(self, avoid: list[tuple[float, float, float]]) -> tuple[float, float]:
        """A point in the city at least the given metres away from each (lat, lon, metres)."""
        while True:
            lat, lon = self.near(self.profile.city_lat, self.profile.city_lon, 7_000)
            if all(distance_m(lat, lon, a, b) > m for a, b, m in avoid):
                return lat, lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine), as Neo4j's point.distance on WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_378_140 * math.asin(math.sqrt(h))


def core_size(persons: int) -> int:
    return max(16, min(300, persons // 15))


# ---------------------------------------------------------------- the criminal core


def pid(n: int) -> str:
    return f"P{n:07d}"


def primary(n_or_pid) -> str:
    """Every person has a primary account, A + the person's number."""
    return "A" + (n_or_pid[1:] if isinstance(n_or_pid, str) else f"{n_or_pid:07d}")


@dataclass
class CoreRefs:
    """What the background needs to know about the core."""

    persons: int  # persons in the core chunk (P0000001 .. P{persons})
    customer_targets: list[str]  # accounts of crew members that buyers message
    influencer: str
    venues: list[str]
    avoid: list[tuple[float, float, float]]  # (lat, lon, metres) no background post comes near


def build_core(profile: Profile, pools: Pools, ids: Ids, seed: int, persons: int) -> tuple[Chunk, GroundTruth, CoreRefs]:
    rng = random.Random(seed * 7919 + 1)
    chunk = Chunk()
    b = Builder(profile, pools, ids, rng, chunk)
    lean = persons < 100  # the tiny size stays under 200 nodes
    n_core = core_size(persons)
    lat0, lon0 = profile.city_lat, profile.city_lon

    # Organisation and its two crews, as intelligence knows them.
    chunk.node("Organization", id="O1", name=profile.organisation, kind="organisation")
    for i, spec in enumerate(profile.crews, start=2):
        chunk.node("Organization", id=f"O{i}", name=spec.name, kind="crew")
        chunk.rel("PART_OF", "Organization", f"O{i}", "Organization", "O1")
    for k, (term, meaning) in enumerate(profile.lexicon.terms, start=1):
        chunk.node("Term", id=f"K{k}", term=term, meaning=meaning, language=profile.lexicon.language)

    # Places: the city, the prison (about 6 km out), a stash house, venues and home addresses.
    b.location("L1", profile.city, "city", (round(lat0, 6), round(lon0, 6)))
    prison_at = b.near(lat0 + 0.045, lon0 + 0.045, 300)
    b.location("L2", profile.prison, "prison", prison_at)
    stash_at = b.near(lat0 - 0.02, lon0 + 0.01, 1500)
    b.location("L3", b.address_name(), "address", stash_at)
    avoid_core = [(*prison_at, 1500), (*stash_at, 600)]
    venues = [b.location(f"L{4 + i}", f"{rng.choice(('Bar', 'Gym', 'Cafe', 'Club'))} {rng.choice(pools.words).title()}",
                         "venue", b.city_point(avoid_core)) for i in range(3 if lean else 8)]
    addresses = [b.location(f"LA{i}", b.address_name(), "address", b.city_point(avoid_core))
                 for i in range(max(3, n_core // (5 if lean else 3)))]

    # People of the core: leader (if separate), broker, then the crews.
    next_n = 1

    def new_person(with_email: bool | None = None) -> str:
        nonlocal next_n
        p = pid(next_n)
        next_n += 1
        name = b.person(p)["name"]
        phone = b.phone(p, "T" + p[1:])
        email = b.email(p, "E" + p[1:], name) if (with_email if with_email is not None else rng.random() < 0.5) else None
        account = b.account(primary(p), name, user=p)
        registered = ("Email", email) if email and rng.random() < 0.4 else ("Phone", phone)
        chunk.rel("REGISTERED_WITH", "Account", account, *registered)
        chunk.rel("LIVES_AT", "Person", p, "Location", rng.choice(addresses))
        return p

    leader_separate = profile.leader == "separate"
    leader = new_person() if leader_separate else None
    broker = new_person()
    in_crews = n_core - 1 - (1 if leader_separate else 0)
    # a spoke crew needs enough spokes for its lead to stand out from a dense crew at the tiny size
    size0 = max(9 if profile.crews[0].kind == "spoke" else 6, round(in_crews * profile.crews[0].share))
    crews = []
    for i, size in enumerate((size0, in_crews - size0)):
        members = [new_person() for _ in range(size)]
        crews.append(Crew(profile.crews[i].name, f"O{i + 2}", profile.crews[i].kind, members[0], members))
        for m in members:
            chunk.rel("MEMBER_OF", "Person", m, "Organization", f"O{i + 2}")
    hub = crews[0].lead if crews[0].kind == "spoke" else None
    if profile.leader == "hub":
        leader = hub
    if leader:
        chunk.rel("MEMBER_OF", "Person", leader, "Organization", "O1")
    lieutenants = [c.lead for c in crews] if leader_separate else []
    acct = {p: primary(p) for p in [broker, *(m for c in crews for m in c.members)] + ([leader] if leader else [])}

    # Messaging: spokes talk only to their lead; mesh crews are dense; the broker alone joins the crews.
    for crew in crews:
        rest = crew.members[1:]
        if crew.kind == "spoke":
            for m in rest:
                b.message(acct[m], acct[crew.lead], heavy=True)
        else:
            ring = crew.members
            for i, m in enumerate(ring):
                b.message(acct[m], acct[ring[(i + 1) % len(ring)]], heavy=True)
            for i in range(len(ring)):
                for j in range(i + 2, len(ring) - (1 if i == 0 else 0)):
                    if rng.random() < 0.35:
                        b.message(acct[ring[i]], acct[ring[j]])
    side0 = [hub] if hub else rng.sample(crews[0].members[1:], 3)
    side1 = rng.sample(crews[1].members[1:], 3)
    for m in side0 + side1:
        b.message(acct[broker], acct[m], heavy=True)
    if leader_separate:  # the leader only ever calls his lieutenants (from prison, on a smuggled phone)
        for lt in lieutenants:
            b.call("T" + leader[1:], "T" + lt[1:])

    # Calls mirror the structure: spokes call the lead, mesh members call around, the broker bridges.
    for crew in crews:
        for i, m in enumerate(crew.members[1:], start=1):
            if crew.kind == "spoke":
                b.call("T" + m[1:], "T" + crew.lead[1:])
            else:
                b.call("T" + m[1:], "T" + crew.members[i - 1][1:])
    for m in side0[:1] + side1[:1]:
        b.call("T" + broker[1:], "T" + m[1:])

    everyone = [p for p in acct]
    crew_rank = [m for c in crews for m in c.members[1:]]
    busy = {broker, *side0, *side1}
    # The influencer brags to a large following ("cyber banging"); crew members follow their lead.
    influencer_person = rng.choice([m for m in crews[0].members[1:] if m not in busy])
    influencer = acct[influencer_person]
    for crew in crews:  # (the influencer follows nobody: its rank is its own)
        for m in crew.members[1:]:
            if m != influencer_person:
                chunk.rel("FOLLOWS", "Account", acct[m], "Account", acct[crew.lead], since=b.when())
    for p in everyone:
        if p != influencer_person and rng.random() < 0.95:
            chunk.rel("FOLLOWS", "Account", acct[p], "Account", influencer, since=b.when())

    # Who is detained and who posts from inside the prison.
    if profile.leader_in_prison:
        detained = leader
    else:
        detained = rng.choice([m for m in crews[1].members[1:] if m not in busy])
    chunk.rel("DETAINED_AT", "Person", detained, "Location", "L2", since=b.when())

    # Aliases: unattributed accounts registered with a person's phone or email; two with burners.
    alias_people = rng.sample([m for m in crew_rank if m not in busy and m != influencer_person],
                              max(2, n_core // 10))
    if profile.leader_in_prison:
        alias_people = [leader] + alias_people[1:]
    aliases: dict[str, str] = {}
    emails = {r["s"]: r["e"] for r in chunk.rels[("HAS_EMAIL", "Person", "Email")]}
    for k, p in enumerate(alias_people, start=1):
        name = next(r["name"] for r in chunk.nodes["Person"] if r["id"] == p)
        hidden = b.account(f"H{k}", rng.choice(pools.words) + " " + name)
        via = ("Email", emails[p]) if p in emails and rng.random() < 0.5 else ("Phone", "T" + p[1:])
        chunk.rel("REGISTERED_WITH", "Account", hidden, *via)
        aliases[hidden] = p
    unresolvable = []
    for k in range(2):
        hidden = b.account(f"HX{k + 1}", rng.choice(pools.words) + " " + rng.choice(pools.last_names))
        chunk.rel("REGISTERED_WITH", "Account", hidden, "Phone", b.phone(None, f"TB{k + 1}"))
        unresolvable.append(hidden)
    prison_poster = next((h for h, p in aliases.items() if p == detained), acct[detained])

    # One person keeps attributed accounts on three platforms.
    multi = rng.choice([m for m in crews[1].members[1:] if m not in busy and m not in alias_people
                        and m != detained] or crews[1].members[1:])
    multi_name = next(r["name"] for r in chunk.nodes["Person"] if r["id"] == multi)
    used = {next(r["platform"] for r in chunk.nodes["Account"] if r["id"] == acct[multi])}
    for k, platform in enumerate([p for p in PLATFORMS if p not in used][:2], start=2):
        extra = b.account(f"{acct[multi]}-{k}", multi_name, platform=platform, user=multi)
        chunk.rel("REGISTERED_WITH", "Account", extra, "Phone", "T" + multi[1:])

    # Posts: advertisers post slang (the first two each from the stash house), others mostly innocent.
    lex = profile.lexicon
    post_n = 0

    def next_post() -> str:
        nonlocal post_n
        post_n += 1
        return f"S0-{post_n}"

    candidates = [m for m in crew_rank if m not in busy and m not in (detained, influencer_person)]
    advertisers = rng.sample(candidates, max(3, len(crew_rank) // 6))
    slang_posts = []
    for p in advertisers:
        for j in range(rng.randrange(3, 5)):
            at = b.near(*stash_at, 120) if j < 2 else (b.city_point(avoid_core) if rng.random() < 0.5 else None)
            slang_posts.append(b.post(next_post(), acct[p], b.fill(rng.choice(lex.slang_templates)), at))
    for k in range(2 if lean else 3):  # the prison poster
        b.post(next_post(), prison_poster, b.fill(rng.choice(lex.innocent_templates)), b.near(*prison_at, 100))
    innocent = [p for p in everyone if p not in advertisers]
    for p in innocent:
        if rng.random() < (0.15 if lean else 0.25):  # at most one slang post: below the weak-signal threshold
            slang_posts.append(b.post(next_post(), acct[p], b.fill(rng.choice(lex.slang_templates))))
        for _ in range(rng.randrange(0 if lean else 1, 2 if lean else 3)):
            at = b.city_point(avoid_core) if rng.random() < 0.5 else None
            post = b.post(next_post(), acct[p], b.fill(rng.choice(lex.innocent_templates)), at,
                          tagged=rng.choice(venues) if at and rng.random() < 0.4 else None)
            if rng.random() < 0.2:
                chunk.rel("MENTIONS", "Post", post, "Account", acct[rng.choice(everyone)])
    for hidden in aliases:
        if hidden != prison_poster:
            b.post(next_post(), hidden, b.fill(rng.choice(lex.innocent_templates)))

    # Relatives outside the organisation: family ties into the network.
    family = []
    for member in rng.sample(crew_rank, max(2, n_core // 8)):
        relative = new_person(with_email=False)
        chunk.rel("FAMILY_OF", "Person", member, "Person", relative,
                  relation=rng.choice(("brother", "sister", "cousin", "mother", "father")))
        b.message(acct[member], primary(relative))
        family.append((member, relative))

    migrated, impostors = build_darknet(b, crews[1], next_post) if profile.darknet else ({}, [])
    chain = build_wallets(b, acct[hub or crews[0].lead], lean) if profile.wallets else []

    truth = GroundTruth(
        organisation=profile.organisation, leader=leader, hub=hub, broker=broker, lieutenants=lieutenants,
        crews=crews, influencer=influencer, aliases=aliases, unresolvable_aliases=unresolvable,
        multi_platform_person=multi, slang_accounts=sorted(acct[p] for p in advertisers),
        slang_posts=slang_posts, decoy_posts=[], prison="L2", prison_poster=prison_poster, stash="L3",
        family_ties=family, migrated_vendors=migrated, impostor_vendors=impostors, laundering_chain=chain)
    targets = [acct[m] for c in crews for m in c.members[1:] if m not in busy]
    refs = CoreRefs(next_n - 1, targets, influencer, venues, avoid_core)
    return chunk, truth, refs


def pgp(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040X}"


def build_darknet(b: Builder, vendors: Crew, next_post) -> tuple[dict[str, str], list[str]]:
    """Vendors on a market that police seized; some moved to another market and kept their PGP key."""
    rng, chunk = b.rng, b.chunk
    seized = (EPOCH + timedelta(days=180)).isoformat()
    chunk.node("Market", id="M1", name=f"{rng.choice(b.pools.words).title()} Market", status="seized", seized=seized)
    chunk.node("Market", id="M2", name=f"{rng.choice(b.pools.words).title()} Bazaar", status="active")
    old_accounts, migrated = [], {}
    lean = len(vendors.members) < 10
    for k, member in enumerate(vendors.members[:5] if lean else vendors.members, start=1):
        key = pgp(rng)
        account = b.account(f"V{k}", rng.choice(b.pools.words) + rng.choice(b.pools.last_names), platform="darknet")
        chunk.rel("VENDOR_ON", "Account", account, "Market", "M1", pgp=key,
                  since=(EPOCH + timedelta(days=rng.randrange(0, 150))).isoformat(), until=seized)
        old_accounts.append((account, key))
    movers = rng.sample(old_accounts, max(2 if lean else 3, len(old_accounts) // 2))
    for k, (account, key) in enumerate(movers, start=1):
        new = b.account(f"VN{k}", rng.choice(b.pools.words) + rng.choice(b.pools.first_names), platform="darknet")
        chunk.rel("VENDOR_ON", "Account", new, "Market", "M2", pgp=key,
                  since=(EPOCH + timedelta(days=rng.randrange(185, 240))).isoformat())
        migrated[account] = new
    stayers = [a for a in old_accounts if a not in movers]
    impostors = []
    for k in range(1, 1 + min(1, len(stayers))):  # copies a seized vendor's handle, not its key
        copied = next(r["handle"] for r in chunk.nodes["Account"] if r["id"] == stayers[0][0])
        chunk.node("Account", id=f"VI{k}", handle=copied, platform="darknet", created=b.when())
        chunk.rel("VENDOR_ON", "Account", f"VI{k}", "Market", "M2", pgp=pgp(rng),
                  since=(EPOCH + timedelta(days=200)).isoformat())
        impostors.append(f"VI{k}")
    for k in range(1 if lean else 3):  # honest newcomers on the new market
        account = b.account(f"VW{k + 1}", rng.choice(b.pools.words), platform="darknet")
        chunk.rel("VENDOR_ON", "Account", account, "Market", "M2", pgp=pgp(rng),
                  since=(EPOCH + timedelta(days=rng.randrange(190, 300))).isoformat())
    return migrated, impostors


def build_wallets(b: Builder, collector_account: str, lean: bool) -> list[str]:
    """Buyer -> collection wallet -> two hops -> an exchange: the only route from that buyer to cash."""
    rng, chunk = b.rng, b.chunk

    def wallet(wid: str, exchange: str | None = None) -> str:
        address = "bc1q" + "".join(rng.choice("023456789acdefghjklmnpqrstuvwxyz") for _ in range(38))
        props = {"id": wid, "address": address, "chain": "bitcoin"}
        if exchange:
            props["exchange"] = exchange
        chunk.node("Wallet", **props)
        return wid

    t = EPOCH + timedelta(days=rng.randrange(30, 200))

    def send(a: str, c: str, amount: float) -> None:
        nonlocal t
        t += timedelta(hours=rng.randrange(2, 72))
        chunk.rel("SENT", "Wallet", a, "Wallet", c, amount=round(amount, 5), time=t.isoformat())

    buyer, collect, hop1, hop2 = (wallet(w) for w in ("W1", "W2", "W3", "W4"))
    cashout, other_exchange = wallet("WX1", "CoinSwap"), wallet("WX2", "BitHarbor")
    chunk.rel("CONTROLS", "Account", collector_account, "Wallet", collect)
    amount = rng.uniform(0.2, 1.5)
    for a, c in ((buyer, collect), (collect, hop1), (hop1, hop2), (hop2, cashout)):
        send(a, c, amount)
        amount *= rng.uniform(0.9, 0.99)
    for k in range(2 if lean else 4):  # other buyers pay the same collector
        send(wallet(f"WB{k}"), collect, rng.uniform(0.05, 1.0))
    send(collect, wallet("WD1"), rng.uniform(0.01, 0.1))  # dead ends: money parked, never cashed
    send(hop1, wallet("WD2"), rng.uniform(0.01, 0.1))
    noise = [wallet(f"WN{k}") for k in range(3 if lean else 12)]
    for i, w in enumerate(noise):  # unrelated traffic that reaches the other exchange only
        send(w, noise[i + 1] if i + 1 < len(noise) else other_exchange, rng.uniform(0.01, 3))
    return [buyer, collect, hop1, hop2, cashout]


# ---------------------------------------------------------------- the background population


def has_phone(n: int) -> bool:
    """Known without state, so later chunks can call earlier people's phones."""
    return n % 10 != 7


def build_background(profile: Profile, pools: Pools, ids: Ids, seed: int, index: int,
                     first: int, start: int, stop: int, refs: CoreRefs) -> Chunk:
    """Persons start..stop-1 of the background (which begins at person `first`)."""
    rng = random.Random(seed * 7919 + 1000 + index)
    chunk = Chunk()
    b = Builder(profile, pools, ids, rng, chunk)
    lex = profile.lexicon
    customers = min(len(refs.customer_targets), max(6, refs.persons // 2))
    follow_influencer = min(0.3, 2000 / max(1, stop))
    address = None
    for n in range(start, stop):
        p = pid(n)
        name = b.person(p)["name"]
        if address is None or n % 3 == 0:
            address = b.location(f"LA-{n}", b.address_name(), "address", b.city_point(refs.avoid))
        chunk.rel("LIVES_AT", "Person", p, "Location", address)
        phone = b.phone(p, "T" + p[1:]) if has_phone(n) else None
        email = b.email(p, "E" + p[1:], name) if n % 2 == 0 else None
        accounts = [b.account(primary(n), name, user=p)]
        if rng.random() < 0.25:
            accounts.append(b.account(primary(n) + "-2", name, user=p))
        via = [x for x in (("Phone", phone), ("Email", email)) if x[1]]
        for account in accounts:
            if via:
                chunk.rel("REGISTERED_WITH", "Account", account, *b.pick(via))

        # Contacts: a recent neighbour (keeps one giant component) and a random earlier person.
        if n < first + customers:  # buyers, spread evenly so no seller gains a hub's degree
            b.message(primary(n), refs.customer_targets[(n - first) % len(refs.customer_targets)])
        if n > first:
            low = max(first, n - 5)
            m = low + b.below(n - low)
            b.message(primary(n), primary(m))
            if phone and has_phone(m) and rng.random() < 0.5:
                b.call(phone, "T" + pid(m)[1:])
            if n > first + 20 and rng.random() < 0.6:  # long-range ties (not in the first few: hubs by accident)
                far = first + b.below(n - first)
                if far != m:  # one MESSAGED relationship per pair: it carries the count
                    b.message(primary(n), primary(far))
            if rng.random() < 0.08:
                chunk.rel("FAMILY_OF", "Person", p, "Person", pid(m), relation=rng.choice(("cousin", "sibling")))
        followed = []  # an account follows another once
        for _ in range(b.below(3)):
            target = primary(1 + b.below(n - 1))
            if target not in followed and target != refs.influencer:
                followed.append(target)
                chunk.rel("FOLLOWS", "Account", accounts[0], "Account", target, since=b.when())
        if rng.random() < follow_influencer:
            chunk.rel("FOLLOWS", "Account", accounts[0], "Account", refs.influencer, since=b.when())

        # Posts: mostly innocent; a few innocent ones use a slang word (noise, never more than one).
        roll = rng.random()
        if roll < 0.35 or roll > 0.985:
            text = (b.fill(rng.choice(lex.innocent_templates)) if roll < 0.35
                    else b.fill(rng.choice(lex.decoy_templates), rng.choice(lex.decoy_terms)))
            at = b.city_point(refs.avoid) if rng.random() < 0.5 else None
            tagged = rng.choice(refs.venues) if at and rng.random() < 0.2 else None
            b.post(f"S{n}", accounts[0], text, at, tagged)
    return chunk


# ---------------------------------------------------------------- the whole scenario


def generate(profile_name: str = "street-ring", size: str | int = "class", seed: int = 1) -> Scenario:
    """Build the scenario for (profile, size, seed). Background chunks are made lazily on iteration."""
    profile = load_profile(profile_name)
    size_name, persons = persons_for(size)
    fake = Faker(list(profile.locales))
    fake.seed_instance(seed)
    pools = make_pools(fake, profile)
    ids = Ids()
    core, truth, refs = build_core(profile, pools, ids, seed, persons)
    info = ScenarioInfo(profile.name, size_name, persons, seed, __version__, faker_version())
    first = refs.persons + 1

    def chunks() -> Iterator[Chunk]:
        replay = Ids()  # a fresh copy of the core's names, so every iteration is identical
        replay.names, replay.handles, replay.numbers = set(ids.names), set(ids.handles), set(ids.numbers)
        yield core
        for index, start in enumerate(range(first, persons + 1, CHUNK_PERSONS)):
            stop = min(start + CHUNK_PERSONS, persons + 1)
            yield build_background(profile, pools, replay, seed, index, first, start, stop, refs)

    return Scenario(info=info, truth=truth, chunk_source=chunks)
