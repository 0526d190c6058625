"""Transforms aimed at the answers: edge cases planted where each exercise's answer lies.

A transform of variation.transforms breaks a habit somewhere in the world; a mistake shows only when the
edge case touches the answer (two accounts sharing a handle change nothing if neither is in the answer).
These read every exercise's answer on the world (exercises.answers, computed with networkx) and plant,
next to one of its rows, the data that tells a right answer from a plausible wrong one:
- a twin: a copy of an answer's person or account (or of one of its neighbours) with the same values and
  the same links, so that two rows read the same and only counting by node tells them apart (DISTINCT on
  names, grouping by a handle, "names are unique");
- a repeated or two-way contact at an answer's node (a second MESSAGED, CALLED, FOLLOWS or SENT, or one the
  other way), so that counting relationships or rows is not counting things;
- a crew cut to exactly two or three known members, the sizes that count thresholds in prompts use;
- two crews with one name.

Each edit is kept only if the world still keeps every promise of every exercise
(exercises.guarantees), checked after each edit: one edit that would break a promise is undone alone.
Pure and deterministic like the rest of variation (sorted before any choice).
"""

from __future__ import annotations

import copy
import random
from typing import Iterator

import networkx as nx

from ..exercises.answers import answer_for
from ..exercises.catalogue import every_exercise
from ..exercises.guarantees import broken
from .world import World, org_name, when

# What a node owns: a copy of the owner gets a copy of these too (a person's twin has accounts and phones
# of their own that look the same; an account's twin its own posts and wallets).
OWNED = {("USES", "Person", "Account"), ("HAS_PHONE", "Person", "Phone"), ("HAS_EMAIL", "Person", "Email"),
         ("POSTED", "Account", "Post"), ("CONTROLS", "Account", "Wallet")}
# The nodes that answers name: a person by name, an account by handle, an organisation or market by name.
SHOWN = {"Person": "name", "Account": "handle", "Organization": "name", "Market": "name", "Wallet": "address"}
TRIES = 3
# Relationships that record events or ties that happen more than once or both ways (messages, calls, follows,
# payments); a fact such as MEMBER_OF or USES is recorded once, and no prompt says what a copy of it means.
REPEATABLE = {"MESSAGED", "CALLED", "FOLLOWS", "SENT"}


def world_exercises(world: World) -> list:
    """The exercises that run on this world: every scenario exercise (one world holds what each asks about)."""
    return every_exercise()


def keeps_promises(world: World) -> bool:
    return broken(world.graphs(), world_exercises(world)) is None


def answer_values(world: World, exercise) -> set[str]:
    """The texts in the exercise's answer rows here (names, handles...) and in its parameters (the person
    it asks about: a mistake at the subject, such as not leaving out their own accounts, shows there); none
    if it has no answer here."""
    try:
        answer = answer_for(exercise, world.graphs())
    except (LookupError, TypeError, ValueError, ZeroDivisionError, nx.NetworkXException):
        return set()
    expected = answer.expected
    values: set[str] = {v for v in answer.params.values() if isinstance(v, str)}
    for row in list(expected.rows) + list(expected.tied):
        for value in row:
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, str):
                    values.add(item)
    return values


def answer_nodes(world: World, exercise) -> list[tuple[str, str]]:
    """(label, id) of the nodes whose shown value appears in the exercise's answer here."""
    values = answer_values(world, exercise)
    return [(label, row["id"]) for label, prop in SHOWN.items()
            for row in sorted(world.rows(label), key=lambda r: r["id"]) if row.get(prop) in values]


def incident(world: World, label: str, node: str) -> Iterator[tuple[tuple[str, str, str], dict]]:
    for key, rows in sorted(world.chunk.rels.items()):
        _, start, end = key
        for row in rows:
            if (start == label and row["s"] == node) or (end == label and row["e"] == node):
                yield key, row


def owned_by(world: World, label: str, node: str) -> list[tuple[str, str]]:
    """The node and everything it owns, transitively (a person, their accounts, those accounts' posts)."""
    found, frontier = [(label, node)], [(label, node)]
    while frontier:
        current_label, current = frontier.pop()
        for key in sorted(OWNED):
            _, start, end = key
            if start == current_label:
                for row in world.chunk.rels[key]:
                    if row["s"] == current and (end, row["e"]) not in found:
                        found.append((end, row["e"]))
                        frontier.append((end, row["e"]))
    return found


def neighbours(world: World, label: str, node: str) -> list[tuple[str, str]]:
    """Nodes one relationship away from the node or from what it owns (shown kinds only)."""
    return neighbourhood(world)(label, node)


def neighbourhood(world: World):
    """neighbours() for many nodes of one world: the relationships are read once into an index (asking node
    by node read them all for every node, which was most of the time a varied world took)."""
    adjacent: dict[tuple[str, str], set[tuple[str, str]]] = {}
    owns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, rows in world.chunk.rels.items():
        _, start, end = key
        for row in rows:
            a, b = (start, row["s"]), (end, row["e"])
            adjacent.setdefault(a, set()).add(b)
            adjacent.setdefault(b, set()).add(a)
            if key in OWNED:
                owns.setdefault(a, []).append(b)

    def near(label: str, node: str) -> list[tuple[str, str]]:
        group, frontier = {(label, node)}, [(label, node)]
        while frontier:
            for owned in owns.get(frontier.pop(), ()):
                if owned not in group:
                    group.add(owned)
                    frontier.append(owned)
        return sorted({b for a in group for b in adjacent.get(a, ()) if b not in group and b[0] in SHOWN})

    return near


def twin(world: World, rng: random.Random, label: str, node: str) -> None:
    """A copy of the node and what it owns, with the same values and a copy of every relationship (to the
    same nodes outside the copy): a second thing that reads exactly like the first."""
    group = owned_by(world, label, node)
    copies = {}
    for lab, old in group:
        props = {k: copy.deepcopy(v) for k, v in world.row(lab, old).items() if k != "id"}
        copies[(lab, old)] = world.add(lab, rng, **props)
    for key, rows in sorted(world.chunk.rels.items()):
        rel_type, start, end = key
        for row in list(rows):
            s, e = (start, row["s"]), (end, row["e"])
            if s in copies or e in copies:
                world.link(rel_type, start, copies.get(s, row["s"]), end, copies.get(e, row["e"]), rng,
                           **copy.deepcopy(row["p"]))
    world.touch()


def repeat_link(world: World, rng: random.Random, label: str, node: str) -> None:
    """A contact at the node (or at what it owns) recorded a second time, the same way or the other."""
    group = set(owned_by(world, label, node))
    links = [(key, row) for lab, n in sorted(group) for key, row in incident(world, lab, n) if key[0] in REPEATABLE]
    if not links:
        return
    (rel_type, start, end), row = rng.choice(links)
    props = copy.deepcopy(row["p"])
    if start == end and row["s"] != row["e"] and rng.random() < 0.5:
        world.link(rel_type, start, row["e"], end, row["s"], rng, **props)
    else:
        world.link(rel_type, start, row["s"], end, row["e"], rng, **props)


def plant(world: World, rng: random.Random, edit) -> World:
    """`world` after `edit` (tried on a few nodes) if it keeps every promise, else `world` unchanged."""
    for _ in range(TRIES):
        trial = world.copy()
        try:
            if edit(trial, rng) is False:
                return world
        except (LookupError, ValueError):
            continue
        trial.touch()
        if keeps_promises(trial):
            return trial
    return world


def near_answer(world: World, rng: random.Random, exercise, labels) -> tuple[str, str] | None:
    """A node of the answer (more often) or one of its neighbours, of one of these labels."""
    nodes = [n for n in answer_nodes(world, exercise) if n[0] in labels]
    if not nodes:
        return None
    chosen = rng.choice(nodes)
    if rng.random() < 0.4:
        near = [n for n in neighbours(world, *chosen) if n[0] in ("Person", "Account")]
        if near:
            return rng.choice(near)
    return chosen


def focused(edit_at, labels=("Person", "Account")):
    """A transform that makes `edit_at(world, rng, label, id)` near the answer of about half the exercises
    of the world, one exercise after another, each edit kept only if every promise still holds.
    Only nodes of these labels are edited (a twin of a crew, with every member in both, is no world)."""

    def transform(world: World, rng: random.Random) -> None:
        current = world
        for exercise in world_exercises(world):
            if rng.random() >= 0.5:
                continue

            def edit(trial: World, r: random.Random, exercise=exercise):
                target = near_answer(trial, r, exercise, labels)
                if target is None:
                    return False
                edit_at(trial, r, *target)

            current = plant(current, rng, edit)
        world.chunk = current.chunk
        world.touch()

    return transform


def person_at(world: World, label: str, node: str) -> str:
    """The person a node stands for (a person, or an account's owner) who has an account; else LookupError."""
    person = node if label == "Person" else world.graphs().owner.get(node) if label == "Account" else None
    if person is None or not world.accounts_of(person):
        raise LookupError("no person with an account here")
    return person


def split_contacts(world: World, rng: random.Random, label: str, node: str) -> None:
    """A person (or an account's owner) who keeps some contacts on a second account: the messages of one of
    their accounts are shared out between it and a new one, so that their contacts are not all on one."""
    person = person_at(world, label, node)
    mine = {a: [r for r in world.rels("MESSAGED", "Account", "Account") if a in (r["s"], r["e"]) and r["s"] != r["e"]]
            for a in world.accounts_of(person)}
    busy = [a for a in sorted(mine) if len(mine[a]) >= 2]
    if not busy:
        raise LookupError("no account with two contacts")
    account = rng.choice(busy)
    platform = world.row("Account", account)["platform"]
    second = world.new_account(rng, person, platform if rng.random() < 0.5 else None)
    moved = rng.sample(mine[account], max(1, len(mine[account]) // 2))
    for row in moved:
        row["s"], row["e"] = [second if x == account else x for x in (row["s"], row["e"])]
    world.touch()


def self_contact_at(world: World, rng: random.Random, label: str, node: str) -> None:
    """A person's own two accounts message each other (or their two phones call each other)."""
    person = person_at(world, label, node)
    if rng.random() < 0.7:
        accounts = world.accounts_of(person)
        if len(accounts) < 2:
            accounts.append(world.new_account(rng, person))
        world.contact("MESSAGED", "Account", *rng.sample(accounts, 2), rng)
    else:
        phones = world.phones_of(person)
        while len(phones) < 2:
            phones.append(world.new_phone(rng, person))
        world.contact("CALLED", "Phone", *rng.sample(phones, 2), rng)


def namesake_at(world: World, rng: random.Random, label: str, node: str) -> None:
    """Someone else takes the name (or handle) of the node: another person or account with contacts of their
    own, so that counting or grouping by the name adds two people up where counting by node does not."""
    prop = SHOWN[label]
    value = world.row(label, node)[prop]
    near = neighbourhood(world)
    mine = set(near(label, node)) | {(label, node)}
    others = [r["id"] for r in sorted(world.rows(label), key=lambda r: r["id"]) if r.get(prop) != value]
    apart = [o for o in others if set(near(label, o)) - mine]
    if not apart:
        raise LookupError("nobody else with contacts of their own")
    world.row(label, rng.choice(apart))[prop] = value
    world.touch()


answer_twins = focused(twin)
answer_namesakes = focused(namesake_at)
answer_repeats = focused(repeat_link, ("Person", "Account", "Wallet"))
answer_split_contacts = focused(split_contacts)
answer_self_contacts = focused(self_contact_at)


def borrowed_registration(world: World, rng: random.Random) -> None:
    """An account that somebody is known to use, registered with another person's phone or email (a partner's,
    a parent's): the registration points at one person, the attribution at another."""
    g = world.graphs()
    held = [(r["s"], "Phone", r["e"]) for r in world.rels("HAS_PHONE", "Person", "Phone")] + \
           [(r["s"], "Email", r["e"]) for r in world.rels("HAS_EMAIL", "Person", "Email")]
    accounts = sorted(a for a in g.owner if world.row("Account", a)["platform"] != "darknet")
    if not held or not accounts:
        return
    account = rng.choice(accounts)
    others = sorted(h for h in held if h[0] != g.owner[account])
    if others:
        _, label, detail = rng.choice(others)
        world.link("REGISTERED_WITH", "Account", account, label, detail, rng)


def crew_at_threshold(world: World, rng: random.Random) -> None:
    """A crew whose known members are cut to exactly two or three (the sizes that prompts' thresholds use):
    intelligence knows only some of its members."""
    crews = [c for c in world.crews() if len(world.members(c)) > 3]
    if not crews:
        return
    crew = rng.choice(crews)
    size = rng.choice((2, 3))
    keep = set(rng.sample(world.members(crew), size))
    world.unlink("MEMBER_OF", "Person", "Organization", lambda r: r["e"] == crew and r["s"] not in keep)
    draw = rng.random()
    if draw < 0.4:  # and they are not known to be in touch: a density of 0
        accounts = {a for p in keep for a in world.accounts_of(p)}
        world.unlink("MESSAGED", "Account", "Account", lambda r: r["s"] in accounts and r["e"] in accounts)
    elif draw < 0.8:  # or every two of them are: a crew of the threshold's size that no single arrest splits
        g = world.graphs()
        people = sorted(p for p in keep if world.accounts_of(p))
        for k, a in enumerate(people):
            for b in people[k + 1:]:
                if not g.messaging.has_edge(a, b):
                    world.contact("MESSAGED", "Account", rng.choice(world.accounts_of(a)),
                                  rng.choice(world.accounts_of(b)), rng)


def shared_crew_name(world: World, rng: random.Random) -> None:
    """Two crews (or a crew and another organisation) known by one name."""
    orgs = sorted(world.rows("Organization"), key=lambda r: r["id"])
    crews = [r for r in orgs if r.get("kind") == "crew"]
    if len(orgs) < 2 or not crews:
        return
    target = rng.choice(crews)
    source = rng.choice([r for r in orgs if r["id"] != target["id"] and r["name"] != target["name"]] or [target])
    target["name"] = source["name"]
    world.touch()


# ---------------------------------------------------------------- who is a member of what


def organisations_not_crews(world: World) -> list[str]:
    return sorted(r["id"] for r in world.rows("Organization") if r.get("kind") != "crew")


def organisation_only_members(world: World, rng: random.Random) -> None:
    """Members of the organisation who are in no crew: a relative of a crew member; someone who messages
    members of two crews (a known member, so no second go-between); and a crew member who is also a member
    of the organisation (two memberships)."""
    orgs = organisations_not_crews(world)
    if not orgs:
        return
    # one organisation and its own crews: a go-between links crews of one organisation (prompts ask about one)
    focus = rng.choice(orgs)
    orgs = [focus]
    g = world.graphs().focus(focus)
    if len(g.crews) < 2:
        return
    relatives = sorted({r["e"] for r in world.rels("FAMILY_OF", "Person", "Person")
                        if r["s"] in g.org_members and r["e"] not in g.known_members})
    if relatives and rng.random() < 0.7:
        world.link("MEMBER_OF", "Person", rng.choice(relatives), "Organization", rng.choice(orgs), rng)
    g = world.graphs().focus(focus)  # as it is now (each step reads the world the one before left)
    members = g.known_members
    crews = [c for c in g.crews if [p for p in g.crew_members(c) if world.accounts_of(p)]]
    strangers = [p for p in sorted(g.nodes["Person"]) if p not in members and p not in g.go_betweens
                 and world.accounts_of(p)]
    if len(crews) >= 2 and strangers and rng.random() < 0.7:
        person = rng.choice(strangers)
        world.link("MEMBER_OF", "Person", person, "Organization", rng.choice(orgs), rng)
        for crew in rng.sample(crews, 2):
            other = rng.choice(sorted(p for p in g.crew_members(crew) if world.accounts_of(p)))
            world.contact("MESSAGED", "Account", rng.choice(world.accounts_of(person)),
                          rng.choice(world.accounts_of(other)), rng)
    g = world.graphs().focus(focus)
    pairs = sorted((p, o) for c in g.crews for p in g.crew_members(c) for o in orgs if p not in g.members.get(o, ()))
    if pairs and rng.random() < 0.6:
        person, org = rng.choice(pairs)
        world.link("MEMBER_OF", "Person", person, "Organization", org, rng)


def loose_org_tree(world: World, rng: random.Random) -> None:
    """The organisation tree says nothing of kinds: a crew part of nothing, and an organisation (not a crew)
    that is part of another."""
    crews_under = [r for r in world.rels("PART_OF", "Organization", "Organization")
                   if world.row("Organization", r["s"]).get("kind") == "crew"]
    if crews_under and rng.random() < 0.7:
        cut = rng.choice(crews_under)
        world.unlink("PART_OF", "Organization", "Organization", lambda r: r is cut)
    orgs = organisations_not_crews(world)
    if orgs:
        parent = rng.choice(orgs)
        taken = {r["name"] for r in world.rows("Organization")}
        wing = world.add("Organization", rng, name=org_name(rng, taken), kind="organisation")
        world.link("PART_OF", "Organization", wing, "Organization", parent, rng)


def outsider_most_followed(world: World, rng: random.Random) -> None:
    """The most followed account is nobody's known account (or a non-member's): followers are added to it
    until it leads by one or two."""
    g = world.graphs()
    followers = dict(g.follows.in_degree())
    accounts = [a for a in sorted(world.ids("Account"))
                if world.row("Account", a)["platform"] != "darknet" and g.owner.get(a) not in g.known_members]
    nobodys = [a for a in accounts if a not in g.owner]
    if nobodys and rng.random() < 0.6:  # an account attributed to nobody at all
        accounts = nobodys
    if not accounts or not followers:
        return
    account = rng.choice(accounts)
    top = max(followers.values())
    have = set(g.follows.predecessors(account)) if account in g.follows else set()
    others = [a for a in sorted(world.ids("Account")) if a != account and a not in have
              and world.row("Account", a)["platform"] != "darknet"]
    need = top + rng.choice((1, 2)) - len(have)
    if need < 1 or len(others) < need:
        return
    for follower in rng.sample(others, need):
        world.link("FOLLOWS", "Account", follower, "Account", account, rng, since=when(rng))


def one_contact_twice(world: World, rng: random.Random) -> None:
    """Someone who is no known member with one member contact, reached twice (from two of their accounts or
    by a second relationship): two links to members, one member."""
    g = world.graphs()
    members = g.known_members
    candidates = [p for p in sorted(g.messaging) if p not in members
                  and len([q for q in g.messaging[p] if q in members]) == 1 and world.accounts_of(p)]
    if not candidates:
        return
    person = rng.choice(candidates)
    member = next(q for q in sorted(g.messaging[person]) if q in members)
    theirs = world.accounts_of(member)
    mine = world.accounts_of(person)
    if len(mine) < 2 and rng.random() < 0.5:
        mine = mine + [world.new_account(rng, person)]
    source = rng.choice(mine)
    world.contact("MESSAGED", "Account", source, rng.choice(theirs), rng)
