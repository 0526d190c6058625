"""Who is signed in to a class server: sessions held in the store (table `sessions` of .linklab/linklab.db).

The browser's cookie carries only a random id (256 bits); the store keeps its SHA-256, so a copy of the
database holds no cookie that works. A session is found by that digest on every request, so ending one takes
effect at once, in every lab process: signing out ends the session; a new personal code, a rename or a
removal ends all of that trainee's sessions (accounts does it in the same transaction); a new instructor's
password ends the instructor's. Sessions also end by themselves after LIFETIME_S.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from enum import Enum

from ..recordstore import connect, database_path

LIFETIME_S = 12 * 3600  # a class day


class Role(Enum):
    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"


@dataclass(frozen=True)
class Session:
    role: Role
    course: str
    name: str
    csrf: str  # sent back in X-CSRF-Token with every change: only the lab's own pages learn it (from /api/me)
    expires: float

    @property
    def is_instructor(self) -> bool:
        return self.role is Role.INSTRUCTOR


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


_local = threading.local()


def connection() -> sqlite3.Connection:
    """This thread's connection to the store: a session is looked up on every request, so it is kept open
    (a primary-key read in WAL mode never waits for a writer)."""
    path = database_path()
    if getattr(_local, "path", None) != path:  # the first call in this thread, or another LINKLAB_HOME
        _local.db, _local.path = connect(), path
    return _local.db


def begin(role: Role, course: str, name: str) -> tuple[str, Session]:
    """A new session: (the cookie's token, the session)."""
    token = secrets.token_urlsafe(32)
    session = Session(role, course, name, secrets.token_urlsafe(24), time.time() + LIFETIME_S)
    db = connection()
    now = time.time()
    db.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
    db.execute("INSERT INTO sessions (id_sha256, course, role, name, csrf, created, expires, seen_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (digest(token), course, role.value, name, session.csrf, now,
                                                  session.expires, now))
    return token, session


def find(token: str | None) -> Session | None:
    """The live session of a cookie's token, or None (no token, unknown, ended or expired)."""
    if not token or len(token) > 100:
        return None
    row = connection().execute("SELECT role, course, name, csrf, expires FROM sessions WHERE id_sha256 = ?",
                               (digest(token),)).fetchone()
    if row is None or row[4] <= time.time():
        return None
    return Session(Role(row[0]), row[1], row[2], row[3], row[4])


SEEN_EVERY_S = 20  # a session's last request is written down at most this often


def seen(token: str | None, at_most_every_s: float = SEEN_EVERY_S) -> None:
    """Note that the session asked for something now (one short write, skipped when noted recently)."""
    if token and len(token) <= 100:
        now = time.time()
        connection().execute("UPDATE sessions SET seen_at = ? WHERE id_sha256 = ? AND COALESCE(seen_at, 0) < ?",
                             (now, digest(token), now - at_most_every_s))


def last_seen(db: sqlite3.Connection, course: str) -> dict[str, float]:
    """Trainee name -> when any live session of theirs last asked for something."""
    rows = db.execute("SELECT name, MAX(COALESCE(seen_at, created)) FROM sessions WHERE course = ? AND role = ? AND "
                      "expires > ? GROUP BY name", (course, Role.TRAINEE.value, time.time()))
    return dict(rows.fetchall())


def end(token: str | None) -> None:
    if token:
        connection().execute("DELETE FROM sessions WHERE id_sha256 = ?", (digest(token),))


def end_trainee(db: sqlite3.Connection, course: str, name: str) -> int:
    """End every session of one trainee, in the caller's transaction (the table exists: accounts.store
    made it); returns how many there were."""
    return db.execute("DELETE FROM sessions WHERE course = ? AND role = ? AND name = ?",
                      (course, Role.TRAINEE.value, name)).rowcount


def end_instructor(db: sqlite3.Connection) -> int:
    """End the instructor's sessions in every course (the password changed), in the caller's transaction."""
    return db.execute("DELETE FROM sessions WHERE role = ?", (Role.INSTRUCTOR.value,)).rowcount


def live_counts(db: sqlite3.Connection, course: str) -> dict[str, int]:
    """Trainee name -> how many live sessions they have (shown in the console)."""
    rows = db.execute("SELECT name, COUNT(*) FROM sessions WHERE course = ? AND role = ? AND expires > ? "
                      "GROUP BY name", (course, Role.TRAINEE.value, time.time()))
    return dict(rows.fetchall())
