"""Varied worlds kept on disk, so that a world is varied once per linklab version, not once per process.

Varying a world takes a second or two of pure Python (vary's promise checks after every planted edit), and
every process that grades on a hidden world needs it: each `linklab check`, `grade`, `answers` and
`selftest` would vary the course's hidden worlds again. The first process that varies one keeps it in
STATE/varied-worlds.db (SQLite, this module its only owner), under the world's marker token, which changes
with the generator and the variation code (keys.ScenarioKey.token); the next ones read it back.

What is read back is the same world: its data, its plan (truth), its info and the transforms that made it,
equal to the freshly varied one (tests/test_variation.py). A row that cannot be read (damaged, written by
another version of this format) is varied again and replaced; a store that cannot be opened or written (a
full or read-only disk) costs only the time: the world is varied as before and nothing is kept.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..config import open_sqlite, state_dir
from ..scenario.model import Chunk, Crew, GroundTruth, OrgTruth, Scenario, ScenarioInfo
from .world import World

FORMAT = 1  # raised when what is kept changes shape: rows of another format are varied again
KEEP_DAYS = 30  # rows made longer ago are removed when a new one is written (older versions' worlds)
SCHEMA = "CREATE TABLE IF NOT EXISTS worlds (token TEXT PRIMARY KEY, made REAL NOT NULL, data BLOB NOT NULL)"


def database() -> Path:
    return state_dir() / "varied-worlds.db"


def kept_world(token: str, make: Callable[[], Scenario]) -> Scenario:
    """The world kept under `token`, or make() (which varies it), kept for the next process."""
    found = read(token)
    if found is not None:
        return found
    world = make()
    write(token, world)
    return world


@contextmanager
def connect() -> Iterator[sqlite3.Connection]:
    """The store, its table made if need be; closed afterwards. sqlite3.Error or OSError when it cannot be."""
    db = open_sqlite(database())
    try:
        db.execute(SCHEMA)
        yield db
    finally:
        db.close()


def read(token: str) -> Scenario | None:
    try:
        with connect() as db:
            row = db.execute("SELECT data FROM worlds WHERE token = ?", (token,)).fetchone()
    except (sqlite3.Error, OSError):
        return None  # no store to read (none can be made here): the world is varied here
    if row is None:
        return None
    try:
        return decoded(row[0])
    except (ValueError, KeyError, TypeError, AttributeError, zlib.error):
        return None  # damaged or of another format: varied again, and the row replaced


def write(token: str, world: Scenario) -> None:
    data = encoded(world)
    try:
        with connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM worlds WHERE made < ?", (time.time() - KEEP_DAYS * 86400,))
                db.execute("INSERT OR REPLACE INTO worlds VALUES (?, ?, ?)", (token, time.time(), data))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
    except (sqlite3.Error, OSError):
        pass  # a full or read-only disk: the world was varied all the same, only not kept


# ---------------------------------------------------------------- the world as JSON, and back


def encoded(world: Scenario) -> bytes:
    (chunk,) = list(world.chunks())  # a varied world is one chunk (variation.world.World.scenario)
    data = {
        "format": FORMAT,
        "info": world.info.__dict__,
        "truth": world.truth.__dict__ | {"organisations": [
            org.__dict__ | {"crews": [crew.__dict__ for crew in org.crews]} for org in world.truth.organisations]},
        "variation": list(world.variation),
        "nodes": chunk.nodes,
        "rels": [[list(key), rows] for key, rows in chunk.rels.items()],
    }
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)


def decoded(blob: bytes) -> Scenario:
    data = json.loads(zlib.decompress(blob))
    if data.get("format") != FORMAT:
        raise ValueError("another format")
    truth = data["truth"]
    organisations = [OrgTruth(**org | {"crews": [Crew(**crew) for crew in org["crews"]],
                                       "family_ties": [tuple(tie) for tie in org["family_ties"]]})
                     for org in truth["organisations"]]
    chunk = Chunk()
    chunk.nodes.update(data["nodes"])
    chunk.rels.update({tuple(key): rows for key, rows in data["rels"]})
    world = World(chunk, ScenarioInfo(**data["info"]), GroundTruth(**truth | {"organisations": organisations}))
    return replace(world.scenario(), variation=tuple(data["variation"]))
