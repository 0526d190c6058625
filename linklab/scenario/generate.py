"""The scenario generator: seed in, plain data out. No database here.

One seed drives everything: Faker's `seed_instance` and `random.Random` objects derived from the
seed (never the global generator). Faker only fills name pools once; all further choices are
cheap `Random` calls, which keeps a million-person scenario fast and byte-identical everywhere.

The criminal core (the organisations, their crews and go-betweens, aliases, posts, the market, the
wallets, where the organisations touch) is built first and plants every exercise's answer with a clear margin; the background population follows in
chunks that only point back at earlier chunks, so large scenarios stream in bounded memory.
"""

from __future__ import annotations

import gc
import hashlib
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

from .. import __version__
from .background import build_background
from .builder import Ids, faker_version, make_pools
from .core import build_core
from .model import Chunk, Scenario, ScenarioInfo
from .profiles import DESIGN, SEED_DIR, load_profile, persons_for

CHUNK_PERSONS = 20_000


@cache
def generator_digest() -> str:
    """The generator's code and data (profiles, lexicons): a changed generator makes other scenarios from
    the same seeds, so a scenario loaded by another version is not "the same scenario"."""
    h = hashlib.sha256(__version__.encode())
    for folder, pattern in ((Path(__file__).resolve().parent, "*.py"), (SEED_DIR, "**/*.toml")):
        for path in sorted(folder.glob(pattern)):
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:16]


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Building a chunk allocates some 500,000 dicts, and each few hundred set off Python's cyclic garbage
    collector, whose full passes walk every long-lived object: the uniqueness sets (names, handles, numbers),
    which grow with the scenario. That, not the collisions, made a million persons twice as slow per chunk
    as the first chunks. A chunk holds no reference cycles, so reference counting frees it all the same."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def generate(profile_name: str = DESIGN, size: str | int = "class", seed: int = 1) -> Scenario:
    """Build the scenario for (profile, size, seed). Background chunks are made lazily on iteration."""
    profile = load_profile(profile_name)
    size_name, persons = persons_for(size)
    pools = make_pools(profile, seed)
    ids = Ids()
    core, truth, refs = build_core(profile, pools, ids, seed, persons)
    info = ScenarioInfo(profile.name, size_name, persons, seed, __version__, faker_version())
    first = refs.persons + 1

    def chunks() -> Iterator[Chunk]:
        replay = Ids(*(set(values) for values in vars(ids).values()))  # the core's, copied: every pass is identical
        yield core
        for index, start in enumerate(range(first, persons + 1, CHUNK_PERSONS)):
            stop = min(start + CHUNK_PERSONS, persons + 1)
            with cyclic_gc_paused():
                chunk = build_background(profile, pools, replay, seed, index, first, start, stop, refs)
            yield chunk

    return Scenario(info=info, truth=truth, chunk_source=chunks)
