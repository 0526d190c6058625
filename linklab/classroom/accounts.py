"""Who may use a class server: the instructor's password, each course's join code and places, and the
trainees.

Kept in the same SQLite store as progress (`.linklab/linklab.db`), so the lab process, the CLI and a
second lab process agree. Secrets are stored hashed: the instructor's password with scrypt (a slow,
salted hash), a trainee's personal code with sha256 (codes are random and long, so a fast hash is enough).

A trainee joins with the course code and a name (names.py says when two names are the same name), while the
course has places left, and is given a personal code to come back with; or signs in with the personal code
printed on the instructor's roster. A name already taken cannot be joined again with the course code alone:
nobody can sign in as a classmate by typing their name. The instructor renames and removes trainees, gives
them new codes and sets the places; each of these ends the trainee's sessions in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from enum import Enum

from .. import progress, recordstore
from ..lti import registry as lti_people
from ..errors import LinklabError
from ..feedback import class_message
from . import names, sessions

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
CODE_LENGTH = 10  # 50 bits: out of reach of guessing at the sign-in limits
MIN_PASSWORD = 8
MOST_PLACES = 1000
SCRYPT = dict(n=2 ** 14, r=8, p=1, maxmem=64 << 20, dklen=32)


class Problem(Enum):
    """Why an account request was refused (the web layer picks the HTTP status; feedback.CLASS the words)."""
    COURSE_CODE = "course_code"
    PERSONAL_CODE = "personal_code"
    OTHER_COURSE = "other_course"
    WRONG_PASSWORD = "wrong_password"
    NAME_FORM = "name_form"
    NAME_RESERVED = "name_reserved"
    NAME_TAKEN = "name_taken"
    CLASS_FULL = "class_full"
    NO_TRAINEE = "no_trainee"
    NAME_HAS_RECORDS = "name_has_records"
    PLACES_FORM = "places_form"

    @property
    def is_guess(self) -> bool:
        """A wrong secret: it counts towards the sign-in limits (a taken name or a full class does not)."""
        return self in (Problem.COURSE_CODE, Problem.PERSONAL_CODE, Problem.OTHER_COURSE, Problem.WRONG_PASSWORD)


class AccountError(LinklabError):
    def __init__(self, problem: Problem, **details):
        super().__init__(class_message(problem.value, **details))
        self.problem = problem


def store() -> sqlite3.Connection:
    return recordstore.connect()


@contextmanager
def writing(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, begun at once (BEGIN IMMEDIATE): a count and an insert in it are not
    interleaved with another process's, so two joins at once cannot both take the last place."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def new_code(groups: int = 2) -> str:
    """A code like K7PQ2-XMW9R: CODE_LENGTH characters, in groups that are easy to read out."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    size = CODE_LENGTH // groups
    return "-".join(chars[i:i + size] for i in range(0, CODE_LENGTH, size))


def normal_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(code).upper())


def code_digest(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode()).hexdigest()


def clean_name(name: str) -> str:
    """The name as it will be stored and shown, or AccountError when it may not be a trainee's name."""
    shown = names.display_form(name)
    if not names.is_well_formed(shown):
        raise AccountError(Problem.NAME_FORM)
    if names.is_reserved(shown):
        raise AccountError(Problem.NAME_RESERVED, name=shown)
    return shown


def same_name(db: sqlite3.Connection, course: str, name: str) -> str | None:
    """The trainee of `course` whose name is the same name as `name` (names.py), if any."""
    case, shape = names.name_keys(name)
    row = db.execute("SELECT name FROM trainees WHERE course = ? AND (case_key = ? OR shape_key = ?) LIMIT 1",
                     (course, case, shape)).fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------- the instructor


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8", "replace"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
        expected = hash_password(password, bytes.fromhex(salt)).split("$")[2]
    except ValueError:
        return False
    return hmac.compare_digest(expected, digest)


def setting(name: str) -> str | None:
    with closing(store()) as db:
        row = db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def has_instructor_password() -> bool:
    return setting("instructor_password") is not None


def set_instructor_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise LinklabError(f"the instructor's password needs at least {MIN_PASSWORD} characters")
    with closing(store()) as db, writing(db):
        db.execute("INSERT INTO settings VALUES ('instructor_password', ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (hash_password(password),))
        sessions.end_instructor(db)  # a new password signs every earlier session of the instructor out


def instructor_password_matches(password: str) -> bool:
    stored = setting("instructor_password")
    return stored is not None and password_matches(password, stored)


# ---------------------------------------------------------------- courses and places


def open_course(course: str, places: int | None = None) -> str:
    """The course's join code, made the first time. With `places` (the class server's --trainees), the
    course admits at least that many trainees: a course opened before keeps a larger number the instructor set."""
    with closing(store()) as db, writing(db):
        db.execute("INSERT OR IGNORE INTO courses (course, join_code, created) VALUES (?, ?, ?)",
                   (course, new_code(1)[:6], time.time()))
        if places is not None:
            db.execute("UPDATE courses SET places = MAX(COALESCE(places, 0), ?) WHERE course = ?", (places, course))
        (code,) = db.execute("SELECT join_code FROM courses WHERE course = ?", (course,)).fetchone()
    return code


def set_places(course: str, places: int) -> int:
    """The instructor sets how many trainees the course admits (fewer than have joined stops new joins only)."""
    if isinstance(places, bool) or not isinstance(places, int) or not 1 <= places <= MOST_PLACES:
        raise AccountError(Problem.PLACES_FORM, most=MOST_PLACES)
    open_course(course)
    with closing(store()) as db:
        db.execute("UPDATE courses SET places = ? WHERE course = ?", (places, course))
    return places


def places_left(db: sqlite3.Connection, course: str, wanted: int = 1) -> None:
    """AccountError CLASS_FULL unless `wanted` more trainees fit (in the caller's transaction)."""
    row = db.execute("SELECT places FROM courses WHERE course = ?", (course,)).fetchone()
    if row is None or row[0] is None:
        return
    (joined,) = db.execute("SELECT COUNT(*) FROM trainees WHERE course = ?", (course,)).fetchone()
    if joined + wanted > row[0]:
        raise AccountError(Problem.CLASS_FULL, places=row[0])


# ---------------------------------------------------------------- trainees


@dataclass(frozen=True)
class Joined:
    course: str
    name: str
    code: str = ""  # the personal code, shown once when it is made


def join(course: str, join_code: str, name: str) -> Joined:
    """A new trainee in `course`, with a personal code to come back with. The course code is checked first:
    whoever does not have it learns nothing about the names taken."""
    with closing(store()) as db:
        row = db.execute("SELECT join_code FROM courses WHERE course = ?", (course,)).fetchone()
        if not row or not hmac.compare_digest(normal_code(row[0]), normal_code(join_code)):
            raise AccountError(Problem.COURSE_CODE)
        name = clean_name(name)
        code = new_code()
        with writing(db):
            if same_name(db, course, name):
                raise AccountError(Problem.NAME_TAKEN, name=name)
            places_left(db, course)
            insert_trainee(db, course, name, code)
    return Joined(course, name, code)


def insert_trainee(db: sqlite3.Connection, course: str, name: str, code: str) -> None:
    db.execute("INSERT INTO trainees (course, name, code_sha256, joined, case_key, shape_key) "
               "VALUES (?, ?, ?, ?, ?, ?)", (course, name, code_digest(code), time.time(), *names.name_keys(name)))


def sign_in(course: str, code: str) -> Joined:
    with closing(store()) as db:
        row = db.execute("SELECT course, name FROM trainees WHERE code_sha256 = ?", (code_digest(code),)).fetchone()
    if not row:
        raise AccountError(Problem.PERSONAL_CODE)
    if row[0] != course:
        raise AccountError(Problem.OTHER_COURSE)
    return Joined(*row)


def add_to_roster(course: str, roster: list[str]) -> list[Joined]:
    """Trainees added by the instructor, each with a new personal code (printed on the roster). A name that
    is the same name as a trainee's gives that trainee a new code: the old one stops working, and so do
    their sessions. New names need places left."""
    open_course(course)
    wanted, seen = [], set()
    for name in (clean_name(n) for n in roster if str(n).strip()):
        keys = set(names.name_keys(name))
        if not keys & seen:  # a name twice on the list, in any spelling, is one trainee
            wanted.append(name)
            seen |= keys
    added = []
    with closing(store()) as db, writing(db):
        existing = {name: same_name(db, course, name) for name in wanted}
        places_left(db, course, sum(1 for there in existing.values() if not there))
        for name in wanted:
            code = new_code()
            if existing[name]:
                name = existing[name]
                db.execute("UPDATE trainees SET code_sha256 = ? WHERE course = ? AND name = ?",
                           (code_digest(code), course, name))
                sessions.end_trainee(db, course, name)
            else:
                insert_trainee(db, course, name, code)
            added.append(Joined(course, name, code))
    return added


def new_personal_code(course: str, name: str) -> Joined:
    """A new code for a trainee who lost theirs (or whose code leaked): the old code and every session end."""
    with closing(store()) as db, writing(db):
        trainee = existing_trainee(db, course, name)
        code = new_code()
        db.execute("UPDATE trainees SET code_sha256 = ? WHERE course = ? AND name = ?",
                   (code_digest(code), course, trainee))
        sessions.end_trainee(db, course, trainee)
    return Joined(course, trainee, code)


def existing_trainee(db: sqlite3.Connection, course: str, name: str) -> str:
    row = db.execute("SELECT name FROM trainees WHERE course = ? AND name = ?", (course, str(name))).fetchone()
    if not row:
        raise AccountError(Problem.NO_TRAINEE, name=names.display_form(name)[:60])
    return row[0]


def rename(course: str, old: str, new: str) -> str:
    """The trainee `old` is called `new` from now on, with their records and personal code; their sessions
    end (they sign in again with their code). Returns the new name as stored."""
    new = clean_name(new)
    with closing(store()) as db, writing(db):
        old = existing_trainee(db, course, old)
        other = same_name(db, course, new)
        if other and other != old:
            raise AccountError(Problem.NAME_TAKEN, name=new)
        if new != old and progress.has_records(db, course, new):
            raise AccountError(Problem.NAME_HAS_RECORDS, name=new)
        db.execute("UPDATE trainees SET name = ?, case_key = ?, shape_key = ? WHERE course = ? AND name = ?",
                   (new, *names.name_keys(new), course, old))
        progress.rename_trainee(db, course, old, new)
        lti_people.rename_user(db, course, old, new)
        sessions.end_trainee(db, course, old)
    return new


def remove(course: str, name: str) -> int:
    """The trainee leaves the course: their account, sessions and records go (the place is free again).
    Returns how many records were removed."""
    with closing(store()) as db, writing(db):
        trainee = existing_trainee(db, course, name)
        db.execute("DELETE FROM trainees WHERE course = ? AND name = ?", (course, trainee))
        sessions.end_trainee(db, course, trainee)
        lti_people.forget_user(db, course, trainee)
        return progress.remove_trainee(db, course, trainee)


def end_sessions(course: str, name: str) -> int:
    """Sign a trainee out everywhere (their code still works); returns how many sessions ended."""
    with closing(store()) as db, writing(db):
        return sessions.end_trainee(db, course, existing_trainee(db, course, name))


def trainees(course: str) -> list[str]:
    with closing(store()) as db:
        found = [name for (name,) in db.execute("SELECT name FROM trainees WHERE course = ?", (course,))]
    return sorted(found, key=names.sort_key)


def roster(course: str) -> dict:
    """The console's list of trainees: name, when they joined, live sessions, records; and the places."""
    with closing(store()) as db:
        places = db.execute("SELECT places FROM courses WHERE course = ?", (course,)).fetchone()
        live = sessions.live_counts(db, course)
        records = dict(db.execute("SELECT trainee, COUNT(*) FROM events WHERE course = ? GROUP BY trainee",
                                  (course,)).fetchall())
        people = [{"name": name, "joined": joined, "sessions": live.get(name, 0), "records": records.get(name, 0)}
                  for name, joined in db.execute("SELECT name, joined FROM trainees WHERE course = ?", (course,))]
    people.sort(key=lambda p: names.sort_key(p["name"]))
    return {"places": places[0] if places else None, "joined": len(people), "trainees": people}
