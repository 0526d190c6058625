"""The criminal core of the investigation world: the region's places, its organisations (each with two crews and
a go-between), and what joins them into one story: an influencer, aliases, posts, relatives, a darknet market,
a money trail, and the points where the organisations touch (a supplier, a family tie, a burner phone, a wallet).
Every exercise's answer is planted here, with a clear margin in every organisation an exercise may ask about
(tests/test_truth.py checks it)."""

from __future__ import annotations

import random
from datetime import timedelta

from .builder import EPOCH, PLATFORMS, Builder, Ids, Pools, primary
from .building import Core, CoreRefs, Org
from .decoys import plant_organisation, plant_world, seeded_names
from .model import Chunk, Crew, GroundTruth, OrgTruth
from .profiles import OrgSpec, Profile


def spend_old_name_draws(rng: random.Random, pools: Pools) -> None:
    """Take the two draws a venue's name once took from the scenario's stream (a kind, a filler word): the
    names come from the design's list now, and every world stays the one it was (its planted margins are
    checked on those worlds, tests/test_truth.py)."""
    rng.choice(("Bar", "Gym", "Cafe", "Club"))
    rng.choice(pools.words)


def build_core(profile: Profile, pools: Pools, ids: Ids, seed: int, persons: int) -> tuple[Chunk, GroundTruth, CoreRefs]:
    core = Core(profile, pools, ids, seed, persons)
    b, rng, chunk, lean = core.b, core.rng, core.chunk, core.lean
    lat0, lon0 = profile.city_lat, profile.city_lon
    names = seeded_names(profile, seed)  # (crew names, organisation name) per organisation

    for k, (term, meaning) in enumerate(profile.lexicon.terms, start=1):
        chunk.node("Term", id=f"K{k}", term=term, meaning=meaning, language=profile.lexicon.language)

    # Places: the city, the prison (about 6 km out), a stash house, venues and home addresses.
    b.location("L1", profile.city, "city", (round(lat0, 6), round(lon0, 6)))
    prison_at = b.near(lat0 + 0.045, lon0 + 0.045, 300)
    b.location("L2", profile.prison, "prison", prison_at)
    stash_at = b.near(lat0 - 0.02, lon0 + 0.01, 1500)
    b.location("L3", b.address_name(), "address", stash_at)
    avoid_core = [(*prison_at, 1500), (*stash_at, 600)]
    venues = []
    for i, name in enumerate(core.venue_names[:3 if lean else 8]):
        spend_old_name_draws(rng, pools)
        venues.append(b.location(f"L{4 + i}", name, "venue", b.city_point(avoid_core)))
    everyone_in_core = core.n_core * len(profile.organisations)
    core.addresses = [b.location(f"LA{i}", b.address_name(), "address", b.city_point(avoid_core))
                      for i in range(max(3, everyone_in_core // (5 if lean else 3)))]

    orgs = [build_organisation(core, spec, i, *names[i]) for i, spec in enumerate(profile.organisations)]
    by_kind = {o.spec.kind: o for o in orgs}

    # The influencer brags to a large following ("cyber banging"); crew members follow their lead.
    host = next(o for o in orgs if o.spec.influencer)
    influencer_person = rng.choice([m for m in host.crews[0].members[1:] if m not in host.busy])
    influencer = host.acct[influencer_person]
    host.busy.add(influencer_person)
    for org in orgs:  # (the influencer follows nobody: its rank is its own)
        for crew in org.crews:
            for m in crew.members[1:]:
                if m != influencer_person:
                    chunk.rel("FOLLOWS", "Account", org.acct[m], "Account", org.acct[crew.lead], since=b.when())
    everyone = [p for org in orgs for p in org.acct]
    fans = 0.5 if lean else 0.95  # in a small world a few influential followers outrank many (PageRank)
    for p in everyone:
        if p != influencer_person and rng.random() < fans:
            chunk.rel("FOLLOWS", "Account", primary(p), "Account", influencer, since=b.when())

    # Who is detained: the leader who gives orders from prison.
    jailed = next(o for o in orgs if o.spec.leader_in_prison)
    detained = jailed.leader
    chunk.rel("DETAINED_AT", "Person", detained, "Location", "L2", since=b.when())

    # Aliases: unattributed accounts registered with a person's phone or email; two with burners.
    aliases: dict[str, str] = {}
    emails = {r["s"]: r["e"] for r in chunk.rels[("HAS_EMAIL", "Person", "Email")]}
    for org in orgs:
        free = [m for m in org.crew_rank if m not in org.busy]
        org.alias_people = rng.sample(free, max(2, core.n_core // 10))
        if org is jailed:
            org.alias_people = [detained] + org.alias_people[1:]
        for p in org.alias_people:
            hidden = b.account(f"H{len(aliases) + 1}", rng.choice(pools.words) + " " + core.name_of(p))
            via = ("Email", emails[p]) if p in emails and rng.random() < 0.5 else ("Phone", "T" + p[1:])
            chunk.rel("REGISTERED_WITH", "Account", hidden, *via)
            aliases[hidden] = p
    unresolvable = []
    for k in range(2):
        hidden = b.account(f"HX{k + 1}", rng.choice(pools.words) + " " + rng.choice(pools.names[profile.locale][1]))
        chunk.rel("REGISTERED_WITH", "Account", hidden, "Phone", b.phone(None, f"TB{k + 1}"))
        unresolvable.append(hidden)
    prison_poster = next(h for h, p in aliases.items() if p == detained)

    # In each organisation one person keeps attributed accounts on three platforms.
    for org in orgs:
        pool = [m for m in org.crews[1].members[1:] if m not in org.busy and m not in org.alias_people]
        org.multi = rng.choice(pool or org.crews[1].members[1:])
        used = {next(r["platform"] for r in chunk.nodes["Account"] if r["id"] == org.acct[org.multi])}
        for k, platform in enumerate([p for p in PLATFORMS if p not in used][:2], start=2):
            extra = b.account(f"{org.acct[org.multi]}-{k}", core.name_of(org.multi), platform=platform, user=org.multi)
            chunk.rel("REGISTERED_WITH", "Account", extra, "Phone", "T" + org.multi[1:])

    # Posts: advertisers post slang (the first two each from the stash house), others mostly innocent. In
    # an organisation with a hub one advertiser is among the hub's runners (a weak signal near the hub).
    lex = profile.lexicon
    slang_posts = []
    for org in orgs:
        candidates = [m for m in org.crew_rank if m not in org.busy and m != org.multi]
        runners = [m for m in org.crews[0].members[1:] if m in candidates] if org.hub else []
        first = [rng.choice(runners)] if runners else []
        rest = [m for m in candidates if m not in first]
        org.advertisers = first + rng.sample(rest, max(2, len(org.crew_rank) // 6) - len(first))
    advertisers = [p for org in orgs for p in org.advertisers]
    for p in advertisers:
        for j in range(rng.randrange(3, 5)):
            at = b.near(*stash_at, 120) if j < 2 else (b.city_point(avoid_core) if rng.random() < 0.5 else None)
            slang_posts.append(b.post(core.next_post(), primary(p), b.fill(rng.choice(lex.slang_templates)), at))
    for k in range(2 if lean else 3):  # the prison poster
        b.post(core.next_post(), prison_poster, b.fill(rng.choice(lex.innocent_templates)), b.near(*prison_at, 100))
    innocent = [p for p in everyone if p not in advertisers]
    for p in innocent:
        if rng.random() < (0.15 if lean else 0.25):  # at most one slang post: below the weak-signal threshold
            slang_posts.append(b.post(core.next_post(), primary(p), b.fill(rng.choice(lex.slang_templates))))
        for _ in range(rng.randrange(0 if lean else 1, 2 if lean else 3)):
            at = b.city_point(avoid_core) if rng.random() < 0.5 else None
            post = b.post(core.next_post(), primary(p), b.fill(rng.choice(lex.innocent_templates)), at,
                          tagged=rng.choice(venues) if at and rng.random() < 0.4 else None)
            if rng.random() < 0.2:
                chunk.rel("MENTIONS", "Post", post, "Account", primary(rng.choice(everyone)))
    for hidden in aliases:
        if hidden != prison_poster:
            b.post(core.next_post(), hidden, b.fill(rng.choice(lex.innocent_templates)))

    # Relatives outside the organisations: family ties into each network.
    for org in orgs:
        for member in rng.sample(org.crew_rank, max(2, core.n_core // 8)):
            relative = core.person(org.spec, with_email=False)
            chunk.rel("FAMILY_OF", "Person", member, "Person", relative,
                      relation=rng.choice(("brother", "sister", "cousin", "mother", "father")))
            b.message(org.acct[member], primary(relative))
            org.family.append((member, relative))

    vendors = next(o for o in orgs if o.spec.vendors)
    migrated, impostors = build_darknet(b, vendors.crews[1], core.lean)
    collector = next(o for o in orgs if o.spec.wallets)
    chain = build_wallets(b, collector.acct[collector.hub or collector.crews[0].lead], lean)

    planted = {org.id: plant_organisation(core, org) for org in orgs}
    world = plant_world(core, orgs, by_kind, dict(
        influencer=influencer, detained=detained, prison_poster=prison_poster, stash_at=stash_at,
        prison_at=prison_at, chain=chain, jailed=jailed, advertisers=advertisers))
    aliases.update(world.aliases)
    touches = make_touches(core, profile, by_kind, chain)

    # Beside each hub, a runner with one slang post and a post tagged at a venue, but no post with coordinates:
    # weak-signals' "a place the post is tagged at does not count", in every world. Planted last, so that it
    # changes nothing drawn before it; a runner with a slang post or coordinates already is left alone.
    posted = chunk.rels.get(("POSTED", "Account", "Post"), [])
    telling = {r["id"] for r in chunk.nodes["Post"] if "latitude" in r} | set(slang_posts)
    taken = {r["s"] for r in posted if r["e"] in telling}
    for org in orgs:
        runners = [m for m in org.crews[0].members[1:] if m not in org.busy and m not in advertisers
                   and primary(m) not in taken] if org.hub else []
        if runners:
            runner = primary(rng.choice(runners))
            slang_posts.append(b.post(core.next_post(), runner, b.fill(rng.choice(lex.slang_templates))))
            b.post(core.next_post(), runner, b.fill(rng.choice(lex.innocent_templates)), tagged=rng.choice(venues))

    truth = GroundTruth(
        organisations=[OrgTruth(
            id=o.id, kind=o.spec.kind, leader=o.leader, hub=o.hub, broker=o.broker, lieutenants=o.lieutenants,
            crews=o.crews, family_ties=o.family + planted[o.id].family_ties, multi_platform_person=o.multi,
            four_platform_person=planted[o.id].four_platforms, quiet_member=planted[o.id].quiet) for o in orgs],
        influencer=influencer, aliases=aliases, unresolvable_aliases=unresolvable + ["HP1"],
        slang_accounts=sorted(primary(p) for p in advertisers), slang_posts=slang_posts, prison="L2",
        prison_poster=prison_poster, stash="L3", migrated_vendors=migrated, impostor_vendors=impostors,
        laundering_chain=chain, pagerank_top=world.pagerank_top,
        laundering_routes=world.laundering_routes or [chain], touches=touches)
    targets = [o.acct[m] for o in orgs for c in o.crews for m in c.members[1:] if m not in o.busy]
    refs = CoreRefs(core.next_n - 1, targets, influencer, venues, avoid_core)
    return chunk, truth, refs


def build_organisation(core: Core, spec: OrgSpec, index: int, crew_names: list[str], org_name: str) -> Org:
    """An organisation, its two crews as intelligence knows them, the go-between, who talks to whom and calls
    whom. Spokes talk only to their lead; mesh crews are dense; the go-between alone joins the crews."""
    b, rng, chunk = core.b, core.rng, core.chunk
    org_id = f"O{3 * index + 1}"
    chunk.node("Organization", id=org_id, name=org_name, kind="organisation")
    crew_ids = [f"O{3 * index + 2}", f"O{3 * index + 3}"]
    for crew_id, crew_name in zip(crew_ids, crew_names):
        chunk.node("Organization", id=crew_id, name=crew_name, kind="crew")
        chunk.rel("PART_OF", "Organization", crew_id, "Organization", org_id)

    separate = spec.leader == "separate"
    leader = core.person(spec) if separate else None
    broker = core.person(spec)
    in_crews = core.n_core - 1 - (1 if separate else 0)
    # a spoke crew needs enough spokes for its lead to stand out from a dense crew at the tiny size
    size0 = max(9 if spec.crews[0].kind == "spoke" else 6, round(in_crews * spec.crews[0].share))
    crews = []
    for i, size in enumerate((size0, in_crews - size0)):
        members = [core.person(spec) for _ in range(size)]
        crews.append(Crew(crew_names[i], crew_ids[i], spec.crews[i].kind, members[0], members))
        for m in members:
            chunk.rel("MEMBER_OF", "Person", m, "Organization", crew_ids[i])
    hub = crews[0].lead if crews[0].kind == "spoke" else None
    if spec.leader == "hub":
        leader = hub
    if leader:
        chunk.rel("MEMBER_OF", "Person", leader, "Organization", org_id)
    lieutenants = [c.lead for c in crews] if separate else []
    acct = {p: primary(p) for p in [broker, *(m for c in crews for m in c.members)] + ([leader] if leader else [])}

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
    if separate:  # the leader only ever calls his lieutenants (from prison, on a smuggled phone)
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
    busy = {broker, *side0, *side1} | ({leader} if leader else set())
    return Org(spec, index, org_id, crews, leader, hub, broker, lieutenants, acct, side0, side1, busy)


def make_touches(core: Core, profile: Profile, by_kind: dict[str, Org], chain: list[str]) -> dict[str, list[str]]:
    """Where the organisations touch (the design's `touches`): each reaches one member of an organisation at most
    once, so no touch makes anyone a go-between or an associate of an organisation's network."""
    b, rng, chunk = core.b, core.rng, core.chunk
    made: dict[str, list[str]] = {}
    touched: set[str] = set()  # one touch per person: nobody gains a hub's contacts from them
    for touch in profile.touches:
        first, second = (by_kind[k] for k in touch.between)
        if touch.kind == "supplier":  # deals with a crew's lead in each: messages and calls
            supplier = core.person(None)
            for org in (first, second):
                lead = org.crews[1].lead
                b.message(primary(supplier), org.acct[lead], heavy=True)
                b.call("T" + supplier[1:], "T" + lead[1:])
            made["supplier"] = [supplier]
        elif touch.kind == "relative":  # cousins in two organisations, who message each other
            a = rng.choice([m for m in first.crew_rank if m not in first.busy and m not in touched])
            c = rng.choice([m for m in second.crew_rank if m not in second.busy and m not in touched])
            touched |= {a, c}
            chunk.rel("FAMILY_OF", "Person", a, "Person", c, relation="cousin")
            b.message(first.acct[a], second.acct[c])
            made.setdefault("relative", []).extend([a, c])
        elif touch.kind == "burner":  # one phone nobody is known to hold, called from both
            burner = b.phone(None, "TX1")
            for org in (first, second):
                b.call("T" + org.crews[1].lead[1:], burner)
            made["burner"] = [burner]
        elif touch.kind == "money" and chain:  # a wallet on the first's money trail is the second's
            lead = second.crews[0].lead
            chunk.rel("CONTROLS", "Account", second.acct[lead], "Wallet", chain[3])
            made["money"] = [lead, chain[3]]
    return made


def pgp(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040X}"


def build_darknet(b: Builder, vendors: Crew, lean: bool) -> tuple[dict[str, str], list[str]]:
    """Vendors on a market that police seized; some moved to another market and kept their PGP key."""
    rng, chunk = b.rng, b.chunk
    seized = (EPOCH + timedelta(days=180)).isoformat()
    old_name, new_name = rng.sample(b.profile.markets, 2)
    old_kind, new_kind = (rng.choice(b.profile.market_kinds) for _ in range(2))
    chunk.node("Market", id="M1", name=f"{old_name} {old_kind}", status="seized", seized=seized)
    chunk.node("Market", id="M2", name=f"{new_name} {new_kind}", status="active")
    old_accounts, migrated = [], {}
    few = lean or len(vendors.members) < 10
    for k, member in enumerate(vendors.members[:5] if few else vendors.members, start=1):
        key = pgp(rng)
        account = vendor(b, f"V{k}")
        chunk.rel("VENDOR_ON", "Account", account, "Market", "M1", pgp=key,
                  since=(EPOCH + timedelta(days=rng.randrange(0, 150))).isoformat(), until=seized)
        old_accounts.append((account, key))
    movers = rng.sample(old_accounts, max(2 if few else 3, len(old_accounts) // 2))
    for k, (account, key) in enumerate(movers, start=1):
        new = vendor(b, f"VN{k}")
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
    for k in range(1 if few else 3):  # honest newcomers on the new market
        account = vendor(b, f"VW{k + 1}")
        chunk.rel("VENDOR_ON", "Account", account, "Market", "M2", pgp=pgp(rng),
                  since=(EPOCH + timedelta(days=rng.randrange(190, 300))).isoformat())
    return migrated, impostors


def vendor(b: Builder, account_id: str) -> str:
    """A vendor account on a darknet market, named as the trade names them."""
    b.chunk.node("Account", id=account_id, handle=b.vendor_name(), platform="darknet", created=b.when())
    return account_id


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
