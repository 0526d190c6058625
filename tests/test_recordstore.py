"""The record store (`linklab.db`) has one schema, in linklab/recordstore.py, applied as numbered migrations:
a new file gets the latest version, a file an older linklab wrote is brought up to it with its rows kept, a
current file is not written to, a newer file is refused with one line and left as it was, and processes
opening an old file at once migrate it once. Pure SQLite: no Java, no Neo4j."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys

import pytest

from linklab import recordstore
from linklab.errors import LinklabError

from .conftest import ROOT

# The store as linklab releases before versions first wrote these tables (their later columns came with ALTER).
OLDER_STORE = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    trainee TEXT NOT NULL, course TEXT NOT NULL, exercise TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('hint', 'check')),
    passed INTEGER NOT NULL DEFAULT 0, feedback TEXT NOT NULL DEFAULT '',
    answer_sha256 TEXT NOT NULL DEFAULT '', at REAL NOT NULL
);
CREATE TABLE courses (course TEXT PRIMARY KEY, join_code TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE trainees (
    course TEXT NOT NULL, name TEXT NOT NULL, code_sha256 TEXT NOT NULL UNIQUE, joined REAL NOT NULL,
    PRIMARY KEY (course, name)
);
CREATE TABLE sessions (
    id_sha256 TEXT PRIMARY KEY, course TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
    csrf TEXT NOT NULL, created REAL NOT NULL, expires REAL NOT NULL
);
INSERT INTO events (trainee, course, exercise, kind, passed, feedback, at)
    VALUES ('ana', 'c1', 'crews', 'check', 1, 'Right.', 1700000000.0);
INSERT INTO courses VALUES ('c1', 'JOINCODE', 1700000000.0);
INSERT INTO trainees VALUES ('c1', 'Маllory', 'abc', 1700000000.0);
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def older_store(home) -> None:
    with sqlite3.connect(home / "linklab.db") as db:
        db.executescript(OLDER_STORE)


def tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def expected_tables() -> set[str]:
    return {statement.split()[5] for statement in recordstore.statements(recordstore.TABLES)
            if statement.startswith("CREATE TABLE")}


def test_a_new_store_gets_every_table_at_the_latest_version(home):
    db = recordstore.connect()
    assert recordstore.version(db) == recordstore.LATEST >= 1
    assert expected_tables() <= tables(db) and len(expected_tables()) >= 20
    for table, added in recordstore.LATER_COLUMNS.items():
        assert set(added) <= set(columns(db, table))


def test_a_store_an_older_linklab_wrote_is_brought_up_to_date_with_its_rows(home):
    older_store(home)
    db = recordstore.connect()
    assert recordstore.version(db) == recordstore.LATEST
    assert expected_tables() <= tables(db)
    assert {"answer", "mistake", "status", "superseded_at", "regrade_of", "graded_at"} <= set(columns(db, "events"))
    assert db.execute("SELECT trainee, exercise, passed, feedback, status, answer FROM events").fetchall() == \
        [("ana", "crews", 1, "Right.", "", "")]
    assert db.execute("SELECT course, join_code, places FROM courses").fetchall() == [("c1", "JOINCODE", None)]
    # the trainee who joined before name keys: keys filled, so that "Mallory" (Latin) is the same name
    assert db.execute("SELECT name, case_key FROM trainees").fetchall() == [("Маllory", "mallory")]
    assert "seen_at" in columns(db, "sessions")


def test_a_current_store_is_not_written_to(home):
    recordstore.connect().close()
    before = (home / "linklab.db").read_bytes()
    db = recordstore.connect()
    traced = []
    db.set_trace_callback(traced.append)
    recordstore.migrate(db, home / "linklab.db")
    db.close()
    assert traced == ["PRAGMA user_version"]  # one read of the version: no schema run again
    assert (home / "linklab.db").read_bytes() == before


def test_a_store_a_newer_linklab_wrote_is_refused_and_left_as_it_was(home):
    recordstore.connect().close()
    with sqlite3.connect(home / "linklab.db") as db:
        db.execute(f"PRAGMA user_version = {recordstore.LATEST + 1}")
    before = (home / "linklab.db").read_bytes()
    with pytest.raises(LinklabError, match="written by a newer linklab .*nothing in it was changed"):
        recordstore.connect()
    assert (home / "linklab.db").read_bytes() == before
    result = subprocess.run([sys.executable, "-m", "linklab", "progress"], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    said = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0 and len(said) == 1 and "newer linklab" in said[0], result.stderr


def migrate_in_a_process(home: str, queue) -> None:
    import os

    os.environ["LINKLAB_HOME"] = home
    try:
        db = recordstore.connect()
        queue.put(("ok", recordstore.version(db), columns(db, "events").count("answer")))
    except Exception as exc:  # noqa: BLE001  (reported to the test)
        queue.put(("error", repr(exc), 0))


def test_processes_opening_an_older_store_at_once_migrate_it_once(home):
    older_store(home)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=migrate_in_a_process, args=(str(home), queue)) for _ in range(6)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    outcomes = [queue.get(timeout=5) for _ in processes]
    assert outcomes == [("ok", recordstore.LATEST, 1)] * 6
    db = recordstore.connect()
    assert db.execute("SELECT count(*) FROM events").fetchone() == (1,)
