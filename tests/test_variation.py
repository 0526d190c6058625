"""Varied worlds (variation) without a database: every guarantee of every exercise holds on them (on the
organisation each exercise asks about there), they are deterministic, every transform happens, and every
regularity of the generator that the issue lists (and no prompt promises) is false in some varied world. 24
seeds of the one investigation world at the tiny size."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import subprocess
import sys
from collections import Counter
from functools import cache

import networkx as nx
import pytest

from linklab.errors import LinklabError
from linklab.exercises import answers
from linklab.exercises.catalogue import catalogue, get
from linklab.exercises.guarantees import REGISTRY as GUARANTEES, broken
from linklab.scenario.builder import distance_m
from linklab.scenario.generate import generate
from linklab.scenario.graphs import ScenarioGraphs
from linklab.scenario.profiles import DESIGN, load_profile
from linklab.variation.transforms import TRANSFORMS
from linklab.variation.vary import MAX_PERSONS, vary
from linklab.variation.world import PREFIX, World

SEEDS = range(1, 25)


@cache
def world(seed: int) -> tuple:
    """(varied scenario, its graphs, the generated scenario's graphs) for one seed."""
    plain = generate(DESIGN, "tiny", seed)
    varied = vary(plain, seed)
    return varied, ScenarioGraphs(varied), ScenarioGraphs(plain)


def worlds():
    return [(DESIGN, s, *world(s)) for s in SEEDS]


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


def test_every_guarantee_holds_on_varied_worlds():
    exercises = catalogue()
    for _, seed, varied, g, _ in worlds():
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


def test_parameters_name_people_nobody_else_is_called():
    for profile, seed, _, g, _ in worlds():
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
    first = vary(generate(DESIGN, "tiny", 7), 7)
    again = vary(generate(DESIGN, "tiny", 7), 7)
    assert canonical(first) == canonical(again) and first.variation == again.variation
    assert canonical(first) == canonical(first)  # the chunks are made afresh on every call, identically
    assert canonical(first) != canonical(vary(generate(DESIGN, "tiny", 8), 8))


def test_the_same_world_in_another_process_with_other_string_hashing():
    """Set order changes with PYTHONHASHSEED: a world that depended on it would differ between processes."""
    code = ("import hashlib, json, sys; from linklab.scenario.generate import generate; "
            "from linklab.variation.vary import vary; "
            "s = vary(generate(sys.argv[1], 'tiny', int(sys.argv[2])), int(sys.argv[2])); "
            "data = [{'nodes': c.nodes, 'rels': {'/'.join(k): v for k, v in c.rels.items()}} for c in s.chunks()]; "
            "print(hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest())")
    for seed in (3, 5):
        digests = {subprocess.run([sys.executable, "-c", code, DESIGN, str(seed)], capture_output=True, text=True,
                                  env={**os.environ, "PYTHONHASHSEED": str(h)}, check=True).stdout.strip()
                   for h in (1, 2)}
        assert digests == {canonical(world(seed)[0])}


def test_varied_worlds_are_small_worlds_only():
    plain = generate(DESIGN, "tiny", 1)
    big = dataclasses.replace(plain, info=dataclasses.replace(plain.info, persons=MAX_PERSONS + 1, size="large"))
    with pytest.raises(LinklabError, match="small scenarios"):
        vary(big, 1)


def test_vary_changes_no_generated_scenario():
    plain = generate(DESIGN, "tiny", 4)
    before = canonical(plain)
    vary(plain, 4)
    assert canonical(plain) == before


def test_the_varied_world_loads_like_any_scenario():
    """One chunk, ids unique per label, every relationship between existing nodes of the right labels."""
    for profile, seed, varied, _, _ in worlds():
        chunks = list(varied.chunks())
        assert len(chunks) == 1
        ids = {label: [r["id"] for r in rows] for label, rows in chunks[0].nodes.items()}
        for label, values in ids.items():
            assert len(values) == len(set(values)), (profile, seed, label)
        for (rel_type, start, end), rows in chunks[0].rels.items():
            assert all(r["s"] in set(ids[start]) and r["e"] in set(ids[end]) for r in rows), (profile, seed, rel_type)


# ---------------------------------------------------------------- transforms


def test_every_transform_happens_in_some_varied_worlds():
    applied = Counter(name for _, _, varied, _, _ in worlds() for name in varied.variation)
    for transform in TRANSFORMS:
        assert applied[transform.name] >= 4, (transform.name, applied[transform.name])
    assert max(len(varied.variation) for _, _, varied, _, _ in worlds()) >= 8


def test_no_transform_fails_and_each_is_deterministic():
    """vary() leaves out a transform that raises; none should have to. The same Random, the same change."""
    from linklab.variation.vary import fingerprint, randomise_ids, shuffle_order, step_rng

    from linklab.variation.vary import remap

    for seed in (1, 2, 3):
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


def test_the_first_person_created_is_nobody_in_particular():
    """`MATCH (p:Person) RETURN p.name LIMIT 1` returned the planted broker (or leader)."""
    first_is_planted = [person_rows(v)[0]["id"] in {o.leader for o in v.truth.organisations} | set(g.go_betweens)
                        for _, _, v, g, _ in worlds()]
    assert sum(first_is_planted) <= len(first_is_planted) // 4
    plain = generate(DESIGN, "tiny", 1)
    assert next(iter(plain.chunks())).nodes["Person"][0]["id"] == plain.truth.organisations[0].leader  # the habit


def test_ids_do_not_tell_roles():
    for _, _, varied, g, _ in worlds():
        for label, rows in next(iter(varied.chunks())).nodes.items():
            assert all(r["id"][0] == PREFIX[label] and r["id"][1:].isdigit() and len(r["id"]) == 8 for r in rows)
    lowest = [min(g.nodes["Person"]) in g.go_betweens for _, _, _, g, _ in worlds()]
    assert sum(lowest) <= len(lowest) // 4


def test_the_message_hub_is_not_always_the_call_hub():
    def differ(g):
        view = asked("hub-calls", g)
        return answers.leader(answers.message_degrees(view)) != answers.leader(answers.call_degrees(view))
    some([differ(g) for _, _, _, g, _ in worlds()], "the message hub of the organisation hub-calls asks about "
         "differs from its call hub")
    assert not any(differ(plain) for _, _, _, _, plain in worlds())  # the habit: never in a generated world


def test_names_and_handles_are_not_unique():
    some([len(g.unique_names) < len(g.nodes["Person"]) for _, _, _, g, _ in worlds()], "two people share a name")
    some([len({r["handle"] for r in g.nodes["Account"].values()}) < len(g.nodes["Account"])
          for _, _, _, g, _ in worlds()], "two accounts share a handle")


def test_a_name_shared_with_someone_near_the_top():
    """Grouping by name instead of by person changes who has the most contacts, or how many."""
    def merged_top(g):
        by_name = Counter()
        for p, d in g.messaging.degree():
            by_name[g.nodes["Person"][p]["name"]] += d
        return max(by_name.values())
    some([merged_top(g) != max(dict(g.messaging.degree()).values()) for _, _, _, g, _ in worlds()],
         "adding up contacts by name changes the top count")


def test_crews_without_members_contacts_or_triangles():
    some([any(not g.crew_members(c) for c in g.crews) for _, _, _, g, _ in worlds()], "a crew has no known member")
    some([any(m for m in g.crew_members(c) if g.messaging.degree(m) == 0 and (m not in g.calls or not g.calls.degree(m)))
          for _, _, _, g, _ in worlds() for c in g.crews], "a crew member has no contact at all")
    def triangles(g, crew):
        return sum(nx.triangles(g.messaging.subgraph(g.crew_members(crew))).values())

    def lost_all(varied, g, plain):  # a crew with triangles as generated (the same crew: the plan's ids) has none
        pairs = zip((c.org_id for o in varied.truth.organisations for c in o.crews),
                    (c.org_id for o in plain.scenario.truth.organisations for c in o.crews))
        return any(len(g.crew_members(v)) >= 3 and triangles(plain, p) and not triangles(g, v) for v, p in pairs)
    some([lost_all(v, g, plain) for _, _, v, g, plain in worlds()], "a crew that has triangles as generated has none")


def test_a_person_whose_own_accounts_message_each_other():
    some([any(g.owner.get(r["s"]) and g.owner.get(r["s"]) == g.owner.get(r["e"])
              for r in g.rels("MESSAGED", "Account", "Account")) for _, _, _, g, _ in worlds()],
         "a person's own accounts message each other")
    some([any(g.owner.get(r["s"]) and g.owner.get(r["s"]) == g.owner.get(r["e"])
              for r in g.rels("MESSAGED", "Account", "Account"))
          and any(p == answers.hub(asked("hub-messages", g)) for r in g.rels("MESSAGED", "Account", "Account")
                  for p in [g.owner.get(r["s"])] if p and p == g.owner.get(r["e"]))
          for _, _, _, g, _ in worlds()], "the hub's own accounts message each other")


@pytest.mark.parametrize("rel_type,label", [("MESSAGED", "Account"), ("CALLED", "Phone")])
def test_repeated_and_two_way_links(rel_type, label):
    def pairs(g):
        return Counter((r["s"], r["e"]) for r in g.rels(rel_type, label, label))
    some([max(pairs(g).values()) > 1 for _, _, _, g, _ in worlds()], f"two {rel_type} from one to the same other")
    some([any((e, s) in pairs(g) for s, e in pairs(g) if s != e) for _, _, _, g, _ in worlds()],
         f"{rel_type} recorded both ways")


def test_answers_that_are_not_known_members():
    def members(g):
        return g.known_members

    def owners(g, handles_rows):
        by_handle = {}
        for a, row in g.nodes["Account"].items():
            by_handle.setdefault(row["handle"], []).append(g.owner.get(a))
        return [p for (h, *_) in handles_rows for p in by_handle[h]]

    ws = worlds()
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


def test_money_passes_an_exchange_before_the_end_of_a_route():
    def passes(g):
        exchanges = answers.exchange_wallets(g)
        start = answers.buyer(g)
        return any(set(path[1:-1]) & exchanges for x in exchanges for path in nx.all_simple_paths(g.money, start, x))
    ws = worlds()
    some([passes(g) for _, _, _, g, _ in ws], "a route from the buyer passes an exchange before its end")
    assert not any(passes(plain) for _, _, _, _, plain in ws)  # the habit: never in a generated world


def test_a_second_active_market():
    some([sum(r["status"] == "active" for r in g.nodes["Market"].values()) > 1 for _, _, _, g, _ in worlds()],
         "two markets are active")
    some([len({old for old, _ in answers.darknet_migration(g).expected.rows}) < len(answers.darknet_migration(g).expected.rows)
          for _, _, _, g, _ in worlds()], "a vendor moved to two markets")


def posts_between(g, lat, lon, low, high) -> list[dict]:
    return [p for posts in g.posts_by_account.values() for p in posts
            if "latitude" in p and low <= distance_m(lat, lon, p["latitude"], p["longitude"]) <= high]


def test_posts_just_inside_and_just_outside_each_distance_threshold():
    def around(g, kind, metres, slang):
        scores = answers.slang_near(g, "address", 200) if kind == "address" else None
        place = (g.nodes["Location"][answers.most(scores)] if scores else answers.location_of_type(g, kind)[0])
        near = [p for p in posts_between(g, place["latitude"], place["longitude"], metres - 5, metres + 5)
                if g.is_slang(p["text"]) or not slang]
        inside = [p for p in near if distance_m(place["latitude"], place["longitude"], p["latitude"], p["longitude"]) < metres]
        return bool(inside) and len(inside) < len(near)
    some([around(g, "prison", 500, False) for _, _, _, g, _ in worlds()], "posts lie on both sides of 500 m of the prison")
    some([around(g, "address", 200, True) for _, _, _, g, _ in worlds()],
         "slang posts lie on both sides of 200 m of the stash house")


def test_organisation_names_do_not_reveal_their_kind():
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
    some([hidden(p, g) for p, _, _, g, _ in worlds()], "no organisation name carries its design's word for its kind")
    some([misleading(g) for _, _, _, g, _ in worlds()], "a name suggests another kind than the organisation's")


def test_the_go_between_is_not_always_the_top_by_betweenness():
    def top(g):
        scores = nx.betweenness_centrality(g.org_network(), normalized=False)
        return answers.most(scores)
    some([top(asked("betweenness-gds", g)) != answers.go_between(asked("betweenness-gds", g)) for _, _, _, g, _ in worlds()],
         "someone else than the go-between tops betweenness in the networked organisation")


def test_geotagged_has_one_reading_and_the_data_tells_them_apart():
    """A contact of weak-signals' $hub with slang and a post tagged at a place but none with coordinates: the
    tagged-counts reading would keep it, the prompt's does not."""
    def tagged_only(g):
        hub_accounts = {a for a, p in g.owner.items() if p == answers.signal_hub(asked("weak-signals", g))}
        tagged = {r["s"] for r in g.rels("TAGGED_AT", "Post", "Location")}
        contacts = {r["e"] if r["s"] in hub_accounts else r["s"] for r in g.rels("MESSAGED", "Account", "Account")
                    if r["s"] in hub_accounts or r["e"] in hub_accounts} - hub_accounts
        return any(answers.slang_counts(g).get(a, 0) and any(p["id"] in tagged for p in g.posts_by_account.get(a, []))
                   and not any("latitude" in p for p in g.posts_by_account.get(a, [])) for a in contacts)
    some([tagged_only(g) for _, _, _, g, _ in worlds()], "a contact's only geotag is a tagged place")


def test_arrest_cutoff_readings_differ():
    """Members who never reached the go-between: counting them (the other reading) gives another number."""
    def never_reached(g):
        g = asked("arrest-cutoff", g)
        org = g.org_network()
        reach = nx.node_connected_component(org, answers.go_between(g))
        crew_members = set().union(*(g.crew_members(c) for c in g.crews))
        return bool(crew_members - reach - {answers.arrested_hub(g)})
    assert all(never_reached(g) for _, _, _, g, _ in worlds())


def test_answer_keys_follow_the_prompts_on_edge_cases():
    """What the prompt fixes for the edge cases varied worlds contain."""
    for _, _, _, whole, _ in worlds():
        g = asked("crews", whole)
        rows = dict(answers.crews(g).expected.rows)
        assert all(rows[g.nodes["Organization"][c]["name"]] == len(g.crew_members(c)) for c in g.crews)
        dense = {name for name, _ in answers.crew_density(g).expected.rows}
        assert all((g.nodes["Organization"][c]["name"] in dense) == (len(g.crew_members(c)) >= 2) for c in g.crews)
        for (name, density) in answers.crew_density(g).expected.rows:
            assert 0.0 <= density <= 1.0 and not math.isnan(density)
    some([any(n == 0 for _, n in answer("crews", g).expected.rows) for _, _, _, g, _ in worlds()],
         "crews gives a crew with no known member")


def test_the_catalogue_refuses_unknown_or_malformed_guarantees(tmp_path):
    from linklab.exercises.catalogue import EXERCISES_DIR, parse

    source = (EXERCISES_DIR / "03-hub-messages.toml").read_text()
    promise = 'guarantees = ["org-named", "unique-message-hub"]'
    kinds = 'organisations = ["hierarchical", "hub-and-spoke", "darknet"]'
    assert promise in source and kinds in source
    for (old, bad), message in (((promise, 'guarantees = ["unique-message-hub", "no-such-promise"]'), "unknown guarantee"),
                                ((promise, 'guarantees = [3]'), "must be names"),
                                ((promise, 'guarantees = "unique-message-hub"'), "must be a list"),
                                ((kinds, 'organisations = ["mafia"]'), "organisations are kinds"),
                                ((kinds + "\n", ""), "list the kinds")):  # $org names one of the kinds it lists
        path = tmp_path / "03-hub-messages.toml"
        path.write_text(source.replace(old, bad))
        with pytest.raises(LinklabError, match=message):
            parse(path)
    case = (EXERCISES_DIR / "case" / "03-case-path.toml").read_text()
    path = tmp_path / "03-case-path.toml"
    path.write_text(case.replace('answer = "', 'guarantees = ["unique-message-hub"]\nanswer = "', 1))
    with pytest.raises(LinklabError, match="promises nothing"):
        parse(path, "case")
