"""A trainee's progress, kept in SQLite (`.linklab/linklab.db`): every hint taken and every check is one
row, written in one statement, so commands and requests that run at once never lose each other's work.
What `linklab progress` shows is derived from those rows; `linklab progress --export` writes the JSON a
trainee hands in. A progress file of an older linklab (`.linklab/progress/TRAINEE@COURSE.json`) is taken
over once, the first time that trainee's progress is read.

A check's row carries its status (grade.status). A not-graded check (its server was lost) is kept but
counts as no attempt. A re-grade (the class console's) never changes a row's verdict: it marks the row
superseded (`superseded_at`) and adds a row with the new verdict for the same answer and time
(`regrade_of` names the row it re-judged); everything shown reads the rows that are not superseded."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from .config import state_dir, write_json_atomically
from .recordstore import connect
from .errors import LinklabError

CURRENT = "superseded_at IS NULL"  # the rows that count (SQL)
ATTEMPT = "kind = 'check' AND status != 'not_graded'"  # a check that judged the answer (SQL)


def file_safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


@dataclass
class Progress:
    """A trainee's record in a course: exercise id -> hints, attempts, passed, feedback."""
    trainee: str
    course: str
    exercises: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, trainee: str, course: str) -> "Progress":
        with closing(connect()) as db:
            take_over_old_file(db, trainee, course)
            rows = db.execute(
                f"SELECT exercise, SUM(kind = 'hint'), SUM({ATTEMPT}), MAX(passed), "
                "(SELECT feedback FROM events AS last WHERE last.trainee = e.trainee AND last.course = e.course "
                f" AND last.exercise = e.exercise AND last.kind = 'check' AND last.{CURRENT} "
                " ORDER BY last.at DESC, last.id DESC LIMIT 1) "
                f"FROM events AS e WHERE trainee = ? AND course = ? AND {CURRENT} GROUP BY exercise",
                (trainee, course))
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
                 mistake: str = "", status: str = "") -> None:
    """One check; `status` is a grade.status value ('' reads as passed or failed)."""
    now = time.time()
    with closing(connect()) as db:
        take_over_old_file(db, trainee, course)
        db.execute("INSERT INTO events (trainee, course, exercise, kind, passed, feedback, answer_sha256, at, "
                   "answer, mistake, status, graded_at) VALUES (?, ?, ?, 'check', ?, ?, ?, ?, ?, ?, ?, ?)",
                   (trainee, course, exercise, int(passed), feedback,
                    hashlib.sha256(answer.encode("utf-8")).hexdigest(), now, answer, mistake, str(status), now))


@dataclass(frozen=True)
class CheckRow:
    """A check as recorded: what a re-grade judges again."""
    id: int
    trainee: str
    exercise: str
    answer: str
    answer_sha256: str
    at: float
    passed: bool
    status: str  # as recorded ('' in rows older than statuses)


def current_checks(course: str, trainee: str | None = None, exercise: str | None = None) -> list[CheckRow]:
    """The course's checks that count now (not superseded), oldest first; optionally one trainee's or one
    exercise's."""
    where, args = [f"course = ? AND kind = 'check' AND {CURRENT}"], [course]
    for column, value in (("trainee", trainee), ("exercise", exercise)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    with closing(connect()) as db:
        rows = db.execute(f"SELECT id, trainee, exercise, answer, answer_sha256, at, passed, status FROM events WHERE "
                          f"{' AND '.join(where)} ORDER BY at, id", args).fetchall()
    return [CheckRow(*row[:6], bool(row[6]), row[7]) for row in rows]


def record_regrade(rows: list[CheckRow], passed: bool, feedback: str, mistake: str, status: str) -> int:
    """The new verdict of `rows` (one answer's checks), in one transaction: each row still current is marked
    superseded and gets a successor with the new verdict, the same answer and the same time (so the
    trainee's timeline stays theirs). Rows another re-grade superseded meanwhile are left alone. Returns how
    many rows were re-judged."""
    now = time.time()
    with closing(connect()) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            judged = 0
            for row in rows:
                changed = db.execute(f"UPDATE events SET superseded_at = ? WHERE id = ? AND {CURRENT}",
                                     (now, row.id)).rowcount
                if not changed:
                    continue
                db.execute("INSERT INTO events (trainee, course, exercise, kind, passed, feedback, answer_sha256, "
                           "at, answer, mistake, status, regrade_of, graded_at) SELECT trainee, course, exercise, "
                           "'check', ?, ?, answer_sha256, at, answer, ?, ?, id, ? FROM events WHERE id = ?",
                           (int(passed), feedback, mistake, str(status), now, row.id))
                judged += 1
            db.execute("COMMIT")
            return judged
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def take_hint(trainee: str, course: str, exercise: str, available: int) -> int | None:
    """Record the next hint and return its number (1-based), or None when all were shown already.
    Counting and recording happen in one write transaction, so two requests at once get hints 1 and 2."""
    with closing(connect()) as db:
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
