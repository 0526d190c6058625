"""The record store (`.linklab/linklab.db`): one SQLite file that the lab, the CLI and the class server share.
It keeps trainees' progress (hints and checks), display names, class accounts and sessions, notices and the
console's tasks, exam rules, and what the class server knows of LMS platforms.

Its schema lives here and nowhere else, as numbered migrations. The file's `PRAGMA user_version` says which
it has; `connect()` applies those it lacks, in one write transaction (two processes opening an old file at
once: one migrates, the other finds it done), and otherwise only reads that number. A file written by a newer
linklab is refused with one line, never changed. Version 1 is the store as it stood before it had versions:
it creates what a file lacks and adds the columns that older linklab releases did not write, so that every
store made since the first release opens.

To change the schema, append a migration (never edit one that has shipped) and test it from the version
before (tests/test_recordstore.py)."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .classroom.names import name_keys
from .config import open_sqlite, state_dir
from .errors import LinklabError

TABLES = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    trainee TEXT NOT NULL, course TEXT NOT NULL, exercise TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('hint', 'check')),
    passed INTEGER NOT NULL DEFAULT 0, feedback TEXT NOT NULL DEFAULT '',
    answer_sha256 TEXT NOT NULL DEFAULT '', at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_trainee ON events (trainee, course, exercise);
CREATE TABLE IF NOT EXISTS migrated (trainee TEXT NOT NULL, course TEXT NOT NULL, PRIMARY KEY (trainee, course));
CREATE TABLE IF NOT EXISTS display_names (
    trainee TEXT NOT NULL, course TEXT NOT NULL, name TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (trainee, course)
);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS courses (course TEXT PRIMARY KEY, join_code TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS trainees (
    course TEXT NOT NULL, name TEXT NOT NULL, code_sha256 TEXT NOT NULL UNIQUE, joined REAL NOT NULL,
    PRIMARY KEY (course, name)
);
CREATE TABLE IF NOT EXISTS sessions (
    id_sha256 TEXT PRIMARY KEY, course TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
    csrf TEXT NOT NULL, created REAL NOT NULL, expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_person ON sessions (course, role, name);
CREATE TABLE IF NOT EXISTS class_notices (
    course TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL, since REAL NOT NULL,
    PRIMARY KEY (course, kind, subject)
);
CREATE TABLE IF NOT EXISTS console_tasks (
    course TEXT NOT NULL, name TEXT NOT NULL, started REAL NOT NULL, finished REAL, result TEXT, error TEXT,
    messages TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (course, name)
);
CREATE TABLE IF NOT EXISTS exam_rules (
    course TEXT NOT NULL, exercise TEXT NOT NULL, mode TEXT NOT NULL, attempts INTEGER, cooldown_s INTEGER,
    due_at REAL, PRIMARY KEY (course, exercise)
);
CREATE TABLE IF NOT EXISTS exam_releases (course TEXT PRIMARY KEY, released_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS exam_running (
    token TEXT PRIMARY KEY, course TEXT NOT NULL, trainee TEXT NOT NULL, exercise TEXT NOT NULL, at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lti_platforms (
    issuer TEXT NOT NULL, client_id TEXT NOT NULL, auth_url TEXT NOT NULL, token_url TEXT NOT NULL,
    jwks_url TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', added REAL NOT NULL, PRIMARY KEY (issuer, client_id)
);
CREATE TABLE IF NOT EXISTS lti_deployments (
    issuer TEXT NOT NULL, client_id TEXT NOT NULL, deployment_id TEXT NOT NULL,
    PRIMARY KEY (issuer, client_id, deployment_id)
);
CREATE TABLE IF NOT EXISTS lti_states (
    state_sha256 TEXT PRIMARY KEY, nonce TEXT NOT NULL, issuer TEXT NOT NULL, client_id TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lti_nonces (issuer TEXT NOT NULL, nonce TEXT NOT NULL, expires REAL NOT NULL,
                                       PRIMARY KEY (issuer, nonce));
CREATE TABLE IF NOT EXISTS lti_users (
    course TEXT NOT NULL, issuer TEXT NOT NULL, sub TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (course, issuer, sub)
);
CREATE TABLE IF NOT EXISTS lti_contexts (
    course TEXT NOT NULL, issuer TEXT NOT NULL, client_id TEXT NOT NULL, deployment_id TEXT NOT NULL,
    context_id TEXT NOT NULL, title TEXT NOT NULL DEFAULT '', lineitems_url TEXT NOT NULL DEFAULT '',
    scopes TEXT NOT NULL DEFAULT '', memberships_url TEXT NOT NULL DEFAULT '', seen REAL NOT NULL,
    PRIMARY KEY (course, issuer, client_id, deployment_id, context_id)
);
CREATE TABLE IF NOT EXISTS lti_members (
    course TEXT NOT NULL, issuer TEXT NOT NULL, client_id TEXT NOT NULL, deployment_id TEXT NOT NULL,
    context_id TEXT NOT NULL, sub TEXT NOT NULL,
    PRIMARY KEY (course, issuer, client_id, deployment_id, context_id, sub)
);
CREATE TABLE IF NOT EXISTS lti_lineitems (
    lineitems_url TEXT NOT NULL, resource_id TEXT NOT NULL, lineitem_url TEXT NOT NULL,
    PRIMARY KEY (lineitems_url, resource_id)
);
CREATE TABLE IF NOT EXISTS lti_outbox (
    id INTEGER PRIMARY KEY, course TEXT NOT NULL, trainee TEXT NOT NULL, issuer TEXT NOT NULL,
    client_id TEXT NOT NULL, lineitems_url TEXT NOT NULL, resource_id TEXT NOT NULL, label TEXT NOT NULL,
    score_max REAL NOT NULL, sub TEXT NOT NULL, score REAL NOT NULL, created REAL NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL, error TEXT NOT NULL DEFAULT '', sent_at REAL
);
CREATE INDEX IF NOT EXISTS lti_outbox_due ON lti_outbox (sent_at, next_at);
CREATE TABLE IF NOT EXISTS lti_deeplinks (
    ticket_sha256 TEXT PRIMARY KEY, course TEXT NOT NULL, issuer TEXT NOT NULL, client_id TEXT NOT NULL,
    deployment_id TEXT NOT NULL, return_url TEXT NOT NULL, data TEXT NOT NULL DEFAULT '', expires REAL NOT NULL
)
"""
# Columns that linklab releases before version 1 added to a table after its first release (an older store's
# table lacks them): the answer and its diagnosed mistake, a check's status ('' in older rows: read from
# `passed`) and re-grading's bookkeeping; a course's places; the name keys of trainees (filled below); when a
# session last asked for something.
LATER_COLUMNS = {
    "events": {"answer": "TEXT NOT NULL DEFAULT ''", "mistake": "TEXT NOT NULL DEFAULT ''",
               "status": "TEXT NOT NULL DEFAULT ''", "superseded_at": "REAL", "regrade_of": "INTEGER",
               "graded_at": "REAL"},
    "courses": {"places": "INTEGER"},
    "trainees": {"case_key": "TEXT NOT NULL DEFAULT ''", "shape_key": "TEXT NOT NULL DEFAULT ''"},
    "sessions": {"seen_at": "REAL"},
}
LATER_INDEXES = """
CREATE INDEX IF NOT EXISTS trainees_by_case_key ON trainees (course, case_key);
CREATE INDEX IF NOT EXISTS trainees_by_shape_key ON trainees (course, shape_key)
"""


def statements(script: str) -> list[str]:
    """A script's statements, one by one (executescript would commit the migration's transaction)."""
    return [part.strip() for part in script.split(";") if part.strip()]


def first_version(db: sqlite3.Connection) -> None:
    for statement in statements(TABLES):
        db.execute(statement)
    for table, columns in LATER_COLUMNS.items():
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in present:  # inside the migration's transaction: no other process adds it meanwhile
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
    for statement in statements(LATER_INDEXES):
        db.execute(statement)
    rows = db.execute("SELECT course, name FROM trainees WHERE case_key = '' OR shape_key = ''").fetchall()
    for course, name in rows:  # trainees who joined under an older linklab
        db.execute("UPDATE trainees SET case_key = ?, shape_key = ? WHERE course = ? AND name = ?",
                   (*name_keys(name), course, name))


@dataclass(frozen=True)
class Migration:
    version: int
    what: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS = (
    Migration(1, "the store as it stood before versions: every table, and the columns older releases lack",
              first_version),
)
LATEST = MIGRATIONS[-1].version


def database_path() -> Path:
    return state_dir() / "linklab.db"


def connect() -> sqlite3.Connection:
    """A connection to the store in autocommit mode (transactions are explicit), waiting up to 30 s for a
    writer, with the store at the latest version."""
    path = database_path()
    try:
        db = open_sqlite(path)
    except sqlite3.Error as exc:
        raise store_error(exc, path) from None
    try:
        migrate(db, path)
    except BaseException as exc:
        db.close()
        if isinstance(exc, sqlite3.Error):
            raise store_error(exc, path) from None
        raise
    return db


def version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite3.Connection, path: Path) -> None:
    if version(db) == LATEST:
        return
    refuse_newer(version(db), path)
    db.execute("BEGIN IMMEDIATE")
    try:
        found = version(db)  # read again under the write lock: another process may have migrated meanwhile
        refuse_newer(found, path)
        for migration in MIGRATIONS:
            if migration.version > found:
                migration.apply(db)
                db.execute(f"PRAGMA user_version = {migration.version}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def refuse_newer(found: int, path: Path) -> None:
    if found > LATEST:
        raise LinklabError(f"{path} was written by a newer linklab (store version {found}; this one knows up to "
                           f"{LATEST}): nothing in it was changed; upgrade linklab, or set LINKLAB_HOME to another "
                           "folder")


def store_error(exc: sqlite3.Error, path: Path | None = None) -> LinklabError:
    """What went wrong with the store, in one line that says what to do: only a damaged file is to be moved
    away; a full disk, a lock or missing permissions leave it intact."""
    path = path or database_path()
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF  # the primary result code
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return LinklabError(f"{path} is damaged ({exc}): move it away to start a fresh progress record")
    if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and disk_nearly_full(path)):
        return LinklabError(f"the disk that holds {path.parent} is full: nothing was recorded by this command, and "
                            f"the records in {path.name} are intact; free some space there, then run it again")
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LinklabError(f"{path} stayed locked by another linklab process for 30 s: try again")
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        return LinklabError(f"{path} cannot be written here ({exc}): check the permissions of {path.parent}, or "
                            "set LINKLAB_HOME to a folder of yours")
    return LinklabError(f"{path} cannot be used just now ({exc}); its records are not changed by this")


def disk_nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < (1 << 20)
    except OSError:
        return False
