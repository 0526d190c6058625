"""Varied worlds (variation) without a database: every guarantee of every exercise holds on them (on the
organisation each exercise asks about there), they are deterministic, every transform happens, and every
regularity of the generator that the issue lists (and no prompt promises) is false in some varied world. 5
seeds of the one investigation world at the tiny size in the unit tier, 35 more in the integration tier."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from functools import cache
from pathlib import Path

import networkx as nx
import pytest

from linklab.errors import LinklabError
from linklab.exercises import answers
from linklab.exercises.answer_files import answer_function
from linklab.exercises.catalogue import catalogue, get
from linklab.exercises.guarantees import REGISTRY as GUARANTEES, broken
from linklab.scenario.builder import distance_m
from linklab.scenario.generate import generate
from linklab.scenario.graphs import ScenarioGraphs
from linklab.scenario.profiles import DESIGN, load_profile
from linklab.variation.transforms import TRANSFORMS
from linklab.variation import vary as varying
from linklab.variation.vary import MAX_PERSONS, vary
from linklab.variation.world import PREFIX, World, copied, copied_chunk

from .conftest import generated

# The varied worlds the checks read: seeds 1 to 5 in the unit tier (so that the tier stays within a minute),
# seeds 6 to 40 in the integration tier: `make test` runs both, so the same checks read forty worlds, each
# varied once (tests/conftest.py, TIERS).
POPULATIONS = [pytest.param(range(1, 6), id="5-worlds"),
               pytest.param(range(6, 41), id="35-more-worlds", marks=pytest.mark.integration)]


@pytest.fixture(scope="module", params=POPULATIONS)
def seeds(request) -> range:
    return request.param


# The regularities that only rarer transforms (or two of them together) break, and the claims that need
# more than five worlds to be seen (every transform, each kind of answer planted off the known members):
# checked on the larger population alone, in the integration tier.
@pytest.fixture(scope="module", params=POPULATIONS[1:])
def many_seeds(request) -> range:
    return request.param


@cache
def world(seed: int) -> tuple:
    """(varied scenario, its graphs, the generated scenario's graphs) for one seed."""
    plain = generated(DESIGN, "tiny", seed)  # the session's copy (test_truth checks the same scenarios)
    varied = vary(plain, seed)
    return varied, ScenarioGraphs(varied), ScenarioGraphs(plain)


def worlds(seeds: range):
    return [(DESIGN, s, *world(s)) for s in seeds]


def asked(exercise_id: str, g: ScenarioGraphs) -> ScenarioGraphs:
    """The world as that exercise reads it (focused on the organisation it asks about there)."""
    return answers.asked(get(exercise_id), g)


def answer(exercise_id: str, g: ScenarioGraphs):
    return answers.answer_for(get(exercise_id), g)


def canonical(scenario) -> str:
    data = [{"nodes": c.nodes, "rels": {"/".join(k): v for k, v in c.rels.items()}} for c in scenario.chunks()]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def some(found: list, what: str) -> None:
    """`found` is a list of booleans over the varied worlds: true in at least one (and not only by name)."""
    assert any(found), f"no varied world where {what}"


# ---------------------------------------------------------------- guarantees and answers


def test_every_guarantee_holds_on_varied_worlds(seeds):
    exercises = catalogue()
    for _, seed, varied, g, _ in worlds(seeds):
        assert broken(g, exercises) is None, seed
        for exercise in exercises:  # each guarantee by itself, and each answer key with its parameters
            view = answers.asked(exercise, g)
            assert bool(view.org) == bool(exercise.organisations), (seed, exercise.id)
            for name in exercise.guarantees:
                assert GUARANTEES[name].holds(view), (seed, exercise.id, name)
            found = answers.answer_for(exercise, g)
            for name in exercise.parameters:
                assert name == "graph" or name in found.params, (exercise.id, name)
            if "org" in exercise.parameters:
                assert g.kind_of(view.org) in exercise.organisations and found.params["org"] == view.org_name()


def test_every_exercise_states_its_guarantees_by_known_names():
    used = {name for e in catalogue() for name in e.guarantees}
    assert used <= set(GUARANTEES)
    assert used == set(GUARANTEES), f"guarantees no exercise uses: {set(GUARANTEES) - used}"
    promised = {e.id: e.guarantees for e in catalogue()}
    assert "unique-go-between" in promised["broker-both-crews"] and "unique-message-hub" in promised["hub-messages"]


def test_parameters_name_people_nobody_else_is_called(seeds):
    for profile, seed, _, g, _ in worlds(seeds):
        names = Counter(row["name"] for row in g.nodes["Person"].values())
        orgs = Counter(row["name"] for row in g.nodes["Organization"].values())
        for exercise in catalogue():
            params = answers.answer_for(exercise, g).params
            for key in ("a", "b", "name", "hub"):
                if key in params:
                    assert names[params[key]] == 1, (profile, seed, exercise.id, key)
            if "org" in params:
                assert orgs[params["org"]] == 1, (seed, exercise.id)


# ---------------------------------------------------------------- determinism and limits


def test_one_seed_one_world_byte_for_byte():
    first = world(4)[0]  # (made once for the module, usually by a test before: its population holds 4 and 5)
    again = vary(generate(DESIGN, "tiny", 4), 4)
    assert canonical(first) == canonical(again) and first.variation == again.variation
    assert canonical(again) == canonical(again)  # the chunks are made afresh on every call, identically
    assert canonical(first) != canonical(world(5)[0])


# One seed in the unit tier, another in the integration tier: each varies a world in one more process (seconds of
# CPU, which the unit tier's minute cannot spare twice).
@pytest.mark.parametrize("seed", [3, pytest.param(5, marks=pytest.mark.integration)])
def test_the_same_world_in_another_process_with_other_string_hashing(seed):
    """Set order changes with PYTHONHASHSEED: a world that depended on it would differ between processes."""
    code = ("import hashlib, json, sys; from linklab.scenario.generate import generate; "
            "from linklab.variation.vary import vary; "
            "s = vary(generate(sys.argv[1], 'tiny', int(sys.argv[2])), int(sys.argv[2])); "
            "data = [{'nodes': c.nodes, 'rels': {'/'.join(k): v for k, v in c.rels.items()}} for c in s.chunks()]; "
            "print(hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest())")
    other = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"  # not this process's string hashing
    run = subprocess.run([sys.executable, "-c", code, DESIGN, str(seed)], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PYTHONHASHSEED": other})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == canonical(world(seed)[0])


def exactly(scenario) -> tuple:
    """Everything a varied world is, in order: its rows as they are loaded, its plan, its info, its transforms."""
    rows = [{"nodes": c.nodes, "rels": [[list(k), v] for k, v in c.rels.items()]} for c in scenario.chunks()]
    return json.dumps(rows), scenario.truth, scenario.info, scenario.variation


def test_a_world_varied_once_is_read_back_in_any_process_as_the_same_world(tmp_path, monkeypatch):
    """keys.ScenarioKey.scenario keeps a varied world on disk (variation.kept): the next process reads the same
    world instead of varying it again; a damaged row is varied again, a store that cannot be written costs
    only the time."""
    from linklab import keys
    from linklab.keys import ScenarioKey
    from linklab.variation import kept

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "kept-worlds")
    fresh = world(4)[0]
    made = []

    def counted_vary(scenario, seed):
        made.append(seed)
        return fresh
    monkeypatch.setattr(keys, "vary", counted_vary)
    key = ScenarioKey(DESIGN, "tiny", 4, varied=True)
    assert exactly(key.scenario()) == exactly(fresh) and made == [4]  # varied, and kept
    assert exactly(key.scenario()) == exactly(fresh) and made == [4]  # read back: not varied again
    assert kept.database().exists()

    code = ("import json, sys; from linklab import keys; from linklab.keys import ScenarioKey\n"
            "def refuse(*_): sys.exit('varied again')\n"
            "keys.vary = refuse\n"
            "s = ScenarioKey(sys.argv[1], 'tiny', 4, varied=True).scenario()\n"
            "print(json.dumps([{'nodes': c.nodes, 'rels': [[list(k), v] for k, v in c.rels.items()]} "
            "for c in s.chunks()]))")
    other = subprocess.run([sys.executable, "-c", code, DESIGN], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONHASHSEED": "3"})
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == exactly(fresh)[0]

    with kept.open_sqlite(kept.database()) as db:  # a damaged row: varied again, and replaced
        db.execute("UPDATE worlds SET data = ?", (b"not a world",))
    assert exactly(key.scenario()) == exactly(fresh) and made == [4, 4]
    assert kept.read(key.token()) is not None

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "full"))
    kept.database().mkdir(parents=True)  # no store can be opened there (as on a full or read-only disk)
    assert exactly(key.scenario()) == exactly(fresh) and made == [4, 4, 4]
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "a-file" / "home"))  # nor a folder made for one
    assert exactly(key.scenario()) == exactly(fresh) and made == [4, 4, 4, 4]


@pytest.mark.integration  # four processes varying a world at once: seconds, beyond the unit tier's minute
def test_processes_that_vary_one_world_at_once_keep_one_and_agree(tmp_path):
    """Checks of one course start together (a class at the start of an exercise): each varies the hidden world
    the store does not hold yet, and each keeps it. They all return the same world, and the store holds it once."""
    from linklab.variation import kept

    code = ("import json, sys; from linklab.keys import ScenarioKey\n"
            "s = ScenarioKey(sys.argv[1], 'tiny', 8, varied=True).scenario()\n"
            "print(json.dumps([{'nodes': c.nodes, 'rels': [[list(k), v] for k, v in c.rels.items()]} "
            "for c in s.chunks()]))")
    env = {**os.environ, "LINKLAB_HOME": str(tmp_path), "LINKLAB_COURSE_SECRET": "kept-at-once"}
    runs = [subprocess.Popen([sys.executable, "-c", code, DESIGN], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env) for _ in range(4)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    assert {out.strip() for out, _ in outputs} == {exactly(world(8)[0])[0]}
    with kept.open_sqlite(tmp_path / "varied-worlds.db") as db:
        assert db.execute("SELECT count(*) FROM worlds").fetchone()[0] == 1


def test_varied_worlds_are_small_worlds_only():
    plain = generate(DESIGN, "tiny", 1)
    big = dataclasses.replace(plain, info=dataclasses.replace(plain.info, persons=MAX_PERSONS + 1, size="large"))
    with pytest.raises(LinklabError, match="small scenarios"):
        vary(big, 1)


def test_a_world_copies_like_deepcopy(seeds):
    """World.copy (world.copied) makes what copy.deepcopy makes: equal rows, none of them the original's, and
    a dict in two places stays one dict in two places."""
    for profile, seed, varied, _, _ in worlds(seeds):
        chunk = next(varied.chunks())
        again = copied_chunk(chunk)
        assert again.nodes == chunk.nodes and again.rels == chunk.rels, (profile, seed)
        assert not any(a is b for key, rows in chunk.rels.items() for a, b in zip(rows, again.rels[key]))
        assert not any(a is b for key, rows in chunk.nodes.items() for a, b in zip(rows, again.nodes[key]))
    shared = {"n": 1.5, "when": "2024-01-01T00:00:00", "none": None, "ok": True, "tags": ["a", "b"]}
    both = copied({"first": [shared], "second": (shared, -0.0)})
    assert both == {"first": [shared], "second": (shared, -0.0)} and both["first"][0] is not shared
    assert both["first"][0] is both["second"][0] and both["first"][0]["tags"] is not shared["tags"]


def test_vary_changes_no_generated_scenario():
    plain = generate(DESIGN, "tiny", 4)
    before = canonical(plain)
    vary(plain, 4)
    assert canonical(plain) == before


def test_the_varied_world_loads_like_any_scenario(seeds):
    """One chunk, ids unique per label, every relationship between existing nodes of the right labels."""
    for profile, seed, varied, _, _ in worlds(seeds):
        chunks = list(varied.chunks())
        assert len(chunks) == 1
        ids = {label: [r["id"] for r in rows] for label, rows in chunks[0].nodes.items()}
        for label, values in ids.items():
            assert len(values) == len(set(values)), (profile, seed, label)
        for (rel_type, start, end), rows in chunks[0].rels.items():
            assert all(r["s"] in set(ids[start]) and r["e"] in set(ids[end]) for r in rows), (profile, seed, rel_type)


# ---------------------------------------------------------------- transforms


def test_every_transform_happens_in_some_varied_worlds(many_seeds):
    seeds = many_seeds  # (a rarer transform may be in none of five worlds)
    applied = Counter(name for _, _, varied, _, _ in worlds(seeds) for name in varied.variation)
    least = 1  # each in one world of 35 at least
    for transform in TRANSFORMS:
        assert applied[transform.name] >= least, (transform.name, applied[transform.name])
    assert max(len(varied.variation) for _, _, varied, _, _ in worlds(seeds)) >= 8


# Seeds 2 and 3 are in the integration tier (`make test` runs them): the unit tier checks every transform
# with seed 1 (tests/conftest.py, TIERS).
@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.integration),
                                  pytest.param(3, marks=pytest.mark.integration)])
def test_no_transform_fails_and_each_is_deterministic(seed):
    """vary() leaves out a transform that raises; none should have to. The same Random, the same change."""
    from linklab.variation.vary import fingerprint, randomise_ids, shuffle_order, step_rng

    from linklab.variation.vary import remap

    plain = generate(DESIGN, "tiny", seed)
    base = World.materialise(plain)
    base.truth = remap(plain.truth, randomise_ids(base, step_rng(DESIGN, seed, "ids")))
    shuffle_order(base, step_rng(DESIGN, seed, "order"))
    for transform in TRANSFORMS:
        once, twice = base.copy(), base.copy()
        transform.apply(once, step_rng(DESIGN, seed, transform.name))
        transform.apply(twice, step_rng(DESIGN, seed, transform.name))
        assert fingerprint(once) == fingerprint(twice), (seed, transform.name)


# ---------------------------------------------------------------- the regularities, each false somewhere


def person_rows(varied) -> list[dict]:
    return next(iter(varied.chunks())).nodes["Person"]


def test_the_first_person_created_is_nobody_in_particular(seeds):
    """`MATCH (p:Person) RETURN p.name LIMIT 1` returned the planted broker (or leader)."""
    first_is_planted = [person_rows(v)[0]["id"] in {o.leader for o in v.truth.organisations} | set(g.go_betweens)
                        for _, _, v, g, _ in worlds(seeds)]
    assert sum(first_is_planted) <= len(first_is_planted) // 4
    plain = generate(DESIGN, "tiny", 1)
    assert next(iter(plain.chunks())).nodes["Person"][0]["id"] == plain.truth.organisations[0].leader  # the habit


def test_ids_do_not_tell_roles(seeds):
    for _, _, varied, g, _ in worlds(seeds):
        for label, rows in next(iter(varied.chunks())).nodes.items():
            assert all(r["id"][0] == PREFIX[label] and r["id"][1:].isdigit() and len(r["id"]) == 8 for r in rows)
    lowest = [min(g.nodes["Person"]) in g.go_betweens for _, _, _, g, _ in worlds(seeds)]
    assert sum(lowest) <= len(lowest) // 4


def test_the_message_hub_is_not_always_the_call_hub(seeds):
    def differ(g):
        view = asked("hub-calls", g)
        return answers.leader(answers.message_degrees(view)) != answers.leader(answers.call_degrees(view))
    some([differ(g) for _, _, _, g, _ in worlds(seeds)], "the message hub of the organisation hub-calls asks about "
         "differs from its call hub")
    assert not any(differ(plain) for _, _, _, _, plain in worlds(seeds))  # the habit: never in a generated world


def test_names_and_handles_are_not_unique(seeds):
    some([len(g.unique_names) < len(g.nodes["Person"]) for _, _, _, g, _ in worlds(seeds)], "two people share a name")
    some([len({r["handle"] for r in g.nodes["Account"].values()}) < len(g.nodes["Account"])
          for _, _, _, g, _ in worlds(seeds)], "two accounts share a handle")


def test_a_name_shared_with_someone_near_the_top(seeds):
    """Grouping by name instead of by person changes who has the most contacts, or how many."""
    def merged_top(g):
        by_name = Counter()
        for p, d in g.messaging.degree():
            by_name[g.nodes["Person"][p]["name"]] += d
        return max(by_name.values())
    some([merged_top(g) != max(dict(g.messaging.degree()).values()) for _, _, _, g, _ in worlds(seeds)],
         "adding up contacts by name changes the top count")


def test_crews_without_members_contacts_or_triangles(seeds):
    some([any(not g.crew_members(c) for c in g.crews) for _, _, _, g, _ in worlds(seeds)], "a crew has no known member")
    some([any(m for m in g.crew_members(c) if g.messaging.degree(m) == 0 and (m not in g.calls or not g.calls.degree(m)))
          for _, _, _, g, _ in worlds(seeds) for c in g.crews], "a crew member has no contact at all")
    def triangles(g, crew):
        return sum(nx.triangles(g.messaging.subgraph(g.crew_members(crew))).values())

    def lost_all(varied, g, plain):  # a crew with triangles as generated (the same crew: the plan's ids) has none
        pairs = zip((c.org_id for o in varied.truth.organisations for c in o.crews),
                    (c.org_id for o in plain.scenario.truth.organisations for c in o.crews))
        return any(len(g.crew_members(v)) >= 3 and triangles(plain, p) and not triangles(g, v) for v, p in pairs)
    some([lost_all(v, g, plain) for _, _, v, g, plain in worlds(seeds)], "a crew that has triangles as generated has none")


def test_a_person_whose_own_accounts_message_each_other(seeds):
    some([any(g.owner.get(r["s"]) and g.owner.get(r["s"]) == g.owner.get(r["e"])
              for r in g.rels("MESSAGED", "Account", "Account")) for _, _, _, g, _ in worlds(seeds)],
         "a person's own accounts message each other")
    some([any(g.owner.get(r["s"]) and g.owner.get(r["s"]) == g.owner.get(r["e"])
              for r in g.rels("MESSAGED", "Account", "Account"))
          and any(p == answers.hub(asked("hub-messages", g)) for r in g.rels("MESSAGED", "Account", "Account")
                  for p in [g.owner.get(r["s"])] if p and p == g.owner.get(r["e"]))
          for _, _, _, g, _ in worlds(seeds)], "the hub's own accounts message each other")


@pytest.mark.parametrize("rel_type,label", [("MESSAGED", "Account"), ("CALLED", "Phone")])
def test_repeated_and_two_way_links(seeds, rel_type, label):
    def pairs(g):
        return Counter((r["s"], r["e"]) for r in g.rels(rel_type, label, label))
    some([max(pairs(g).values()) > 1 for _, _, _, g, _ in worlds(seeds)], f"two {rel_type} from one to the same other")
    some([any((e, s) in pairs(g) for s, e in pairs(g) if s != e) for _, _, _, g, _ in worlds(seeds)],
         f"{rel_type} recorded both ways")


def test_answers_that_are_not_known_members(many_seeds):
    def members(g):
        return g.known_members

    def owners(g, handles_rows):
        by_handle = {}
        for a, row in g.nodes["Account"].items():
            by_handle.setdefault(row["handle"], []).append(g.owner.get(a))
        return [p for (h, *_) in handles_rows for p in by_handle[h]]

    ws = worlds(many_seeds)
    some([answers.hub(g) not in members(g) for _, _, _, g, _ in ws], "the region's message hub is no known member")
    some([any(p not in members(g) for p, s in platform_counts(g).items() if s >= 3) for _, _, _, g, _ in ws],
         "someone on three platforms is no known member")
    some([any(g.owner.get(a) not in members(g) for a, n in answers.slang_counts(g).items() if n >= 3)
          for _, _, _, g, _ in ws], "repeated slang comes from an account no known member uses")
    some([any(name not in member_names(g) for _, name in answer("alias-unmask", g).expected.rows) for _, _, _, g, _ in ws],
         "an alias belongs to someone who is no known member")
    some([any(p not in members(g) for p in owners(g, answer("prison-poster", g).expected.rows)) for _, _, _, g, _ in ws],
         "someone who is no known member posts from the prison")
    some([any(name not in member_names(g) for (name,) in answer("common-contacts", g).expected.rows)
          for _, _, _, g, _ in ws], "a common contact is no known member")
    some([any(p not in members(g) for p in owners(g, answer("weak-signals", g).expected.rows))
          for _, _, _, g, _ in ws], "a weak-signals account is no known member's")


def platform_counts(g) -> dict[str, int]:
    platforms = {}
    for account, person in g.owner.items():
        platforms.setdefault(person, set()).add(g.nodes["Account"][account]["platform"])
    return {p: len(s) for p, s in platforms.items()}


def member_names(g) -> set[str]:
    return {g.nodes["Person"][p]["name"] for p in g.known_members}


def test_money_passes_an_exchange_before_the_end_of_a_route(seeds):
    def passes(g):
        exchanges = answers.exchange_wallets(g)
        start = answers.buyer(g)
        return any(set(path[1:-1]) & exchanges for x in exchanges for path in nx.all_simple_paths(g.money, start, x))
    ws = worlds(seeds)
    some([passes(g) for _, _, _, g, _ in ws], "a route from the buyer passes an exchange before its end")
    assert not any(passes(plain) for _, _, _, _, plain in ws)  # the habit: never in a generated world


def test_a_second_active_market(seeds):
    some([sum(r["status"] == "active" for r in g.nodes["Market"].values()) > 1 for _, _, _, g, _ in worlds(seeds)],
         "two markets are active")
    some([len({old for old, _ in answer_function(get("darknet-migration"))(g).expected.rows}) < len(answer_function(get("darknet-migration"))(g).expected.rows)
          for _, _, _, g, _ in worlds(seeds)], "a vendor moved to two markets")


def posts_between(g, lat, lon, low, high) -> list[dict]:
    return [p for posts in g.posts_by_account.values() for p in posts
            if "latitude" in p and low <= distance_m(lat, lon, p["latitude"], p["longitude"]) <= high]


def test_posts_just_inside_and_just_outside_each_distance_threshold(seeds):
    def around(g, kind, metres, slang):
        scores = answers.slang_near(g, "address", 200) if kind == "address" else None
        place = (g.nodes["Location"][answers.most(scores)] if scores else answers.location_of_type(g, kind)[0])
        near = [p for p in posts_between(g, place["latitude"], place["longitude"], metres - 5, metres + 5)
                if g.is_slang(p["text"]) or not slang]
        inside = [p for p in near if distance_m(place["latitude"], place["longitude"], p["latitude"], p["longitude"]) < metres]
        return bool(inside) and len(inside) < len(near)
    some([around(g, "prison", 500, False) for _, _, _, g, _ in worlds(seeds)], "posts lie on both sides of 500 m of the prison")
    some([around(g, "address", 200, True) for _, _, _, g, _ in worlds(seeds)],
         "slang posts lie on both sides of 200 m of the stash house")


def test_organisation_names_do_not_reveal_their_kind(seeds):
    def seed_words(profile):
        spec = load_profile(profile)
        return {word for org in spec.organisations for word in (org.name.split()[-1], *(c.name.split()[-1] for c in org.crews))}

    def hidden(profile, g):
        names = [row["name"] for row in g.nodes["Organization"].values()]
        return not any(word in name for name in names for word in seed_words(profile))

    def misleading(g):
        return any(row["kind"] != "crew" and "Crew" in row["name"] or row["kind"] == "crew" and
                   any(w in row["name"] for w in ("Organisation", "Cartel", "Syndicate", "Company"))
                   for row in g.nodes["Organization"].values())
    some([hidden(p, g) for p, _, _, g, _ in worlds(seeds)], "no organisation name carries its design's word for its kind")
    some([misleading(g) for _, _, _, g, _ in worlds(seeds)], "a name suggests another kind than the organisation's")


def test_the_go_between_is_not_always_the_top_by_betweenness(seeds):
    def top(g):
        scores = nx.betweenness_centrality(g.org_network(), normalized=False)
        return answers.most(scores)
    some([top(asked("betweenness-gds", g)) != answers.go_between(asked("betweenness-gds", g)) for _, _, _, g, _ in worlds(seeds)],
         "someone else than the go-between tops betweenness in the networked organisation")


def test_geotagged_has_one_reading_and_the_data_tells_them_apart(seeds):
    """A contact of weak-signals' $hub with slang and a post tagged at a place but none with coordinates: the
    tagged-counts reading would keep it, the prompt's does not."""
    def tagged_only(g):
        hub_accounts = {a for a, p in g.owner.items() if p == answers.signal_hub(asked("weak-signals", g))}
        tagged = {r["s"] for r in g.rels("TAGGED_AT", "Post", "Location")}
        contacts = {r["e"] if r["s"] in hub_accounts else r["s"] for r in g.rels("MESSAGED", "Account", "Account")
                    if r["s"] in hub_accounts or r["e"] in hub_accounts} - hub_accounts
        return any(answers.slang_counts(g).get(a, 0) and any(p["id"] in tagged for p in g.posts_by_account.get(a, []))
                   and not any("latitude" in p for p in g.posts_by_account.get(a, [])) for a in contacts)
    some([tagged_only(g) for _, _, _, g, _ in worlds(seeds)], "a contact's only geotag is a tagged place")


def test_arrest_cutoff_readings_differ(seeds):
    """Members who never reached the go-between: counting them (the other reading) gives another number."""
    def never_reached(g):
        g = asked("arrest-cutoff", g)
        org = g.org_network()
        reach = nx.node_connected_component(org, answers.go_between(g))
        crew_members = set().union(*(g.crew_members(c) for c in g.crews))
        return bool(crew_members - reach - {answers.arrested_hub(g)})
    found = [never_reached(g) for _, _, _, g, _ in worlds(seeds)]
    assert sum(found) >= 0.75 * len(found), (sum(found), len(found))  # edits planted at answers may join some


def test_answer_keys_follow_the_prompts_on_edge_cases(seeds):
    """What the prompt fixes for the edge cases varied worlds contain."""
    for _, _, _, whole, _ in worlds(seeds):
        g = asked("crews", whole)
        name = {c: g.nodes["Organization"][c]["name"] for c in g.crews}  # two crews may share one
        assert sorted(answer_function(get("crews"))(g).expected.rows) == sorted((name[c], len(g.crew_members(c))) for c in g.crews)
        dense = Counter(n for n, _ in answer_function(get("crew-density"))(g).expected.rows)
        assert dense == Counter(name[c] for c in g.crews if len(g.crew_members(c)) >= 2)
        for (name, density) in answer_function(get("crew-density"))(g).expected.rows:
            assert 0.0 <= density <= 1.0 and not math.isnan(density)


def test_crews_gives_a_crew_with_no_known_member_somewhere(many_seeds):
    some([any(n == 0 for _, n in answer("crews", g).expected.rows) for _, _, _, g, _ in worlds(many_seeds)],
         "crews gives a crew with no known member")


def exercise_copy(folder: Path, into: Path) -> Path:
    """An exercise's folder copied into `into` (its file to rewrite: exercise.toml)."""
    shutil.copytree(folder, into / folder.name, dirs_exist_ok=True)
    return into / folder.name / "exercise.toml"


def test_the_catalogue_refuses_unknown_or_malformed_guarantees(tmp_path):
    from linklab.exercises.catalogue import EXERCISES_DIR, parse

    source = (EXERCISES_DIR / "03-hub-messages" / "exercise.toml").read_text()
    promise = 'guarantees = ["org-named", "unique-message-hub"]'
    kinds = 'organisations = ["hierarchical", "hub-and-spoke", "darknet"]'
    assert promise in source and kinds in source
    for (old, bad), message in (((promise, 'guarantees = ["unique-message-hub", "no-such-promise"]'), "unknown guarantee"),
                                ((promise, 'guarantees = [3]'), "must be names"),
                                ((promise, 'guarantees = "unique-message-hub"'), "must be a list"),
                                ((kinds, 'organisations = ["mafia"]'), "organisations are kinds"),
                                ((kinds + "\n", ""), "list the kinds")):  # $org names one of the kinds it lists
        path = exercise_copy(EXERCISES_DIR / "03-hub-messages", tmp_path)
        path.write_text(source.replace(old, bad))
        with pytest.raises(LinklabError, match=message):
            parse(path)
    case = (EXERCISES_DIR / "case" / "03-case-path" / "exercise.toml").read_text()
    path = exercise_copy(EXERCISES_DIR / "case" / "03-case-path", tmp_path)
    path.write_text(case.replace('points = ', 'guarantees = ["unique-message-hub"]\npoints = ', 1))
    with pytest.raises(LinklabError, match="promises nothing"):
        parse(path, "case")


# ---------------------------------------------------------------- edge cases planted at the answers


SET_ANSWERS = ("member-accounts", "family-ties", "three-platforms", "common-contacts", "second-degree",
               "alias-unmask", "prison-poster", "slang-accounts")


@pytest.mark.parametrize("exercise_id", SET_ANSWERS)
def test_some_answer_has_two_rows_that_read_the_same(many_seeds, exercise_id):
    """A twin of an answer's person or account: only counting by node (not by name or handle, not DISTINCT
    on the values) keeps both rows."""
    exercise = next(e for e in catalogue() if e.id == exercise_id)
    some([len(rows) != len(set(map(repr, rows)))
          for p, _, _, g, _ in worlds(many_seeds) for rows in [answers.answer_for(exercise, g).expected.rows]],
         f"{exercise_id} has two rows that read the same")


def test_a_twin_reads_like_the_original_and_has_the_same_links():
    from linklab.variation.focus import twin
    from linklab.variation.vary import step_rng

    base = World.materialise(generate(DESIGN, "tiny", 3))
    person = next(p for p in sorted(base.ids("Person")) if len(base.accounts_of(p)) >= 1)
    before = ScenarioGraphs(base.scenario())
    twin(base, step_rng(DESIGN, 3, "twin-test"), "Person", person)
    after = base.graphs()
    name = base.row("Person", person)["name"]
    copies = [p for p, row in after.nodes["Person"].items() if row["name"] == name and p != person]
    assert len(copies) == 1
    copy = copies[0]
    assert after.messaging.degree(copy) == before.messaging.degree(person)
    assert sorted(base.row("Account", a)["handle"] for a in base.accounts_of(copy)) == \
        sorted(base.row("Account", a)["handle"] for a in base.accounts_of(person))
    assert not set(base.accounts_of(copy)) & set(base.accounts_of(person))  # accounts of its own


def test_contacts_repeated_at_the_answers_and_facts_recorded_once(many_seeds):
    def repeated(g, rel_type, start, end):
        return max(Counter((r["s"], r["e"]) for r in g.rels(rel_type, start, end)).values(), default=0) > 1
    # (a repeated SENT at money-trail's answer: none in 40 one-world varied worlds; to be looked into)
    for rel_type, start, end in (("FOLLOWS", "Account", "Account"),):
        some([repeated(g, rel_type, start, end) for _, _, _, g, _ in worlds(many_seeds)], f"a {rel_type} recorded twice")
    for rel_type, start, end in (("MEMBER_OF", "Person", "Organization"), ("USES", "Person", "Account"),
                                 ("HAS_PHONE", "Person", "Phone"), ("REGISTERED_WITH", "Account", "Phone")):
        assert not any(repeated(g, rel_type, start, end) for _, _, _, g, _ in worlds(many_seeds)), rel_type  # facts: once


def test_crews_at_the_thresholds_prompts_use_and_crews_sharing_a_name(many_seeds):
    for size in (2, 3):
        some([any(len(g.crew_members(c)) == size for c in g.crews) for _, _, _, g, _ in worlds(many_seeds)],
             f"a crew with exactly {size} known members")
    some([len({g.nodes["Organization"][c]["name"] for c in g.crews}) < len(g.crews)
          or any(g.nodes["Organization"][c]["name"] == row["name"] for c in g.crews
                 for o, row in g.nodes["Organization"].items() if o != c)
          for _, _, _, g, _ in worlds(many_seeds)], "a crew shares its name with another organisation")


def test_membership_is_not_what_the_generator_makes_it(many_seeds):
    def orgs_only(g):
        return {p for o, people in g.members.items() if g.nodes["Organization"][o]["kind"] != "crew" for p in people}

    crew_people = lambda g: {p for c in g.crews for p in g.crew_members(c)}  # noqa: E731
    some([any(r["s"] in g.known_members and r["e"] in orgs_only(g) - crew_people(g)
              for r in g.rels("FAMILY_OF", "Person", "Person")) for _, _, _, g, _ in worlds(many_seeds)],
         "a member's relative is a member of the organisation but of no crew")
    some([bool(orgs_only(g) & crew_people(g)) for _, _, _, g, _ in worlds(many_seeds)], "a crew member is also a member of "
         "the organisation")
    some([any(c not in {r["s"] for r in g.rels("PART_OF", "Organization", "Organization")} for c in g.crews)
          and any(g.nodes["Organization"][r["s"]]["kind"] != "crew" for r in g.rels("PART_OF", "Organization", "Organization"))
          for _, _, _, g, _ in worlds(many_seeds)], "a crew is part of nothing and a non-crew is part of something")


def test_the_most_followed_account_is_not_always_a_known_members(seeds):
    some([answers.leader(dict(g.follows.in_degree())) is not None
          and g.owner.get(answers.leader(dict(g.follows.in_degree()))) not in g.known_members
          for _, _, _, g, _ in worlds(seeds)], "the most followed account is no known member's")


def test_two_links_to_members_that_are_one_member(seeds):
    def doubled(g):
        links = Counter()
        for r in g.rels("MESSAGED", "Account", "Account"):
            a, b = g.owner.get(r["s"]), g.owner.get(r["e"])
            if a and b and a not in g.known_members and b in g.known_members:
                links[a, b] += 1
            if a and b and b not in g.known_members and a in g.known_members:
                links[b, a] += 1
        return any(n >= 2 and len([q for q in g.messaging[p] if q in g.known_members]) == 1
                   for (p, _), n in links.items())
    some([doubled(g) for _, _, _, g, _ in worlds(seeds)], "someone reaches one member by two message links")


def test_registrations_and_names_that_point_at_someone_else(seeds):
    def borrowed(g):
        holder = {r["e"]: r["s"] for key in (("HAS_PHONE", "Person", "Phone"), ("HAS_EMAIL", "Person", "Email"))
                  for r in g.rels(*key)}
        return any(r["s"] in g.owner and holder.get(r["e"]) not in (None, g.owner[r["s"]])
                   for end in ("Phone", "Email") for r in g.rels("REGISTERED_WITH", "Account", end))
    some([borrowed(g) for _, _, _, g, _ in worlds(seeds)], "a used account is registered with another person's detail")
    some([any(len({g.nodes["Person"][p]["name"] for p in g.crew_members(c)}) < len(g.crew_members(c)) for c in g.crews)
          for _, _, _, g, _ in worlds(seeds)], "two members of one crew share a name")


def test_a_crew_of_exactly_three_in_which_everyone_is_in_touch(seeds):
    some([any(len(m) == 3 and g.messaging.subgraph(m).number_of_edges() == 3
              for c in g.crews for m in [g.crew_members(c)]) for _, _, _, g, _ in worlds(seeds)],
         "a crew of three whose members all message each other")


def test_someone_near_an_answer_keeps_contacts_on_two_accounts(many_seeds):
    """common-contacts: a common contact who messages $a from one account and $b from another."""
    def split(g):
        pair = answers.common_pair(asked("common-contacts", g))
        if pair is None:
            return False
        a, b = pair
        mine = {x: {acc for acc in g.owner if g.owner[acc] == x} for x in (a, b)}
        for c in set(g.messaging[a]) & set(g.messaging[b]):
            theirs = {acc for acc in g.owner if g.owner[acc] == c}
            links = [(r["s"], r["e"]) for r in g.rels("MESSAGED", "Account", "Account")]
            to = {x: {s if e in mine[x] else e for s, e in links if (s in theirs and e in mine[x]) or
                      (e in theirs and s in mine[x])} for x in (a, b)}
            if to[a] and to[b] and not to[a] & to[b]:
                return True
        return False
    some([split(g) for _, _, _, g, _ in worlds(many_seeds)], "a common contact reaches the pair from two different accounts")


@pytest.mark.parametrize("exercise_id, graph", [("hub-messages", "messaging"), ("hub-calls", "calls")])
def test_someone_else_has_the_name_of_the_hub(seeds, exercise_id, graph):
    """Grouping the hub's contacts by name adds up two people where counting by person does not: somebody
    else bears the hub's name and has contacts of their own."""
    exercise = next(e for e in catalogue() if e.id == exercise_id)

    def namesake_apart(g):
        contacts = getattr(g, graph)
        hub_name = answers.answer_for(exercise, g).expected.rows[0][0]
        hubs = [p for p, row in g.nodes["Person"].items() if row["name"] == hub_name and p in contacts]
        reached = [set(contacts[p]) - {q for q in hubs} for p in hubs]
        return len(hubs) >= 2 and len(set().union(*reached)) > max(len(r) for r in reached)
    some([namesake_apart(g) for _, _, _, g, _ in worlds(seeds)],
         f"someone else with the {exercise_id} hub's name has contacts of their own")


def test_a_namesake_has_the_name_and_contacts_of_their_own():
    from linklab.variation.focus import namesake_at, neighbours
    from linklab.variation.vary import step_rng

    base = World.materialise(generate(DESIGN, "tiny", 3))
    person = next(p for p in sorted(base.ids("Person")) if neighbours(base, "Person", p))
    name = base.row("Person", person)["name"]
    namesake_at(base, step_rng(DESIGN, 3, "namesake-test"), "Person", person)
    others = [p for p in base.ids("Person") if base.row("Person", p)["name"] == name and p != person]
    assert len(others) == 1
    assert set(neighbours(base, "Person", others[0])) - set(neighbours(base, "Person", person)) - {("Person", person)}


def test_somebody_lives_at_the_address_with_the_most_slang_around_it(seeds):
    from linklab.exercises.answers import slang_near

    def resident(g):
        scores = slang_near(g, "address", 200)
        if not scores:
            return False
        best = max(scores.values())
        top = {place for place, score in scores.items() if score == best}
        return any(r["e"] in top for r in g.rels("LIVES_AT", "Person", "Location"))
    some([resident(g) for _, _, _, g, _ in worlds(seeds)], "somebody lives at the address with the most slang")


def test_path_hops_suspects_are_not_always_as_far_apart_as_generated():
    """The generator puts path-hops' two suspects a typical number of hops apart; the path-shortcut transform
    moves the same two closer, so that a number copied from one world (or guessed) is wrong in another."""
    from linklab.variation.transforms import path_shortcut
    from linklab.variation.vary import step_rng

    shorter = 0
    for seed in (1, 2, 3):
        base = World.materialise(generated(DESIGN, "tiny", seed))
        before = answer("path-hops", base.graphs())
        path_shortcut(base, step_rng(DESIGN, seed, "path-shortcut"))
        base.touch()
        after = answer("path-hops", base.graphs())
        assert after.params == before.params and after.expected.rows[0][0] <= before.expected.rows[0][0]
        shorter += after.expected.rows[0][0] < before.expected.rows[0][0]
    assert shorter >= 2


def test_vary_collects_garbage_less_often_while_any_vary_runs_and_puts_the_threshold_back(monkeypatch):
    """vary() raises the collector's threshold (a fifth of its time went to collecting: bench/varying.py) for as
    long as any vary() of the process runs, in any thread, and sets back the one it found, after an error too."""
    found = gc.get_threshold()
    raised = max(varying.COLLECT_EVERY, found[0])
    assert raised > 700  # above Python's default: there is something to set back
    inside, release, seen = threading.Event(), threading.Event(), []

    def varied(scenario, seed):  # stands in for the work of varying: what the threshold is meanwhile
        seen.append(gc.get_threshold())
        if seed == 1:
            inside.set()
            assert release.wait(30)
        if seed == 3:
            raise LinklabError("breaks a promise")
        return scenario

    monkeypatch.setattr(varying, "varied", varied)
    first = threading.Thread(target=vary, args=("first", 1))
    first.start()
    assert inside.wait(30)
    assert vary("second", 2) == "second"
    assert gc.get_threshold()[0] == raised  # the first still runs
    with pytest.raises(LinklabError):
        vary("third", 3)
    assert gc.get_threshold()[0] == raised
    release.set()
    first.join(30)
    assert gc.get_threshold() == found
    assert seen == [(raised, *found[1:])] * 3
