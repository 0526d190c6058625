"""Where linklab keeps its state and how it reaches Neo4j.

Every command reads the connection from NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD, with a git-ignored
`.env` in the project root as a fallback. Without NEO4J_PASSWORD, the password that
`linklab server start` generated for the local server (in `.linklab/password`) is used.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from .errors import LinklabError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The exercises, profiles, lexicons, queries and pom: the top-level folders of a checkout (the source),
# or their copy inside an installed wheel (setup.py puts them under linklab/_data).
IN_CHECKOUT = (PROJECT_ROOT / "exercises").is_dir() and (PROJECT_ROOT / "pyproject.toml").is_file()
DATA_ROOT = PROJECT_ROOT if IN_CHECKOUT else Path(__file__).resolve().parent / "_data"
DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USER = "neo4j"


def state_dir() -> Path:
    """Local, git-ignored state: the Neo4j jars, server data and logs, the generated password. In a
    checkout, its .linklab folder; installed from a wheel, ~/.linklab; LINKLAB_HOME wins."""
    default = PROJECT_ROOT / ".linklab" if IN_CHECKOUT else Path.home() / ".linklab"
    return Path(os.environ.get("LINKLAB_HOME", default)).resolve()


def chosen_exercises() -> tuple[str, ...]:
    """The exercises an instructor chose for a course (LINKLAB_EXERCISES, or `linklab lab --exercises`: ids or
    numbers, comma-separated); empty: every exercise. Everything that lists, prepares or grades exercises
    reads the choice through exercises.catalogue."""
    return tuple(part.strip() for part in os.environ.get("LINKLAB_EXERCISES", "").split(",") if part.strip())


# How much a course's preparation tries (grade.worlds), read each time it is used: a test, a bench or an
# instructor's shell may set them for one command. The defaults are a class's; the test suite runs with fewer.


def preparation_candidates() -> int:
    """Varied candidate worlds per course and profile, besides the realistic one (LINKLAB_CANDIDATES)."""
    return whole_number("LINKLAB_CANDIDATES", 12)


def equivalence_pool() -> int:
    """More varied worlds for the mutants no candidate told apart (LINKLAB_EQUIVALENCE_POOL)."""
    return whole_number("LINKLAB_EQUIVALENCE_POOL", 12)


def case_candidates() -> int:
    """Hidden variants tried per imported case network (LINKLAB_CASE_CANDIDATES)."""
    return whole_number("LINKLAB_CASE_CANDIDATES", 10)


def spare_candidates() -> int:
    """Further varied worlds looked at (answers only) when every candidate gives an exercise one answer
    (LINKLAB_SPARE_CANDIDATES)."""
    return whole_number("LINKLAB_SPARE_CANDIDATES", 12)


def preparing_sessions() -> int:
    """Batches of mutants a preparation runs side by side on the grading server (LINKLAB_PREPARING_SESSIONS)."""
    return whole_number("LINKLAB_PREPARING_SESSIONS", 2, least=1)


def check_settings() -> None:
    """Every numeric setting read once, so that a command told a wrong one says so before it starts work."""
    for read in (preparation_candidates, equivalence_pool, case_candidates, spare_candidates, preparing_sessions):
        read()


def whole_number(name: str, default: int, least: int = 0) -> int:
    """A whole-number setting from the environment; one clear line when it is not one."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise LinklabError(f"{name} must be a whole number, not {text!r}") from None
    if value < least:
        raise LinklabError(f"{name} must be at least {least}, not {value}")
    return value


def write_json_atomically(path: Path, data, **dump_options) -> None:
    """Write JSON through a temporary file and a rename: an interrupted write never leaves half a file."""
    write_files_atomically({path: (json.dumps(data, **dump_options) + "\n").encode("utf-8")})


def write_files_atomically(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary file beside it, then rename them all into place: a full disk or an
    interruption while writing leaves every file as it was, never half written. Raises OSError whose
    `filename` is the file that could not be written (its temporary files are removed)."""
    # temporary names of this writer's own: two processes writing the same file never share one
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            written.append((tmp, path))
            with open(tmp, "wb") as handle:
                handle.write(data)
    except OSError as exc:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        exc.filename = str(path)
        raise
    for tmp, path in written:
        tmp.replace(path)


def open_sqlite(path: Path, timeout: float = 30) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) and WAL mode, waiting up to `timeout` for
    a writer. Switching a new file to WAL needs it to itself, and SQLite answers "busy" at once (without its
    own wait) while another process opens the same new file: so that switch is tried again until `timeout`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # made readable by its owner alone (as course-secret is): it holds answers, accounts or hidden worlds
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # (SQLite gives its -wal and -shm files the database file's mode)
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return db
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                db.close()
                raise
            time.sleep(0.05)


def load_env_file() -> None:
    """Read `.env` from the project root; real environment variables win."""
    load_dotenv((PROJECT_ROOT if IN_CHECKOUT else Path.cwd()) / ".env", override=False)


def password_file() -> Path:
    return state_dir() / "password"


def local_password() -> str:
    """NEO4J_PASSWORD if set, else the generated local password (created on first use, mode 600)."""
    load_env_file()
    if os.environ.get("NEO4J_PASSWORD"):
        return os.environ["NEO4J_PASSWORD"]
    path = password_file()
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_hex(18)  # letters and digits only: a leading '-' would read as an option to neo4j-admin
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


@dataclass(frozen=True)
class Connection:
    uri: str
    user: str
    password: str
    database: str = "neo4j"

    def describe(self) -> str:
        return f"{self.uri} (user {self.user}, database {self.database})"


def connection(uri: str | None = None) -> Connection:
    """The connection every command uses, from the environment (or `.env`)."""
    load_env_file()
    return Connection(
        uri=uri or os.environ.get("NEO4J_URI", DEFAULT_URI),
        user=os.environ.get("NEO4J_USER", DEFAULT_USER),
        password=local_password(),
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )
