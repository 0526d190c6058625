"""A trainee's progress, kept in SQLite (`.linklab/linklab.db`): every hint taken and every check is one
row, written in one statement, so commands and requests that run at once never lose each other's work.
What `linklab progress` shows is derived from those rows; `linklab progress --export` writes the JSON a
trainee hands in. A progress file of an older linklab (`.linklab/progress/TRAINEE@COURSE.json`) is taken
over once, the first time that trainee's progress is read."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from .config import state_dir, write_json_atomically
from .errors import LinklabError

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    trainee TEXT NOT NULL, course TEXT NOT NULL, exercise TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('hint', 'check')),
    passed INTEGER NOT NULL DEFAULT 0, feedback TEXT NOT NULL DEFAULT '',
    answer_sha256 TEXT NOT NULL DEFAULT '', at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_trainee ON events (trainee, course, exercise);
CREATE TABLE IF NOT EXISTS migrated (trainee TEXT NOT NULL, course TEXT NOT NULL, PRIMARY KEY (trainee, course));
"""
# Columns added since the first release of this table: the answer itself and the mistake it was diagnosed
# as, for the instructor's drill-down (ALTER TABLE: a store written by an older linklab gains them).
ADDED_COLUMNS = {"answer": "TEXT NOT NULL DEFAULT ''", "mistake": "TEXT NOT NULL DEFAULT ''"}


def file_safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def database_path() -> Path:
    return state_dir() / "linklab.db"


def open_store() -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), waiting up to 30 s for a writer."""
    path = database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        add_columns(db)
    except sqlite3.DatabaseError as exc:
        raise LinklabError(f"{path} cannot be used ({exc}): move it away to start a fresh progress record") from None
    return db


def add_columns(db: sqlite3.Connection) -> None:
    present = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    for name, kind in ADDED_COLUMNS.items():
        if name not in present:
            try:
                db.execute(f"ALTER TABLE events ADD COLUMN {name} {kind}")
            except sqlite3.OperationalError as exc:  # another process added it first
                if "duplicate column" not in str(exc):
                    raise


@dataclass
class Progress:
    """A trainee's record in a course: exercise id -> hints, attempts, passed, feedback."""
    trainee: str
    course: str
    exercises: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, trainee: str, course: str) -> "Progress":
        with closing(open_store()) as db:
            take_over_old_file(db, trainee, course)
            rows = db.execute(
                "SELECT exercise, SUM(kind = 'hint'), SUM(kind = 'check'), MAX(passed), "
                "(SELECT feedback FROM events AS last WHERE last.trainee = e.trainee AND last.course = e.course "
                " AND last.exercise = e.exercise AND last.kind = 'check' ORDER BY last.id DESC LIMIT 1) "
                "FROM events AS e WHERE trainee = ? AND course = ? GROUP BY exercise", (trainee, course))
            exercises = {ex: {"hints": hints, "attempts": attempts, "passed": bool(passed), "feedback": feedback or ""}
                         for ex, hints, attempts, passed, feedback in rows}
        return cls(trainee, course, exercises)

    def status(self, exercise_id: str) -> str:
        entry = self.exercises.get(exercise_id)
        if not entry or not entry["attempts"]:
            return "new" if not entry or not entry["hints"] else "started"
        return "passed" if entry["passed"] else "trying"

    def to_json(self) -> dict:
        return {"trainee": self.trainee, "course": self.course, "exercises": self.exercises}


def record_check(trainee: str, course: str, exercise: str, passed: bool, feedback: str, answer: str,
                 mistake: str = "") -> None:
    with closing(open_store()) as db:
        take_over_old_file(db, trainee, course)
        db.execute("INSERT INTO events (trainee, course, exercise, kind, passed, feedback, answer_sha256, at, "
                   "answer, mistake) VALUES (?, ?, ?, 'check', ?, ?, ?, ?, ?, ?)",
                   (trainee, course, exercise, int(passed), feedback,
                    hashlib.sha256(answer.encode("utf-8")).hexdigest(), time.time(), answer, mistake))


def take_hint(trainee: str, course: str, exercise: str, available: int) -> int | None:
    """Record the next hint and return its number (1-based), or None when all were shown already.
    Counting and recording happen in one write transaction, so two requests at once get hints 1 and 2."""
    with closing(open_store()) as db:
        take_over_old_file(db, trainee, course)
        db.execute("BEGIN IMMEDIATE")
        try:
            (taken,) = db.execute("SELECT COUNT(*) FROM events WHERE trainee = ? AND course = ? AND exercise = ? "
                                  "AND kind = 'hint'", (trainee, course, exercise)).fetchone()
            if taken >= available:
                db.execute("ROLLBACK")
                return None
            db.execute("INSERT INTO events (trainee, course, exercise, kind, at) VALUES (?, ?, ?, 'hint', ?)",
                       (trainee, course, exercise, time.time()))
            db.execute("COMMIT")
            return taken + 1
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def rename_trainee(db: sqlite3.Connection, course: str, old: str, new: str) -> None:
    """A trainee's records in `course` under a new name (the instructor renamed them), in the caller's
    transaction. The old name stays marked as taken over, so an old progress file is not read again."""
    db.execute("UPDATE events SET trainee = ? WHERE course = ? AND trainee = ?", (new, course, old))
    db.execute("INSERT OR IGNORE INTO migrated VALUES (?, ?)", (new, course))


def remove_trainee(db: sqlite3.Connection, course: str, trainee: str) -> int:
    """Delete a trainee's records in `course` (the instructor removed them), in the caller's transaction;
    returns how many there were."""
    return db.execute("DELETE FROM events WHERE course = ? AND trainee = ?", (course, trainee)).rowcount


def has_records(db: sqlite3.Connection, course: str, trainee: str) -> bool:
    return db.execute("SELECT 1 FROM events WHERE course = ? AND trainee = ? LIMIT 1", (course, trainee)).fetchone() is not None


def export(trainee: str, course: str, out: Path) -> Path:
    write_json_atomically(out, Progress.load(trainee, course).to_json(), indent=2, sort_keys=True)
    return out


def old_file(trainee: str, course: str) -> Path:
    return state_dir() / "progress" / f"{file_safe(trainee)}@{file_safe(course)}.json"


def take_over_old_file(db: sqlite3.Connection, trainee: str, course: str) -> None:
    """Rows for what an older linklab's JSON progress file recorded, once per trainee and course."""
    path = old_file(trainee, course)
    if not path.exists():
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("SELECT 1 FROM migrated WHERE trainee = ? AND course = ?", (trainee, course)).fetchone():
            db.execute("ROLLBACK")
            return
        try:
            entries = json.loads(path.read_text(encoding="utf-8")).get("exercises", {})
            rows = []
            for exercise, entry in entries.items():
                rows += [(trainee, course, exercise, "hint", 0, "")] * int(entry.get("hints", 0))
                attempts = int(entry.get("attempts", 0))
                rows += [(trainee, course, exercise, "check", 0, "")] * max(attempts - 1, 0)
                if attempts:
                    rows.append((trainee, course, exercise, "check", int(bool(entry.get("passed"))),
                                 str(entry.get("feedback", ""))))
        except (ValueError, AttributeError, TypeError):
            raise LinklabError(f"{path} is damaged: move it away to start a fresh progress record") from None
        db.executemany("INSERT INTO events (trainee, course, exercise, kind, passed, feedback, at) "
                       "VALUES (?, ?, ?, ?, ?, ?, 0)", rows)
        db.execute("INSERT INTO migrated VALUES (?, ?)", (trainee, course))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
