"""Decoys: what makes the plausible mistakes of each exercise visible (exercises/NN-ID/mutants/).

A wrong query is only caught on data where it gives another answer than the right one. Each decoy below
plants such data in the core, with the mistakes it separates noted; every planted answer keeps its margin
(tests/test_truth.py). Decoys that an exercise about one organisation needs are planted in every organisation
(plant_organisation); those of the exercises about the whole world once (plant_world). Names that answers
return vary with the seed, so no answer is constant. Decoys draw from Randoms of their own.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .builder import PLATFORMS, primary
from .building import Core, Org
from .profiles import Profile

CREW_WORDS = ("North", "South", "East", "West", "Harbour", "River", "Market", "Station", "Canal", "Hill",
              "Park", "Bridge", "Tower", "Dock", "Mill", "Yard", "Quarter", "Ring", "Gate", "Field")


def seeded_names(profile: Profile, seed: int) -> list[tuple[list[str], str]]:
    """(crew names, organisation name) per organisation, each with a seeded first word: the answers that name
    crews and organisations differ by seed, and no two names are the same."""
    rng = random.Random(seed * 7919 + 3)
    words = iter(rng.sample(CREW_WORDS, 3 * len(profile.organisations)))
    named = []
    for org in profile.organisations:
        crews = [f"{next(words)} {c.name}" for c in org.crews]
        named.append((crews, f"{next(words)} {org.name}"))
    return named


def offset(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    """The point `metres` away on `bearing` (radians), small-distance approximation (< 0.1 % off)."""
    dlat = metres * math.cos(bearing) / 111_320
    dlon = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


@dataclass
class PlantedOrg:
    """What the decoys of one organisation add to the ground truth."""
    family_ties: list[tuple[str, str]] = field(default_factory=list)
    four_platforms: str = ""  # a member of the organisation only, with attributed accounts on four platforms
    quiet: str = ""  # a crew member with no attributed account
    juggler: str = ""  # three accounts on two platforms, two phones
    third_account: str = ""  # the juggler's account that messages another member only
    relative: str = ""  # the accountant's relative
    accountant: str = ""
    fixer: str = ""
    in_law: str = ""
    aliased: list[str] = field(default_factory=list)  # people the juggler and aliases must not be


@dataclass
class PlantedWorld:
    """What the decoys of the whole world add to the ground truth."""
    aliases: dict[str, str] = field(default_factory=dict)
    pagerank_top: str = ""
    laundering_routes: list[list[str]] = field(default_factory=list)


def plant_organisation(core: Core, org: Org) -> PlantedOrg:
    """The decoys that the exercises about one organisation need, planted in `org`."""
    rng = random.Random(core.seed * 7919 + 2 + 1000 * org.index)
    b, chunk, out = core.b, core.chunk, PlantedOrg()
    crews, acct, broker = org.crews, org.acct, org.broker
    lead_a = crews[0].lead
    taken = set(org.busy) | {org.multi} | set(org.alias_people)
    free_a = [m for m in crews[0].members[1:] if m not in taken]
    free_b = [m for m in crews[1].members[1:] if m not in taken] or \
        [m for m in crews[1].members[1:] if m not in org.busy] or crews[1].members[1:]

    def member(p: str, crew: int) -> None:
        chunk.rel("MEMBER_OF", "Person", p, "Organization", crews[crew].org_id)

    # The juggler: a crew-A member with three accounts on two platforms and two phones, all in contact
    # with the lead. Separates people from accounts and phones (DISTINCT, count(accounts) for platforms,
    # the closest pair of accounts for path-hops).
    juggler = rng.choice(free_a)
    used = next(r["platform"] for r in chunk.nodes["Account"] if r["id"] == acct[juggler])
    other = rng.choice([p for p in PLATFORMS if p != used])
    second = b.account(f"{acct[juggler]}-2", core.name_of(juggler), platform=other, user=juggler)
    third = b.account(f"{acct[juggler]}-3", core.name_of(juggler), platform=other, user=juggler)
    for extra in (second, third):
        chunk.rel("REGISTERED_WITH", "Account", extra, "Phone", "T" + juggler[1:])
    b.message(second, acct[lead_a])
    # the third account messages another member only: with the lead, a triangle of three people that
    # no three accounts form, and a pair of accounts farther apart than the closest pair
    b.message(third, acct[rng.choice([m for m in crews[0].members[1:] if m != juggler])])
    b.call(b.phone(juggler, f"T{juggler[1:]}-2"), "T" + lead_a[1:])
    out.juggler, out.third_account = juggler, third

    # The accountant: a member of the organisation only (no crew), called by the crew-A lead (calls
    # made, not received), with a relative who also messages a crew-A member. Separates crews from
    # organisations, calls from messages, incoming from either direction.
    accountant = core.person(org.spec)
    chunk.rel("MEMBER_OF", "Person", accountant, "Organization", org.id)
    # ... on four platforms, opened with a burner: exactly three or more than three are different
    # answers, and counting accounts registered with the accountant's own phone finds too few.
    burner = b.phone(None, f"TBD{org.index + 1}")
    taken_platforms = {next(r["platform"] for r in chunk.nodes["Account"] if r["id"] == primary(accountant))}
    for k, platform in enumerate([p for p in PLATFORMS if p not in taken_platforms][:3], start=2):
        extra = b.account(f"{primary(accountant)}-{k}", core.name_of(accountant), platform=platform, user=accountant)
        chunk.rel("REGISTERED_WITH", "Account", extra, "Phone", burner)
    out.four_platforms = out.accountant = accountant
    b.call("T" + lead_a[1:], "T" + accountant[1:])
    relative = core.person(org.spec, with_email=False)
    chunk.rel("FAMILY_OF", "Person", accountant, "Person", relative, relation=rng.choice(("brother", "cousin")))
    b.message(primary(accountant), primary(relative))
    b.message(primary(relative), acct[rng.choice(free_a)])
    out.family_ties.append((accountant, relative))
    out.relative = relative

    # A quiet crew-A member: no attributed account, only a phone that calls the lead. Separates
    # members from members with accounts (OPTIONAL MATCH, counts through USES).
    quiet = core.person(org.spec, account=False)
    member(quiet, 0)
    b.call("T" + quiet[1:], "T" + lead_a[1:])
    out.quiet = quiet

    # Family: a tie between two members, and one pointing from an outsider to a member (direction).
    m1, m2 = rng.choice(free_a), rng.choice(free_b)
    chunk.rel("FAMILY_OF", "Person", m1, "Person", m2, relation="cousin")
    in_law = core.person(org.spec, with_email=False)
    chunk.rel("FAMILY_OF", "Person", in_law, "Person", m2, relation=rng.choice(("sister", "brother")))
    out.family_ties.append((in_law, m2))
    chunk.rel("FAMILY_OF", "Person", relative, "Person", in_law, relation="cousin")  # outsiders only
    out.in_law = in_law

    # The fixer: a non-member in contact with two crew-A members and the broker. After the lead's
    # arrest those two still reach the broker, but only through someone who is not a member.
    fixer = core.person(org.spec, with_email=False)
    pool = [m for m in free_a if m != juggler]
    for m in rng.sample(pool if len(pool) >= 2 else [m for m in crews[0].members[1:] if m != juggler], 2):
        b.message(primary(fixer), acct[m])
    b.message(primary(fixer), acct[broker])
    out.fixer = fixer

    # Without a hub (highly networked): a popular crew-A lead in contact with every member and with
    # fans, two of them also in contact with another member. The most contacts, not the broker.
    if org.hub is None:
        talked = {(r["s"], r["e"]) for r in chunk.rels[("MESSAGED", "Account", "Account")]}
        for m in crews[0].members[1:]:
            if (acct[m], acct[lead_a]) not in talked and (acct[lead_a], acct[m]) not in talked:
                b.message(acct[lead_a], acct[m])
        near = {r["s"] for r in chunk.rels[("MESSAGED", "Account", "Account")] if r["e"] == acct[broker]} | \
            {r["e"] for r in chunk.rels[("MESSAGED", "Account", "Account")] if r["s"] == acct[broker]}
        for m in rng.sample([m for m in crews[0].members[1:] if acct[m] not in near], 2):
            b.message(acct[m], acct[broker])  # the broker keeps the top betweenness by a clear margin
        for k in range(12):  # enough to give the lead the top betweenness once anyone with one link counts
            fan = core.person(org.spec, with_email=False)
            b.message(primary(fan), acct[lead_a])
            if k < 2:
                b.message(primary(fan), acct[rng.choice(crews[0].members[1:])])

    # Who writes to whom: runners report to their lead, and everyone writes to the broker, who never
    # starts a conversation. Counting one direction finds another hub, and misses the broker.
    spokes = {acct[m] for m in crews[0].members[1:]} if crews[0].kind == "spoke" else set()
    for r in chunk.rels[("MESSAGED", "Account", "Account")]:
        if r["s"] == acct[broker] or (r["s"] == acct[lead_a] and r["e"] in spokes):
            r["s"], r["e"] = r["e"], r["s"]

    # Without a hub, the second crew is sometimes a ring without shortcuts: sparse, no triangles, yet
    # it survives any single arrest.
    ring = org.hub is None and rng.random() < 0.5
    if ring:
        order = crews[1].members
        keep = {frozenset((acct[order[i]], acct[order[(i + 1) % len(order)]])) for i in range(len(order))}
        inside = {acct[m] for m in order}
        chunk.rels[("MESSAGED", "Account", "Account")] = [
            r for r in chunk.rels[("MESSAGED", "Account", "Account")]
            if not (r["s"] in inside and r["e"] in inside) or frozenset((r["s"], r["e"])) in keep]

    # Crew cells: in a dense crew, two new members who message each other and one member: everyone has
    # two contacts, yet arresting that member cuts the cell off (connectivity, not degree). Seeded, so
    # hidden scenarios differ in which crew survives.
    for i, crew in enumerate(crews):
        if crew.kind == "mesh" and rng.random() < 0.5 and not (ring and i == 1):
            # the least connected member: the hub keeps its margin of contacts
            degree = {m: sum(acct[m] in (r["s"], r["e"]) for r in chunk.rels[("MESSAGED", "Account", "Account")])
                      for m in crew.members[1:]}
            anchor = min(sorted(degree), key=degree.get)
            n1, n2 = core.person(org.spec), core.person(org.spec)
            for p in (n1, n2):
                member(p, i)
            b.message(primary(n1), primary(n2))
            friend = rng.choice([m for m in crew.members[1:] if m != anchor])
            for p in (n1, n2):  # they follow another member: connected by FOLLOWS, not by messages
                chunk.rel("FOLLOWS", "Account", primary(p), "Account", acct[friend], since=b.when())
            b.message(primary(n1), acct[anchor])
            b.message(primary(n2), acct[anchor])
    core.decoys[org.id] = out
    return out


def plant_world(core: Core, orgs: list[Org], by_kind: dict[str, Org], ctx: dict) -> PlantedWorld:
    """The decoys of the exercises about the whole world (aliases, PageRank, posts, the prison, the money).
    ctx: influencer, detained, prison_poster, stash_at, prison_at, chain, jailed, advertisers."""
    rng = random.Random(core.seed * 7919 + 5)
    b, chunk, out = core.b, core.chunk, PlantedWorld()
    street = by_kind["hub-and-spoke"]  # the posts' decoys are planted around the street ring's people
    planted = core.decoys[street.id]
    juggler = planted.juggler

    # Aliases: one registered with both the phone and the email of its person (DISTINCT), one with an
    # email only that none of that person's accounts uses (phone-only, links through other accounts).
    taken = set(street.busy) | {street.multi, juggler} | set(street.alias_people)
    pool = [m for m in street.crew_rank if m not in taken]
    pa, pb = rng.sample(pool if len(pool) >= 2 else [m for m in street.crew_rank if m != juggler], 2)
    for k, (p, both) in enumerate(((pa, True), (pb, False)), start=1):
        email = b.email(p, f"ED{k}", core.name_of(p))
        alias = b.account(f"HD{k}", rng.choice(b.pools.words) + " " + core.name_of(p))
        chunk.rel("REGISTERED_WITH", "Account", alias, "Email", email)
        if both:
            chunk.rel("REGISTERED_WITH", "Account", alias, "Phone", "T" + p[1:])
        out.aliases[alias] = p

    # PageRank: the imprisoned leader's private account, followed by the influencer (who follows no one else)
    # and, in a small world, by every crew's lead and every go-between. Few followers, influential ones: the
    # PageRank top is not the follower-count top. Only at the small (hidden) size: in a class-sized world the
    # influencer's many followers win by too little for PageRank to separate them reliably.
    jailed = ctx["jailed"]
    owner = jailed.leader
    private = b.account(f"{jailed.acct[owner]}-p", core.name_of(owner), user=owner)
    chunk.rel("FOLLOWS", "Account", ctx["influencer"], "Account", private, since=b.when())
    if core.lean:
        for org in orgs:
            for follower in [c.lead for c in org.crews] + [org.broker]:
                chunk.rel("FOLLOWS", "Account", org.acct[follower], "Account", private, since=b.when())
    out.pagerank_top = private if core.lean else ctx["influencer"]

    # A promoter that follows everyone in the core (and a few follow back): most contacts in either
    # direction, few followers. Unattributed: counting only attributed followers is wrong too.
    promoter = b.account("HP1", rng.choice(b.pools.words) + " " + rng.choice(b.pools.names[b.profile.locale][1]))
    relatives = {primary(r) for org in orgs for _, r in org.family}
    targets = sorted({a for org in orgs for a in org.acct.values()} | relatives | {private})
    for a in targets:
        chunk.rel("FOLLOWS", "Account", promoter, "Account", a, since=b.when())
    plain = sorted(org.acct[m] for org in orgs for m in org.crew_rank if org.acct[m] != ctx["influencer"])
    for a in rng.sample(plain, 2):  # (followers with little rank to pass on)
        chunk.rel("FOLLOWS", "Account", a, "Account", promoter, since=b.when())

    # Posts. One advertiser shouts (upper case: case-sensitive matching misses it); advertisers also
    # post innocent text at the stash house (all posts vs slang posts); a venue next to the stash
    # house and an address 1.5 km away get one more slang post than the stash house, within 200 m and
    # within 2 km respectively (location type, radius).
    advertisers = ctx["advertisers"]
    loud = next((p for p in advertisers if p in street.crews[0].members), advertisers[0])
    loud_posts = {r["e"] for r in chunk.rels[("POSTED", "Account", "Post")] if r["s"] == primary(loud)}
    for row in chunk.nodes["Post"]:
        if row["id"] in loud_posts:
            row["text"] = row["text"].upper()
    stash_lat, stash_lon = ctx["stash_at"]
    lex = b.profile.lexicon
    for p in advertisers[:2]:
        b.post(core.next_post(), primary(p), b.fill(rng.choice(lex.innocent_templates)), b.near(stash_lat, stash_lon, 100))
    bearing = rng.random() * 2 * math.pi
    names = {r["name"] for r in chunk.nodes["Location"]}
    rng.sample(b.pools.words, len(b.pools.words))  # the draws this venue's name once took (core.spend_old_name_draws)
    venue = next(n for n in core.venue_names if n not in names)
    b.location("LV1", venue, "venue", offset(stash_lat, stash_lon, 40, bearing))
    b.post(core.next_post(), primary(planted.in_law), b.fill(rng.choice(lex.slang_templates)),
           offset(stash_lat, stash_lon, 225, bearing))
    away = bearing + math.pi
    b.location("LD1", b.address_name(), "address", offset(stash_lat, stash_lon, 1500, away))
    locations = chunk.nodes["Location"]
    locations.insert(0, locations.pop())  # listed first: a LIMIT without ORDER BY tends to return it
    b.post(core.next_post(), planted.third_account, b.fill(rng.choice(lex.slang_templates)),
           offset(stash_lat, stash_lon, 1550, away))
    decoy_lat, decoy_lon = offset(stash_lat, stash_lon, 1500, away)
    for k, p in enumerate((planted.relative, planted.accountant, planted.fixer, planted.quiet)):
        # one slang post each (no weak signal), 1.5 km beyond the address, spread out (no cluster near
        # another address), > 2 km from the stash
        b.post(core.next_post(), primary(p), b.fill(rng.choice(lex.slang_templates)),
               offset(decoy_lat, decoy_lon, 1500, away + math.radians(-60 + 40 * k)))

    # The prison: posts from inside lie 60-400 m from its centre (a 50 m radius misses them), and a
    # second person is detained there who never posts from it.
    prison_lat, prison_lon = ctx["prison_at"]
    prison_posts = {r["e"] for r in chunk.rels[("POSTED", "Account", "Post")] if r["s"] == ctx["prison_poster"]}
    for row in chunk.nodes["Post"]:
        if row["id"] in prison_posts and "latitude" in row:
            row["latitude"], row["longitude"] = offset(prison_lat, prison_lon, rng.uniform(60, 400),
                                                       rng.random() * 2 * math.pi)
    chunk.rel("DETAINED_AT", "Person", rng.choice([m for org in orgs for m in org.crew_rank
                                                    if m not in (juggler, pa, pb, ctx["detained"])]),
              "Location", "L2", since=b.when())

    # Money: a second, longer route to the cash-out, and an exchange paying into the chain (money
    # flows one way: an undirected route would reach that exchange).
    chain = ctx["chain"]
    if chain:
        buyer, collect, hop1, hop2, cashout = chain
        detour = "WL1"
        chunk.node("Wallet", id=detour, address="bc1q" + "".join(rng.choice("023456789acdefghjklmnpqrstuvwxyz")
                                                                  for _ in range(38)), chain="bitcoin")
        refund = "WR1"
        chunk.node("Wallet", id=refund, address="bc1q" + "".join(rng.choice("023456789acdefghjklmnpqrstuvwxyz")
                                                                  for _ in range(38)), chain="bitcoin")
        first = next(r["p"]["time"] for r in chunk.rels[("SENT", "Wallet", "Wallet")] if r["s"] == hop1 and r["e"] == hop2)
        for a, c in ((hop1, detour), (detour, hop2), ("WX2", refund), (refund, hop1)):
            chunk.rel("SENT", "Wallet", a, "Wallet", c, amount=round(rng.uniform(0.01, 0.2), 5), time=first)
        out.laundering_routes = [chain, [buyer, collect, hop1, detour, hop2, cashout]]
    return out
