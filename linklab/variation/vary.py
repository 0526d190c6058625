"""Varied worlds: hidden scenarios that break every regularity of the generator that no prompt promises.

`vary(scenario, seed)` takes a small generated scenario and returns the same kind of world with the
generator's habits broken:
- always: every id is random (no H1, V1, WX1, L2, no low person numbers for planted roles), and every
  label's nodes and every type's relationships are created in a random order (so `MATCH (p:Person) RETURN
  p.name LIMIT 1` returns anybody);
- each with a seeded chance, the transforms of scenario.transforms: duplicate names, shared handles, an
  empty crew, an isolated member, a crew without triangles, hubs that differ per channel, repeated and
  two-way links, answers that are not known members, posts on both sides of distance thresholds, an
  exchange in mid-route, a second active market, organisation names that do not reveal their kind...

Every guarantee of every exercise (exercises.guarantees, on the organisation each asks about in that world)
still holds in the world returned, and every answer function computes its parameters and rows there: all chosen transforms
are applied, and if the result breaks a promise, they are applied again one by one, each kept only if the
world still keeps every promise after it. Pure and deterministic: one seed, one world, byte for byte (each
step has a `random.Random` of its own, seeded from the seed and the step's name; never the global one).
No database here.
"""

from __future__ import annotations

import gc
import hashlib
import json
import random
import threading
from contextlib import contextmanager
from dataclasses import fields, is_dataclass, replace
from functools import cache
from pathlib import Path

from ..errors import LinklabError
from ..exercises.catalogue import every_exercise
from ..exercises.guarantees import broken
from ..scenario.model import GroundTruth, Scenario
from .transforms import TRANSFORMS, Transform
from .world import PREFIX, World

MAX_PERSONS = 3_000  # varied worlds are small worlds full of edge cases; a larger one is refused
# Varying a world copies it for every edit it tries and builds its graphs again: millions of small dicts and lists
# that live a while. At Python's default (a collection every 700 new containers) the collector walked them again
# and again, a fifth of the time; at 10,000, `python -m bench varying` took 0.85x the time for twelve worlds
# (25.68 s against 30.19 s), the same worlds, at a peak of 122 MiB against 105.
COLLECT_EVERY = 10_000
_collecting = threading.Lock()
_varying = [0, None]  # vary() calls under way in this process, and the threshold before the first of them


def step_rng(profile: str, seed: int, step: str) -> random.Random:
    """The Random of one step: the same for a seed whatever other steps did (string seeds are stable)."""
    return random.Random(f"linklab-vary/{profile}/{seed}/{step}")


@contextmanager
def fewer_collections():
    """Python's cyclic garbage collector runs less often while any vary() of this process runs (COLLECT_EVERY);
    the threshold it had is back when the last one ends, whichever thread ran it. It changes when memory is
    freed, never what a world holds."""
    with _collecting:
        if _varying[0] == 0:
            _varying[1] = gc.get_threshold()
            gc.set_threshold(max(COLLECT_EVERY, _varying[1][0]), *_varying[1][1:])
        _varying[0] += 1
    try:
        yield
    finally:
        with _collecting:
            _varying[0] -= 1
            if _varying[0] == 0:
                gc.set_threshold(*_varying[1])


def vary(scenario: Scenario, seed: int) -> Scenario:
    """The varied world of `scenario` for `seed` (see the module docstring). Raises LinklabError for a
    scenario above MAX_PERSONS, or one whose generated world already breaks a promise."""
    with fewer_collections():
        return varied(scenario, seed)


def varied(scenario: Scenario, seed: int) -> Scenario:
    info = scenario.info
    if info.persons > MAX_PERSONS:
        raise LinklabError(f"varied worlds are made from small scenarios (at most {MAX_PERSONS:,} persons); "
                           f"size {info.size} has {info.persons:,}")
    exercises = every_exercise()
    base = World.materialise(scenario)
    renamed = randomise_ids(base, step_rng(info.profile, seed, "ids"))
    base.truth = remap(scenario.truth, renamed)  # which organisation is which kind, in the new ids
    shuffle_order(base, step_rng(info.profile, seed, "order"))
    problem = broken(base.graphs(), exercises)
    if problem:
        raise LinklabError(f"{info.profile}/{info.size}/seed {seed}: the generated world already breaks a "
                           f"promise ({problem}): no varied world is made from it")
    chosen = [t for t in TRANSFORMS if step_rng(info.profile, seed, f"choose/{t.name}").random() < t.chance]
    world, applied = apply_all(base, chosen, info.profile, seed)
    if broken(world.graphs(), exercises):
        world, applied = base, []
        for transform in chosen:
            candidate, done = apply_all(world, [transform], info.profile, seed)
            if done and not broken(candidate.graphs(), exercises):
                world, applied = candidate, applied + done
    people = len(world.rows("Person"))  # transforms may have added some: the info says what the world holds
    varied = World(world.chunk, replace(info, persons=people), base.truth).scenario()
    return replace(varied, variation=tuple(applied))


def apply_all(world: World, transforms: list[Transform], profile: str, seed: int) -> tuple[World, list[str]]:
    """A copy of `world` with the transforms applied in order; the names of those that changed something.
    A transform that fails on this world (an edge its author did not foresee) is left out, not fatal."""
    current = world.copy()
    before = fingerprint(current)  # of `current`, kept with it
    applied = []
    for transform in transforms:
        trial = current.copy()
        try:
            transform.apply(trial, step_rng(profile, seed, transform.name))
        except (LookupError, ValueError, ArithmeticError):
            continue
        trial.touch()
        after = fingerprint(trial)
        if after != before:
            current, applied, before = trial, applied + [transform.name], after
    return current, applied


def fingerprint(world: World) -> str:
    data = {"nodes": world.chunk.nodes, "rels": {"/".join(k): v for k, v in world.chunk.rels.items()}}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def randomise_ids(world: World, rng: random.Random) -> dict[str, dict[str, str]]:
    """Give every node a random id of its label's shape; label -> {old id: new id}."""
    renamed: dict[str, dict[str, str]] = {}
    for label, rows in world.chunk.nodes.items():
        fresh = rng.sample(range(1_000_000, 10_000_000), len(rows))
        renamed[label] = {row["id"]: f"{PREFIX[label]}{n}" for row, n in zip(rows, fresh)}
        for row in rows:
            row["id"] = renamed[label][row["id"]]
    for (_, start, end), rows in world.chunk.rels.items():
        for row in rows:
            row["s"], row["e"] = renamed[start][row["s"]], renamed[end][row["e"]]
    world.touch()
    return renamed


def shuffle_order(world: World, rng: random.Random) -> None:
    """Nodes and relationships are created in list order: a random one, so that no role is created first."""
    for label in world.chunk.nodes:
        rng.shuffle(world.chunk.nodes[label])
    for key in world.chunk.rels:
        rng.shuffle(world.chunk.rels[key])
    world.touch()


def remap(truth: GroundTruth, renamed: dict[str, dict[str, str]]) -> GroundTruth:
    """The generator's plan in the varied world's ids. Only a plan: transforms may have given a role to
    somebody else or renamed somebody since; what holds in a varied world is what the guarantees check."""
    lookup = {old: new for mapping in renamed.values() for old, new in mapping.items()}

    def convert(value):
        if isinstance(value, str):
            return lookup.get(value, value)
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, tuple):
            return tuple(convert(v) for v in value)
        if isinstance(value, dict):
            return {convert(k): convert(v) for k, v in value.items()}
        if is_dataclass(value):
            return replace(value, **{f.name: convert(getattr(value, f.name)) for f in fields(value)})
        return value

    return convert(truth)


@cache
def variation_digest() -> str:
    """What varied worlds depend on beyond the generator: the guarantees, the answer functions (which choose
    parameters) and the exercises' lists of guarantees. A varied scenario loaded before any of them changed
    is another world."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in (root / "exercises" / "guarantees.py", root / "exercises" / "answers.py",
                 *sorted((root / "variation").glob("*.py"))):
        h.update(path.read_bytes())
    for exercise in every_exercise():
        h.update(f"{exercise.id}:{','.join(exercise.guarantees)}:{','.join(exercise.organisations)}\n".encode())
        h.update(exercise.answer_path.read_bytes())
    return h.hexdigest()[:16]
