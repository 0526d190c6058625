"""The transforms of a varied world: each breaks one habit of the generator that no prompt promises.

A transform reads the world through its data model (labels, relationship types, an organisation's kind,
who is a known member, who has the most contacts) and changes it in place with its own Random. None knows
an organisation's wiring or the generator's ids, so each keeps working when the generator changes. Where an
edge case matters to an exercise about one organisation, the transform plants it in the organisation that
exercise asks about in this world (World.asked), or in the crews of one organisation (a bridge between crews
of two different organisations would link nothing the prompts ask about). Whether a changed world still keeps every exercise's guarantees
is decided by scenario.variation, which drops a transform that breaks one.

Every transform here says which regularity it breaks (`breaks`), for people choosing hidden worlds and for
the tests that check each regularity is false in some varied world.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

import networkx as nx

# the parameters and rankings that the exercises use, chosen the same way here (a transform that plants data
# for common-contacts' pair must find the pair that exercise will ask about)
from ..exercises.answers import (buyers, call_degrees, cash_routes, common_pair, hub, path_pair, signal_hub,
                                 slang_near)
from .focus import (answer_namesakes, answer_repeats, answer_self_contacts, answer_split_contacts, answer_twins,
                    borrowed_registration, crew_at_threshold, loose_org_tree, one_contact_twice,
                    organisation_only_members, outsider_most_followed, shared_crew_name)
from .world import ORG_WORDS, World, org_name, point_at, when


@dataclass(frozen=True)
class Transform:
    name: str
    chance: float  # of being applied to a varied world
    apply: Callable[[World, random.Random], None]
    breaks: str  # the generator's habit that this transform breaks, in words


EXCHANGES = ("CoinSwap", "BitHarbor", "KryptoHub", "SatoshiDesk", "LedgerPoint", "ChainCash")
MARKET_WORDS = ("Bazaar", "Market", "Emporium", "Agora", "Plaza", "Souk")


def contact_degree(world: World, channel: str) -> dict[str, int]:
    g = world.graphs()
    graph = g.messaging if channel == "MESSAGED" else g.calls
    return dict(graph.degree())


def ranked(scores: dict[str, int]) -> list[str]:
    return sorted(scores, key=lambda key: (-scores[key], key))


def outsiders(world: World) -> list[str]:
    """People who are no known member of anything and link no crews: the natural extras of any answer."""
    g = world.graphs()
    return sorted(p for p in g.nodes["Person"] if p not in g.known_members and p not in g.go_betweens)


def crews_reached(world: World, person: str) -> set[str]:
    """The crews whose known members `person` exchanges messages with."""
    g = world.graphs()
    return {c for c in g.crews if g.crew_members(c) & set(g.messaging[person])}


def asked_view(world: World, rng: random.Random, exercises: tuple[str, ...]):
    """The world as one of these exercises (chosen by `rng`) reads it: focused on the organisation it asks about."""
    return world.asked(rng.choice(exercises))


CREW_EXERCISES = ("crews", "crew-triangles", "crew-density", "crew-survives-arrest", "member-accounts")
BRIDGE_EXERCISES = ("broker-both-crews", "betweenness-gds", "arrest-cutoff", "hub-vs-broker", "second-degree")


def accounts_with(world: World, predicate) -> list[str]:
    return [a for a in world.ids("Account") if predicate(a)]


def not_darknet(world: World, account: str) -> bool:
    return world.row("Account", account)["platform"] != "darknet"


# ---------------------------------------------------------------- names and kinds


def neutral_org_names(world: World, rng: random.Random) -> None:
    taken: set[str] = set()
    for row in sorted(world.rows("Organization"), key=lambda r: r["id"]):
        row["name"] = org_name(rng, taken)
    world.touch()


def duplicate_names(world: World, rng: random.Random) -> None:
    """One or two people take the name of another: often of someone near the top of a ranking, so that
    grouping by name instead of by person changes the answer."""
    people = sorted(world.ids("Person"))
    leaders = ranked(contact_degree(world, "MESSAGED"))[:4] + ranked(contact_degree(world, "CALLED"))[:2] + \
        [hub(world.asked("hub-messages")), ranked(call_degrees(world.asked("hub-calls")))[0]]
    for _ in range(rng.choice((1, 2))):
        source = rng.choice(leaders) if rng.random() < 0.6 else rng.choice(people)
        name = world.row("Person", source)["name"]
        target = rng.choice([p for p in people if world.row("Person", p)["name"] != name])
        world.row("Person", target)["name"] = name
    crews = [c for c in world.crews() if len(world.members(c)) >= 2]
    if crews and rng.random() < 0.5:  # two members of one crew
        a, b = rng.sample(world.members(rng.choice(crews)), 2)
        world.row("Person", b)["name"] = world.row("Person", a)["name"]
    world.touch()


def shared_handle(world: World, rng: random.Random) -> None:
    """An account takes the handle of another (the same handle on two platforms, or a copy); often another
    followed account takes the handle of the most followed one, so that counting by handle adds them up."""
    g = world.graphs()
    followers = dict(g.follows.in_degree())
    followed = ranked(followers)[:3]
    if rng.random() < 0.4:
        top = world.row("Account", followed[0])
        others = [a for a in sorted(followers) if followers[a] > 0 and a != followed[0]
                  and world.row("Account", a)["handle"] != top["handle"]]
        if others:
            world.row("Account", rng.choice(others))["handle"] = top["handle"]
    unattributed = [a for a in world.ids("Account") if a not in g.owner]
    posting = sorted(g.posts_by_account)
    everyone = sorted(world.ids("Account"))
    pool = sorted(set(followed + unattributed + posting))
    for _ in range(rng.choice((1, 2))):
        source = rng.choice(pool) if rng.random() < 0.7 else rng.choice(everyone)
        row = world.row("Account", source)
        others = [a for a in everyone if world.row("Account", a)["handle"] != row["handle"]]
        elsewhere = [a for a in others if world.row("Account", a)["platform"] != row["platform"]]
        target = rng.choice(elsewhere or others)
        world.row("Account", target)["handle"] = row["handle"]
    world.touch()


# ---------------------------------------------------------------- crews and their members


def asked_orgs(world: World, exercises: tuple[str, ...]) -> list[str]:
    """The organisations these exercises ask about in this world (each once, by id)."""
    return sorted({org for org in (world.asked(e).org for e in exercises) if org})


def empty_crew(world: World, rng: random.Random) -> None:
    """Intelligence has named a crew without knowing any of its members: in organisations that the crew
    exercises ask about, and sometimes in none."""
    taken = {r["name"] for r in world.rows("Organization")}
    parents = [org for org in asked_orgs(world, CREW_EXERCISES) if rng.random() < 0.7]
    for parent in parents + ([None] if rng.random() < 0.3 or not parents else []):
        crew = world.add("Organization", rng, name=org_name(rng, taken), kind="crew")
        if parent:
            world.link("PART_OF", "Organization", crew, "Organization", parent, rng)


def isolated_member(world: World, rng: random.Random) -> None:
    """A known crew member with no contact at all (an account that messages nobody, or none; a phone that
    calls nobody, or none), in crews of organisations that the crew exercises ask about."""
    g = world.graphs()
    for org in asked_orgs(world, CREW_EXERCISES):
        crews = [c for c in g.crews_of(org) if world.members(c)]
        if not crews or rng.random() < 0.4:
            continue
        person = world.new_person(rng)
        world.link("MEMBER_OF", "Person", person, "Organization", rng.choice(crews), rng)
        if rng.random() < 0.6:
            account = world.new_account(rng, person)
            if rng.random() < 0.5:
                world.post(rng, account, world.innocent_text(rng))
        if rng.random() < 0.5:
            world.new_phone(rng, person)


def member_bridge(world: World, rng: random.Random) -> None:
    """A crew member who also messages several members of another crew: the go-between is then not the
    only route between the crews, and often not the top by betweenness."""
    g = asked_view(world, rng, BRIDGE_EXERCISES)  # two crews of one organisation
    crew_members = {c: [p for p in sorted(g.crew_members(c)) if world.accounts_of(p)] for c in g.crews}
    crews = [c for c in g.crews if crew_members[c]]
    if len(crews) < 2:
        return
    home, other = rng.sample(crews, 2)
    bridge = rng.choice([p for p in crew_members[home] if p not in crew_members[other]] or crew_members[home])
    targets = [p for p in crew_members[other] if p != bridge and not g.messaging.has_edge(bridge, p)]
    for person in rng.sample(targets, min(len(targets), rng.randint(2, 5))):
        world.contact("MESSAGED", "Account", rng.choice(world.accounts_of(bridge)),
                      rng.choice(world.accounts_of(person)), rng)


def triangle_free_crew(world: World, rng: random.Random) -> None:
    """A crew whose members form no triangle: message links inside it are cut, most-shared pair first."""
    g = world.asked("crew-triangles") if rng.random() < 0.7 else world.graphs()
    crews = [c for c in g.crews if sum(nx.triangles(g.messaging.subgraph(g.crew_members(c))).values())]
    if not crews:
        return
    members = world.graphs().crew_members(rng.choice(crews))
    while True:
        inside = world.graphs().messaging.subgraph(members)
        pairs = sorted(tuple(sorted(e)) for e in inside.edges())
        shared = {e: len(set(inside[e[0]]) & set(inside[e[1]])) for e in pairs}
        if not pairs or not max(shared.values()):
            return
        a, b = max(pairs, key=lambda e: shared[e])
        mine, theirs = set(world.accounts_of(a)), set(world.accounts_of(b))
        world.unlink("MESSAGED", "Account", "Account", lambda r: r["s"] in mine and r["e"] in theirs
                     or r["s"] in theirs and r["e"] in mine)


# ---------------------------------------------------------------- hubs and links


def call_hub_elsewhere(world: World, rng: random.Random) -> None:
    """Someone other than the message hub calls the most people: the hubs of the two channels differ (among the
    members of the organisation that hub-calls asks about)."""
    view = world.asked("hub-calls")
    calls, message_hub = contact_degree(world, "CALLED"), hub(view)
    holders = sorted({r["s"] for r in world.rels("HAS_PHONE", "Person", "Phone")})
    candidates = [p for p in holders if p != message_hub and p in view.org_members]
    if not candidates:
        return
    caller = rng.choice(candidates)
    top = max(call_degrees(view).values(), default=0)
    g = world.graphs()
    targets = [p for p in holders if p != caller and calls.get(p, 0) <= top - 2 and not g.calls.has_edge(caller, p)]
    need = top + 1 - calls.get(caller, 0) + rng.choice((0, 1))
    if need < 1 or len(targets) < need:
        return
    contact_many(world, rng, "CALLED", "Phone", world.phones_of, caller, targets, need)


def contact_many(world: World, rng: random.Random, rel: str, label: str, means_of, person: str,
                 targets: list[str], need: int) -> None:
    """`person` gets in touch with `need` of `targets`, from one of their phones or accounts (`means_of`) to
    one of each other's, in a random direction (the draws in the order the two hub transforms made them)."""
    own = rng.choice(means_of(person))
    for other in rng.sample(targets, need):
        theirs = rng.choice(means_of(other))
        a, b = (own, theirs) if rng.random() < 0.5 else (theirs, own)
        world.contact(rel, label, a, b, rng)


def outsider_message_hub(world: World, rng: random.Random) -> None:
    """A person who is no known member has the most message contacts (with members of one crew at most, so
    that the go-between stays the only link between crews)."""
    g = world.graphs()
    messages = dict(g.messaging.degree())
    candidates = [p for p in outsiders(world) if world.accounts_of(p)]
    if not candidates or not g.crews:
        return
    person = rng.choice(candidates)
    allowed_crew = min(crews_reached(world, person), default=None) or rng.choice(g.crews)  # one crew at most
    crew_of = world.crew_of()
    top = max(messages.values(), default=0)
    targets = [p for p in sorted(set(g.owner.values()))
               if p != person and messages.get(p, 0) <= top - 2 and not g.messaging.has_edge(person, p)
               and crew_of.get(p, [allowed_crew]) == [allowed_crew] and p not in g.go_betweens]
    need = top + 1 - messages.get(person, 0) + rng.choice((0, 1))
    if need < 1 or len(targets) < need:
        return
    contact_many(world, rng, "MESSAGED", "Account", world.accounts_of, person, targets, need)


def self_contact(world: World, rng: random.Random) -> None:
    """A person whose own two accounts message each other (and, often, whose own two phones call each other):
    often the person with the most contacts, so that counting oneself changes the top count."""
    g = world.graphs()
    messages = contact_degree(world, "MESSAGED")
    users = sorted(set(g.owner.values()))
    talkers = [p for p in users if messages.get(p, 0) > 0] or users
    if talkers:
        top = hub(world.asked("hub-messages")) if rng.random() < 0.7 else ranked(messages)[0]
        person = top if rng.random() < 0.5 and top in users else rng.choice(talkers)
        accounts = world.accounts_of(person)
        if len(accounts) < 2:
            have = world.row("Account", accounts[0])["platform"]
            accounts.append(world.new_account(rng, person, rng.choice([p for p in world.platforms() if p != have]
                                                                      or [have])))
        a, b = rng.sample(accounts, 2)
        world.contact("MESSAGED", "Account", a, b, rng)
    if rng.random() < 0.6:
        calls = contact_degree(world, "CALLED")
        holders = sorted({r["s"] for r in world.rels("HAS_PHONE", "Person", "Phone")})
        if not holders:
            return
        person = ranked(calls)[0] if rng.random() < 0.5 and ranked(calls)[0] in holders else rng.choice(holders)
        phones = world.phones_of(person)
        if len(phones) < 2:
            phones.append(world.new_phone(rng, person))
        a, b = rng.sample(phones, 2)
        world.contact("CALLED", "Phone", a, b, rng)


def links_of_leaders(world: World, rel_type: str, label: str) -> tuple[list[dict], list[dict]]:
    """(relationships of the three people with the most contacts on this channel, all of them)."""
    rows = list(world.rels(rel_type, label, label))
    view = world.asked("hub-messages" if rel_type == "MESSAGED" else "hub-calls")
    asked_top = hub(view) if rel_type == "MESSAGED" else ranked(call_degrees(view))[0]
    leaders = ranked(contact_degree(world, rel_type))[:3] + [asked_top]
    owned = {x for p in leaders for x in (world.accounts_of(p) if label == "Account" else world.phones_of(p))}
    return [r for r in rows if r["s"] in owned or r["e"] in owned], rows


def repeated_links(world: World, rng: random.Random) -> None:
    """A second MESSAGED or CALLED relationship between the same two accounts or phones."""
    for rel_type, label in (("MESSAGED", "Account"), ("CALLED", "Phone")):
        near, rows = links_of_leaders(world, rel_type, label)
        for _ in range(rng.randint(1, 3) if rows else 0):
            row = rng.choice(near if near and rng.random() < 0.6 else rows)
            world.contact(rel_type, label, row["s"], row["e"], rng)


def two_way_links(world: World, rng: random.Random) -> None:
    """Contact recorded both ways: a relationship from b to a beside the one from a to b."""
    for rel_type, label in (("MESSAGED", "Account"), ("CALLED", "Phone")):
        near, rows = links_of_leaders(world, rel_type, label)
        present = {(r["s"], r["e"]) for r in rows}
        near = [r for r in near if (r["e"], r["s"]) not in present and r["s"] != r["e"]]
        rows = [r for r in rows if (r["e"], r["s"]) not in present and r["s"] != r["e"]]
        for _ in range(rng.randint(1, 3) if rows else 0):
            row = rng.choice(near if near and rng.random() < 0.6 else rows)
            if (row["e"], row["s"]) not in present:
                world.contact(rel_type, label, row["e"], row["s"], rng)
                present.add((row["e"], row["s"]))


# ---------------------------------------------------------------- answers that are no known members


def outsider_common_contact(world: World, rng: random.Random) -> None:
    """Someone who is no known member messages both people of common-contacts' pair."""
    g = world.asked("common-contacts")
    pair = common_pair(g)
    if pair is None:
        return
    a, b = pair
    crews = {c for c in g.crews if {a, b} <= g.crew_members(c)}  # the pair's crew: reaching no other one
    candidates = [p for p in outsiders(world) if world.accounts_of(p) and p not in pair
                  and not (g.messaging.has_edge(p, a) and g.messaging.has_edge(p, b))
                  and crews_reached(world, p) <= crews]
    if not candidates or not world.accounts_of(a) or not world.accounts_of(b):
        return
    person = rng.choice(candidates)
    for member in (a, b):
        if not g.messaging.has_edge(person, member):
            world.contact("MESSAGED", "Account", rng.choice(world.accounts_of(person)),
                          rng.choice(world.accounts_of(member)), rng)


def outsider_platforms(world: World, rng: random.Random) -> None:
    """Someone who is no known member uses accounts on three (or four) platforms."""
    people = outsiders(world)
    if not people:
        return
    person = rng.choice(people)
    have = {world.row("Account", a)["platform"] for a in world.accounts_of(person)}
    missing = [p for p in world.platforms() if p not in have]
    for platform in rng.sample(missing, max(0, min(len(missing), rng.choice((3, 3, 4)) - len(have)))):
        world.new_account(rng, person, platform)


def outsider_slang(world: World, rng: random.Random) -> None:
    """An account that is no known member's (someone else's, or nobody's known) posts slang three times; often
    another such account posts it exactly twice (below the threshold of three)."""
    g = world.graphs()
    members = g.known_members
    accounts = accounts_with(world, lambda a: not_darknet(world, a) and g.owner.get(a) not in members)
    if not accounts:
        return
    slang = {a: sum(world.is_slang(p["text"]) for p in g.posts_by_account.get(a, [])) for a in accounts}
    for wanted in ((3, 2) if rng.random() < 0.5 else (3,)):
        fits = [a for a in accounts if slang[a] <= wanted]
        if not fits:
            return
        account = rng.choice(fits)
        accounts.remove(account)
        for _ in range(wanted - slang[account]):
            text = world.slang_text(rng)
            world.post(rng, account, text.upper() if rng.random() < 0.3 else text)


def outsider_alias(world: World, rng: random.Random) -> None:
    """An account nobody is known to use, registered with the phone or email of someone who is no known member."""
    held = [(r["s"], "Phone", r["e"]) for r in world.rels("HAS_PHONE", "Person", "Phone")] + \
           [(r["s"], "Email", r["e"]) for r in world.rels("HAS_EMAIL", "Person", "Email")]
    people = set(outsiders(world))
    choices = sorted(h for h in held if h[0] in people)
    if not choices:
        return
    person, label, detail = rng.choice(choices)
    account = world.new_account(rng, None, base=world.row("Person", person)["name"].split()[0])
    world.link("REGISTERED_WITH", "Account", account, label, detail, rng)
    if rng.random() < 0.5:
        world.post(rng, account, world.innocent_text(rng))


def alias_twin(world: World, rng: random.Random) -> None:
    """Someone behind an alias opened a second one with the same handle on another platform, registered with
    the same phone or email: two accounts, one handle, one person."""
    g = world.graphs()
    held = {r["e"] for r in world.rels("HAS_PHONE", "Person", "Phone")} | \
           {r["e"] for r in world.rels("HAS_EMAIL", "Person", "Email")}
    aliases = [(r["s"], label, r["e"]) for label in ("Phone", "Email")
               for r in world.rels("REGISTERED_WITH", "Account", label) if r["s"] not in g.owner and r["e"] in held]
    aliases = [a for a in aliases if not_darknet(world, a[0])]
    if not aliases:
        return
    account, label, detail = rng.choice(sorted(aliases))
    row = world.row("Account", account)
    platform = rng.choice([p for p in world.platforms() if p != row["platform"]] or [row["platform"]])
    twin = world.add("Account", rng, handle=row["handle"], platform=platform, created=when(rng))
    world.link("REGISTERED_WITH", "Account", twin, label, detail, rng)


def outsider_prison_post(world: World, rng: random.Random) -> None:
    """Someone who is no known member (a visitor) posts from inside the prison grounds."""
    g = world.graphs()
    prisons = [r for r in world.rows("Location") if r["type"] == "prison"]
    accounts = accounts_with(world, lambda a: not_darknet(world, a) and g.owner.get(a) not in g.known_members)
    if not prisons or not accounts:
        return
    prison = rng.choice(prisons)
    world.post(rng, rng.choice(accounts), world.innocent_text(rng),
               point_at(prison["latitude"], prison["longitude"], 60, 480, rng))


# ---------------------------------------------------------------- thresholds


def threshold_posts(world: World, rng: random.Random) -> None:
    """Posts on both sides of the distance thresholds the prompts use: just inside and just outside 500 m of
    a prison, and slang just inside and just outside 200 m of the address with the most slang around it."""
    accounts = accounts_with(world, lambda a: not_darknet(world, a))
    if not accounts:
        return
    for prison in [r for r in world.rows("Location") if r["type"] == "prison"]:
        for low, high in ((495.5, 499.5), (500.5, 505.0)):
            if rng.random() < 0.7:
                world.post(rng, rng.choice(accounts), world.innocent_text(rng),
                           point_at(prison["latitude"], prison["longitude"], low, high, rng))
    scores = slang_near(world.graphs(), "address", 200)
    if not scores:
        return
    best = world.row("Location", ranked(scores)[0])
    for low, high in ((195.0, 199.5), (200.5, 205.0)):
        if rng.random() < 0.7:
            world.post(rng, rng.choice(accounts), world.slang_text(rng),
                       point_at(best["latitude"], best["longitude"], low, high, rng))


def resident_at_the_stash(world: World, rng: random.Random) -> None:
    """Somebody lives at the address with the most slang posts around it (a stash house is somebody's home
    as often as not): one person's home moves there."""
    scores = slang_near(world.graphs(), "address", 200)
    homes = world.rels("LIVES_AT", "Person", "Location")
    if not scores or not homes:
        return
    best = ranked(scores)[0]
    if not any(r["e"] == best for r in homes):
        rng.choice(homes)["e"] = best
        world.touch()


def weak_signal_edges(world: World, rng: random.Random) -> None:
    """Around weak-signals' $hub: a contact with slang and a post tagged at a place but no post with
    coordinates; and a contact who is no known member with both signals."""
    g = world.asked("weak-signals")
    the_hub = signal_hub(g)
    if the_hub is None:
        return
    mine = set(world.accounts_of(the_hub))
    contacts = sorted(({r["e"] for r in world.rels("MESSAGED", "Account", "Account") if r["s"] in mine} |
                       {r["s"] for r in world.rels("MESSAGED", "Account", "Account") if r["e"] in mine}) - mine)
    places = sorted(r["id"] for r in world.rows("Location") if r["type"] in ("venue", "address"))

    def located(account: str) -> bool:
        return any("latitude" in p for p in g.posts_by_account.get(account, []))

    unlocated = [a for a in contacts if not located(a)]
    if unlocated and places:
        account = rng.choice(unlocated)
        world.post(rng, account, world.slang_text(rng))
        post = world.post(rng, account, world.innocent_text(rng))
        world.link("TAGGED_AT", "Post", post, "Location", rng.choice(places), rng)
    venues = [r for r in world.rows("Location") if r["type"] == "venue"]
    strangers = [a for a in contacts if g.owner.get(a) not in g.known_members]
    if strangers and venues and rng.random() < 0.7:
        account = rng.choice(strangers)
        venue = rng.choice(venues)
        world.post(rng, account, world.slang_text(rng))
        world.post(rng, account, world.innocent_text(rng), point_at(venue["latitude"], venue["longitude"], 20, 150, rng))


def path_shortcut(world: World, rng: random.Random) -> None:
    """path-hops' suspects closer than the generator puts them: a message from an account of $a to an account
    further along their shortest route (the number of hops is whatever the data says, not the generator's)."""
    view = world.asked("path-hops")
    pair = path_pair(view)
    if pair is None:
        return
    graph = view.account_messaging
    ends = [[x for x in world.accounts_of(person) if x in graph] for person in pair]
    routes = [nx.shortest_path(graph, x, y) for x in ends[0] for y in ends[1] if nx.has_path(graph, x, y)]
    route = min(routes, key=lambda r: (len(r), r), default=None)
    if route is None or len(route) < 4:
        return
    world.contact("MESSAGED", "Account", route[0], route[rng.randrange(2, len(route) - 1)], rng)


# ---------------------------------------------------------------- money and markets


def exchange_mid_route(world: World, rng: random.Random) -> None:
    """An exchange in the middle of a route to cash: money reaches an exchange and is paid on from it."""
    g = world.graphs()
    starts = buyers(g)
    if not starts:
        return
    routes = [r for r in cash_routes(g, rng.choice(starts)) if len(r) >= 3]
    if not routes:
        return
    route = rng.choice(routes)
    i = rng.randrange(1, len(route) - 1)
    payer, payee = route[i], route[i + 1]
    alphabet = "023456789acdefghjklmnpqrstuvwxyz"
    taken = {r["address"] for r in world.rows("Wallet")}
    address = next(a for a in ("bc1q" + "".join(rng.choice(alphabet) for _ in range(38)) for _ in range(99))
                   if a not in taken)
    exchange = world.add("Wallet", rng, address=address, chain="bitcoin", exchange=rng.choice(EXCHANGES))
    paid = next(r["p"] for r in world.rels("SENT", "Wallet", "Wallet") if r["s"] == payer and r["e"] == payee)
    for a, b in ((payer, exchange), (exchange, payee)):
        world.link("SENT", "Wallet", a, "Wallet", b, rng, amount=round(paid["amount"] * rng.uniform(0.3, 0.9), 5),
                   time=paid["time"])


def second_active_market(world: World, rng: random.Random) -> None:
    """Another active market: some vendors of a seized market open an account there with the same PGP key
    (one may have moved to two markets), beside a newcomer and a copy of a seized vendor's handle."""
    seized = {r["id"] for r in world.rows("Market") if r["status"] == "seized"}
    vendors = [(r["s"], r["p"]["pgp"]) for r in world.rels("VENDOR_ON", "Account", "Market") if r["e"] in seized]
    if not vendors:
        return
    market = world.add("Market", rng, name=f"{rng.choice(ORG_WORDS)} {rng.choice(MARKET_WORDS)}", status="active")

    def vendor(key: str, handle: str | None = None) -> None:
        account = world.new_account(rng, None, platform="darknet", base=rng.choice(ORG_WORDS))
        if handle:
            world.row("Account", account)["handle"] = handle
            world.touch()
        world.link("VENDOR_ON", "Account", account, "Market", market, rng, pgp=key, since=when(rng))

    for account, key in rng.sample(vendors, rng.randint(1, min(3, len(vendors)))):
        # a vendor may keep their handle (their reputation) or take a new one
        vendor(key, world.row("Account", account)["handle"] if rng.random() < 0.4 else None)
    vendor(f"{rng.getrandbits(160):040X}")
    if rng.random() < 0.5:
        copied, _ = rng.choice(vendors)
        vendor(f"{rng.getrandbits(160):040X}", world.row("Account", copied)["handle"])


# The order matters: what adds people and links comes before what renames them, so that a duplicate name
# or a shared handle can fall on someone a transform made.
TRANSFORMS: tuple[Transform, ...] = (
    Transform("neutral-org-names", 0.7, neutral_org_names, "organisation names reveal their kind"),
    Transform("shared-crew-name", 0.5, shared_crew_name, "organisation names are unique"),
    Transform("empty-crew", 0.4, empty_crew, "every crew has known members"),
    Transform("crew-at-threshold", 0.4, crew_at_threshold, "crews have more known members than any "
              "threshold a prompt sets"),
    Transform("isolated-member", 0.5, isolated_member, "every crew member has contacts"),
    Transform("member-bridge", 0.4, member_bridge, "the go-between is the only link between crews "
              "(and the top by betweenness)"),
    Transform("triangle-free-crew", 0.4, triangle_free_crew, "every crew has a triangle"),
    Transform("outsider-message-hub", 0.3, outsider_message_hub, "the message hub is a known member"),
    Transform("call-hub-elsewhere", 0.5, call_hub_elsewhere, "the message hub is the call hub"),
    Transform("self-contact", 0.6, self_contact, "nobody's own accounts (or phones) are in contact"),
    Transform("repeated-links", 0.7, repeated_links, "one MESSAGED or CALLED relationship per pair"),
    Transform("two-way-links", 0.7, two_way_links, "contact is recorded one way only"),
    Transform("organisation-only-members", 0.5, organisation_only_members, "a known member is in a crew, once; "
              "relatives and contacts of two crews are no members"),
    Transform("loose-org-tree", 0.4, loose_org_tree, "crews are exactly the organisations part of another one"),
    Transform("outsider-most-followed", 0.4, outsider_most_followed, "the most followed account is a known "
              "member's"),
    Transform("one-contact-twice", 0.5, one_contact_twice, "two message links to members mean two members"),
    Transform("outsider-common-contact", 0.4, outsider_common_contact, "common contacts are known members"),
    Transform("path-shortcut", 0.5, path_shortcut, "path-hops' suspects are as many hops apart as the generator "
              "puts them"),
    Transform("outsider-platforms", 0.5, outsider_platforms, "people on three platforms are known members"),
    Transform("outsider-slang", 0.5, outsider_slang, "repeated slang comes from known members' accounts"),
    Transform("outsider-alias", 0.4, outsider_alias, "aliases belong to known members"),
    Transform("alias-twin", 0.4, alias_twin, "an alias is the only account with its handle"),
    Transform("outsider-prison-post", 0.4, outsider_prison_post, "only inmates post from the prison"),
    Transform("threshold-posts", 0.7, threshold_posts, "no post lies near a distance threshold"),
    Transform("resident-at-the-stash", 0.5, resident_at_the_stash, "nobody lives at the address with the most "
              "slang around it"),
    Transform("weak-signal-edges", 0.7, weak_signal_edges, "a post tagged at a place also has coordinates, "
              "and the hub's contacts with both signals are members"),
    Transform("exchange-mid-route", 0.5, exchange_mid_route, "a route meets an exchange only at its end"),
    Transform("second-active-market", 0.6, second_active_market, "there is one active market"),
    Transform("borrowed-registration", 0.4, borrowed_registration, "an account is registered with the phone or "
              "email of the person who uses it"),
    Transform("answer-split-contacts", 0.5, answer_split_contacts, "a person near an answer keeps all their "
              "contacts on one account"),
    Transform("answer-self-contacts", 0.4, answer_self_contacts, "the own accounts (or phones) of a person near "
              "an answer are not in contact"),
    Transform("answer-twins", 0.6, answer_twins, "no two rows of an answer read the same (a person or "
              "account with the same values and links as one in the answer)"),
    Transform("answer-repeats", 0.6, answer_repeats, "a relationship at an answer's node is recorded once, "
              "one way"),
    Transform("answer-namesakes", 0.5, answer_namesakes, "nobody else has the name (or handle) of a person "
              "(or account) near an answer"),
    Transform("duplicate-names", 0.6, duplicate_names, "names are unique"),
    Transform("shared-handle", 0.6, shared_handle, "handles are unique"),
)
