"""The innocent background population, in chunks that only point back at earlier chunks and the core."""

from __future__ import annotations

import random

from .builder import Builder, Ids, Pools, pid, primary
from .building import CoreRefs
from .model import Chunk
from .profiles import Profile


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
