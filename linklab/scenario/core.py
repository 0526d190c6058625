"""The criminal core: the organisation, its crews, the broker, aliases, posts, markets and wallets.
Every exercise's answer is planted here, with a clear margin (tests/test_truth.py checks it)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from .builder import EPOCH, PLATFORMS, Builder, Ids, Pools, primary, pid
from .decoys import plant, seeded_names
from .model import Chunk, Crew, GroundTruth
from .profiles import Profile


def core_size(persons: int) -> int:
    return max(16, min(300, persons // 15))


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
    lean = persons < 100  # the tiny size stays at about 200 nodes
    n_core = core_size(persons)
    lat0, lon0 = profile.city_lat, profile.city_lon

    # Organisation and its two crews, as intelligence knows them (names vary with the seed).
    crew_names, org_name = seeded_names([c.name for c in profile.crews], profile.organisation, seed)
    chunk.node("Organization", id="O1", name=org_name, kind="organisation")
    for i, spec in enumerate(profile.crews, start=2):
        chunk.node("Organization", id=f"O{i}", name=crew_names[i - 2], kind="crew")
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

    def new_person(with_email: bool | None = None, account: bool = True) -> str:
        nonlocal next_n
        p = pid(next_n)
        next_n += 1
        name = b.person(p)["name"]
        phone = b.phone(p, "T" + p[1:])
        email = b.email(p, "E" + p[1:], name) if (with_email if with_email is not None else rng.random() < 0.5) else None
        if not account:  # known to intelligence; their account is seen but not attributed to them
            b.account(primary(p), name)
            chunk.rel("LIVES_AT", "Person", p, "Location", rng.choice(addresses))
            return p
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
        crews.append(Crew(crew_names[i], f"O{i + 2}", profile.crews[i].kind, members[0], members))
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
    planted = plant(b, seed, dict(
        crews=crews, leader=leader, hub=hub, broker=broker, acct=acct, influencer=influencer,
        influencer_person=influencer_person, advertisers=advertisers, busy=busy, detained=detained,
        multi=multi, alias_people=alias_people, prison_poster=prison_poster, stash_at=stash_at,
        prison_at=prison_at, chain=chain, next_post=next_post, family=family, lean=lean), new_person)
    aliases.update(planted.aliases)

    truth = GroundTruth(
        organisation=org_name, leader=leader, hub=hub, broker=broker, lieutenants=lieutenants,
        crews=crews, influencer=influencer, aliases=aliases, unresolvable_aliases=unresolvable + ["HP1"],
        multi_platform_person=multi, slang_accounts=sorted(acct[p] for p in advertisers),
        slang_posts=slang_posts, decoy_posts=[], prison="L2", prison_poster=prison_poster, stash="L3",
        family_ties=family + planted.family_ties, migrated_vendors=migrated, impostor_vendors=impostors,
        laundering_chain=chain, pagerank_top=planted.pagerank_top, four_platform_person=planted.four_platforms,
        laundering_routes=planted.laundering_routes or ([chain] if chain else []))
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
