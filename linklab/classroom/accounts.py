"""Who may use a class server: the instructor's password, each course's join code, and the trainees.

Kept in the same SQLite store as progress (`.linklab/linklab.db`), so the lab process, the CLI and a
second lab process agree. Secrets are stored hashed: the instructor's password with scrypt (a slow,
salted hash), a trainee's personal code with sha256 (codes are random and long, so a fast hash is enough).

A trainee joins with the course code and a name not yet taken, and is given a personal code to come back
with; or with the personal code printed on the instructor's roster. A name already taken cannot be joined
again with the course code alone: nobody can sign in as a classmate by typing their name.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass

from ..errors import LinklabError
from ..progress import open_store

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS courses (course TEXT PRIMARY KEY, join_code TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS trainees (
    course TEXT NOT NULL, name TEXT NOT NULL, code_sha256 TEXT NOT NULL UNIQUE, joined REAL NOT NULL,
    PRIMARY KEY (course, name)
);
"""
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
CODE_LENGTH = 10  # 50 bits: out of reach of guessing at the login rate limit
MIN_PASSWORD = 8
NAME_PATTERN = re.compile(r"[\w][\w .'-]{0,39}", re.UNICODE)
SCRYPT = dict(n=2 ** 14, r=8, p=1, maxmem=64 << 20, dklen=32)


def store() -> sqlite3.Connection:
    db = open_store()
    db.executescript(SCHEMA)
    return db


def new_code(groups: int = 2) -> str:
    """A code like K7PQ2-XMW9R: CODE_LENGTH characters, in groups that are easy to read out."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    size = CODE_LENGTH // groups
    return "-".join(chars[i:i + size] for i in range(0, CODE_LENGTH, size))


def normal_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def code_digest(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode()).hexdigest()


def clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not NAME_PATTERN.fullmatch(name):
        raise LinklabError("a name is 1 to 40 letters, digits, spaces, dots, apostrophes or dashes")
    return name


# ---------------------------------------------------------------- the instructor


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
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
    with closing(store()) as db:
        db.execute("INSERT INTO settings VALUES ('instructor_password', ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (hash_password(password),))
        # a new password signs every earlier session out
        db.execute("DELETE FROM settings WHERE name = 'session_key'")


def instructor_password_matches(password: str) -> bool:
    stored = setting("instructor_password")
    return stored is not None and password_matches(password, stored)


def session_key() -> bytes:
    """The key that signs session cookies: made once, kept in the store (so a restart keeps sessions)."""
    with closing(store()) as db:
        db.execute("INSERT OR IGNORE INTO settings VALUES ('session_key', ?)", (secrets.token_hex(32),))
        (value,) = db.execute("SELECT value FROM settings WHERE name = 'session_key'").fetchone()
    return bytes.fromhex(value)


# ---------------------------------------------------------------- courses and trainees


def open_course(course: str) -> str:
    """The course's join code, made the first time."""
    with closing(store()) as db:
        db.execute("INSERT OR IGNORE INTO courses VALUES (?, ?, ?)", (course, new_code(1)[:6], time.time()))
        (code,) = db.execute("SELECT join_code FROM courses WHERE course = ?", (course,)).fetchone()
    return code


@dataclass(frozen=True)
class Joined:
    course: str
    name: str
    code: str = ""  # the personal code, shown once when it is made


def join(course: str, join_code: str, name: str) -> Joined:
    """A new trainee in `course`, with a personal code to come back with."""
    name = clean_name(name)
    with closing(store()) as db:
        row = db.execute("SELECT join_code FROM courses WHERE course = ?", (course,)).fetchone()
        if not row or not hmac.compare_digest(normal_code(row[0]), normal_code(join_code)):
            raise LinklabError("that is not this course's code: ask your instructor for it")
        code = new_code()
        try:
            db.execute("INSERT INTO trainees VALUES (?, ?, ?, ?)", (course, name, code_digest(code), time.time()))
        except sqlite3.IntegrityError:
            raise LinklabError(f"the name {name!r} is taken in this course: sign in with your personal "
                               "code, or choose another name") from None
    return Joined(course, name, code)


def sign_in(code: str) -> Joined:
    with closing(store()) as db:
        row = db.execute("SELECT course, name FROM trainees WHERE code_sha256 = ?", (code_digest(code),)).fetchone()
    if not row:
        raise LinklabError("no trainee has that code: check it, or ask your instructor")
    return Joined(*row)


def add_to_roster(course: str, names: list[str]) -> list[Joined]:
    """Trainees added by the instructor, each with a new personal code (printed on the roster). A name
    already there is given a new code: the old one stops working."""
    open_course(course)
    added = []
    with closing(store()) as db:
        for name in dict.fromkeys(clean_name(n) for n in names if n.strip()):
            code = new_code()
            db.execute("INSERT INTO trainees VALUES (?, ?, ?, ?) ON CONFLICT(course, name) DO UPDATE SET "
                       "code_sha256 = excluded.code_sha256", (course, name, code_digest(code), time.time()))
            added.append(Joined(course, name, code))
    return added


def trainees(course: str) -> list[str]:
    with closing(store()) as db:
        return [name for (name,) in db.execute("SELECT name FROM trainees WHERE course = ? ORDER BY name", (course,))]
