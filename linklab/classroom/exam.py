"""Practice and exam modes, per course or per exercise (an exercise's own setting wins over the course's).

Practice is the lab as ever: every check's verdict and feedback at once, as many checks as the limits allow.
An exam states its rules to the trainee before they run out, and keeps to them:
- attempts: a number of checks per exercise, or one check every so many minutes (a cooldown), or both;
- a due time, after which checking that exercise is closed;
- results withheld: until the instructor releases them, a check says only that the answer was recorded
  (no verdict, no feedback, nothing about the hidden scenarios), and the exercise list and progress do not
  tell passed from not passed.
A check that the server could not grade (not graded) is no attempt. The attempt is reserved in the store
before the check runs (a row in exam_running, in the same transaction that counts), so two checks at once
cannot both take the last attempt.
"""

from __future__ import annotations

import math
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from enum import StrEnum

from ..errors import LinklabError
from ..feedback import exam_message
from ..progress import ATTEMPT, CURRENT
from ..recordstore import connect

COURSE_WIDE = ""  # the exercise key of the course's own rules
STALE_RUNNING_S = 300  # a reservation older than this belongs to a process that died


class Mode(StrEnum):
    PRACTICE = "practice"
    EXAM = "exam"


@dataclass(frozen=True)
class Rules:
    mode: Mode = Mode.PRACTICE
    attempts: int | None = None  # checks per exercise
    cooldown_s: int | None = None  # seconds between two checks of one exercise
    due_at: float | None = None  # epoch seconds

    @property
    def is_exam(self) -> bool:
        return self.mode is Mode.EXAM


def store() -> sqlite3.Connection:
    return connect()


def set_rules(course: str, exercise: str, rules: Rules | None) -> None:
    """The rules of the course (exercise = "") or of one exercise; None removes an exercise's own rules."""
    if rules is not None:
        check(rules)
    with closing(store()) as db:
        if rules is None:
            db.execute("DELETE FROM exam_rules WHERE course = ? AND exercise = ?", (course, exercise))
            return
        db.execute("INSERT INTO exam_rules VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (course, exercise) DO UPDATE SET "
                   "mode = excluded.mode, attempts = excluded.attempts, cooldown_s = excluded.cooldown_s, "
                   "due_at = excluded.due_at", (course, exercise, rules.mode.value, rules.attempts, rules.cooldown_s,
                                                rules.due_at))


def check(rules: Rules) -> None:
    if rules.attempts is not None and not 1 <= rules.attempts <= 1000:
        raise LinklabError("the number of checks per exercise is a whole number from 1 to 1000")
    if rules.cooldown_s is not None and not 1 <= rules.cooldown_s <= 24 * 3600:
        raise LinklabError("the time between two checks is from 1 second to 24 hours")


def rules_for(course: str, exercise: str) -> Rules:
    with closing(store()) as db:
        rows = dict((ex, row) for ex, *row in db.execute(
            "SELECT exercise, mode, attempts, cooldown_s, due_at FROM exam_rules WHERE course = ? AND exercise IN (?, ?)",
            (course, exercise, COURSE_WIDE)))
    row = rows.get(exercise) or rows.get(COURSE_WIDE)
    return Rules(Mode(row[0]), row[1], row[2], row[3]) if row else Rules()


def all_rules(course: str) -> dict[str, Rules]:
    with closing(store()) as db:
        rows = db.execute("SELECT exercise, mode, attempts, cooldown_s, due_at FROM exam_rules WHERE course = ?",
                          (course,)).fetchall()
    return {ex: Rules(Mode(mode), a, c, d) for ex, mode, a, c, d in rows}


def released_at(course: str) -> float | None:
    with closing(store()) as db:
        row = db.execute("SELECT released_at FROM exam_releases WHERE course = ?", (course,)).fetchone()
    return row[0] if row else None


def release(course: str, released: bool = True) -> None:
    with closing(store()) as db:
        if released:
            db.execute("INSERT OR IGNORE INTO exam_releases VALUES (?, ?)", (course, time.time()))
        else:
            db.execute("DELETE FROM exam_releases WHERE course = ?", (course,))


def results_shown(course: str, exercise: str) -> bool:
    """Whether a trainee may see verdicts of this exercise now (practice, or an exam released)."""
    return not rules_for(course, exercise).is_exam or released_at(course) is not None


# ---------------------------------------------------------------- a trainee's standing


@dataclass(frozen=True)
class Standing:
    """Where a trainee stands with an exercise's rules: what they are told, and whether a check may run."""
    exam: bool
    used: int
    left: int | None  # checks left (None: no count)
    wait_s: int  # seconds until the next check opens (cooldown)
    closed: bool  # past the due time
    lines: tuple[str, ...]  # the rules in words, as the trainee reads them before checking
    refusal: str  # the sentence that refuses a check now ('' when one may run); one of `lines`
    released: bool

    def view(self) -> dict:
        return asdict(self)


def due_text(due_at: float) -> str:
    return time.strftime("%H:%M on %d %b %Y", time.localtime(due_at))


def standing_in(db: sqlite3.Connection, course: str, trainee: str, exercise: str, rules: Rules,
                released: bool, now: float) -> Standing:
    if not rules.is_exam:
        return Standing(False, 0, None, 0, False, (), "", True)
    (used, last) = db.execute(f"SELECT COUNT(*), MAX(at) FROM events WHERE course = ? AND trainee = ? AND exercise = ? "
                              f"AND {ATTEMPT} AND {CURRENT}", (course, trainee, exercise)).fetchone()
    (running, started) = db.execute("SELECT COUNT(*), MAX(at) FROM exam_running WHERE course = ? AND trainee = ? AND "
                                    "exercise = ? AND at > ?", (course, trainee, exercise, now - STALE_RUNNING_S)
                                    ).fetchone()
    used += running
    last = max(x for x in (last, started, 0.0) if x is not None)
    lines, refusal = [], ""
    left = None
    if rules.attempts is not None:
        left = max(0, rules.attempts - used)
        line = exam_message("count_left" if left else "count_none", attempts=rules.attempts, left=left)
        lines.append(line)
        refusal = refusal or ("" if left else line)
    wait_s = 0
    if rules.cooldown_s is not None:
        wait_s = max(0, math.ceil(last + rules.cooldown_s - now)) if last else 0
        lines.append(exam_message("cooldown", minutes=max(1, round(rules.cooldown_s / 60))))
        if wait_s and not refusal:
            refusal = exam_message("cooldown_wait", seconds=wait_s)
            lines.append(refusal)
    closed = rules.due_at is not None and now >= rules.due_at
    if rules.due_at is not None:
        line = exam_message("closed" if closed else "due", due=due_text(rules.due_at))
        lines.append(line)
        if closed:
            refusal = line
    lines.append(exam_message("released" if released else "withheld"))
    return Standing(True, used, left, wait_s, closed, tuple(lines), refusal, released)


def standing(course: str, trainee: str, exercise: str, now: float | None = None) -> Standing:
    rules, released = rules_for(course, exercise), released_at(course) is not None
    with closing(store()) as db:
        return standing_in(db, course, trainee, exercise, rules, released, time.time() if now is None else now)


class ExamRefusal(LinklabError):
    """A check the rules do not allow now; the message is the sentence the trainee was shown."""


@contextmanager
def attempt(course: str, trainee: str, exercise: str) -> Iterator[Standing]:
    """Hold one of the trainee's attempts while their check runs, or raise ExamRefusal. The reservation is
    counted by every other check of theirs from the moment it is made, and removed when the check ends
    (its record, if it judged the answer, is the attempt from then on)."""
    rules, released = rules_for(course, exercise), released_at(course) is not None
    if not rules.is_exam:
        yield Standing(False, 0, None, 0, False, (), "", True)
        return
    token = secrets.token_hex(8)
    with closing(store()) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            now = time.time()
            db.execute("DELETE FROM exam_running WHERE at <= ?", (now - STALE_RUNNING_S,))
            found = standing_in(db, course, trainee, exercise, rules, released, now)
            if found.refusal:
                db.execute("ROLLBACK")
                raise ExamRefusal(found.refusal)
            db.execute("INSERT INTO exam_running VALUES (?, ?, ?, ?, ?)", (token, course, trainee, exercise, now))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    try:
        yield found
    finally:
        with closing(store()) as db:
            db.execute("DELETE FROM exam_running WHERE token = ?", (token,))


def exam_view(course: str) -> dict:
    """For the console: the course's rules, each exercise's own, and whether results are released."""
    rules = all_rules(course)
    return {"course": asdict(rules.get(COURSE_WIDE, Rules())),
            "exercises": {ex: asdict(r) for ex, r in rules.items() if ex != COURSE_WIDE},
            "released_at": released_at(course)}
