"""Opening a driver with errors a person can act on (which URI, what failed), never a traceback."""

from __future__ import annotations

import threading
import weakref
from typing import Callable, TypeVar

import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import (AuthError, ConfigurationError, ConnectionAcquisitionTimeoutError, DatabaseUnavailable,
                              Neo4jError, ServiceUnavailable, SessionExpired)

from . import cypher
from .config import Connection, connection
from .errors import LinklabError


# What a server that went away looks like from the driver (a database that is stopping or starting too).
DRIVER_LOST = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, ConnectionAcquisitionTimeoutError)
T = TypeVar("T")
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

# A run stopped at its time limit leaves its worker thread on a connection until the server has ended the
# transaction; closing the driver under that thread breaks the driver's buffers (BufferError on close). So a
# driver made here waits for such workers, up to SETTLE_S, before it closes.
SETTLE_S = 10.0
_stopped_workers: "weakref.WeakKeyDictionary[neo4j.Driver, list[threading.Thread]]" = weakref.WeakKeyDictionary()
_workers_lock = threading.Lock()


def left_running(driver: neo4j.Driver, worker: threading.Thread) -> None:
    """`worker` still uses a connection of `driver` after its caller stopped waiting (guard.run_guarded)."""
    with _workers_lock:
        _stopped_workers.setdefault(driver, []).append(worker)


def answered_within(driver: neo4j.Driver, seconds: float, ask: Callable[[], T], silent: T,
                    name: str = "answered-within") -> T:
    """`ask()` (a statement or two on `driver`), or `silent` when the server has not answered in `seconds`.
    A statement's own timeout bounds its transaction on the server, not the wait for the server to answer at
    all: a server that stops answering leaves the driver reading for the connection's receive timeout (the
    server's keep-alive hint, two minutes on Neo4j 5), which no check may wait. What `ask` raises comes out.
    A worker still reading when the time is up is left to finish on its own thread (left_running: closing the
    driver waits for it); `name` names that thread."""
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["value"] = ask()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        left_running(driver, worker)
        return silent
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def close_after_workers(driver: neo4j.Driver, close) -> None:
    with _workers_lock:
        workers = _stopped_workers.pop(driver, [])
    for worker in workers:
        worker.join(SETTLE_S)
    try:
        close()
    except BufferError:
        if not any(worker.is_alive() for worker in workers):
            raise
        # a worker still on its connection after SETTLE_S (a busy server slow to end its transaction): its
        # buffers cannot be closed under it; the driver is dropped as it is, and the worker ends on its own


def check_uri(uri: str) -> None:
    """The official driver speaks Bolt only: say so before it fails with an HTTP client's traceback."""
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    if scheme not in SCHEMES:
        raise LinklabError(f"invalid NEO4J_URI {uri!r}: use a Bolt address such as bolt://127.0.0.1:7687 or "
                           f"neo4j+s://xxxx.databases.neo4j.io (schemes: {', '.join(SCHEMES)})")


def connect(conn: Connection | None = None, *, verify: bool = True) -> neo4j.Driver:
    """A driver for `conn` (default: from the environment), checked to answer."""
    conn = conn or connection()
    check_uri(conn.uri)
    try:
        # notifications (deprecations, performance hints) are for people reading Browser, not for us
        driver = GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password),
                                      notifications_min_severity="OFF")
    except (ValueError, ConfigurationError) as exc:
        raise LinklabError(f"invalid NEO4J_URI {conn.uri!r}: {exc}") from None
    close = driver.close
    driver.close = lambda: close_after_workers(driver, close)  # `with driver:` calls it too
    if verify:
        try:
            driver.verify_connectivity()
        except BaseException as exc:
            driver.close()
            raise connection_error(conn, exc) from None
    return driver


def connection_error(conn: Connection, exc: BaseException) -> LinklabError:
    if isinstance(exc, AuthError):
        return LinklabError(
            f"Neo4j at {conn.uri} refused user {conn.user!r}: wrong password "
            "(set NEO4J_PASSWORD, or use the one in .linklab/password for the local server)"
        )
    if isinstance(exc, ServiceUnavailable | OSError):
        return LinklabError(
            f"cannot reach Neo4j at {conn.uri}: {first_line(exc)} "
            "(start the local server with `linklab server start`, or set NEO4J_URI)"
        )
    if isinstance(exc, Neo4jError):
        return LinklabError(f"Neo4j at {conn.uri} answered with an error: {first_line(exc)}")
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    return LinklabError(f"cannot use Neo4j at {conn.uri}: {type(exc).__name__}: {first_line(exc)}")


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (its type's name when the message is blank)."""
    text = getattr(exc, "message", None) or str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def server_versions(driver: neo4j.Driver, database: str = "neo4j") -> dict[str, str | None]:
    """Neo4j, GDS and APOC versions; None for a plugin that is not installed."""
    versions: dict[str, str | None] = {}
    records, _, _ = driver.execute_query(cypher.COMPONENTS, database_=database)
    versions["neo4j"] = f"{records[0]['version']} {records[0]['edition']}"
    for name, query in (("gds", cypher.GDS_VERSION), ("apoc", cypher.APOC_VERSION)):
        try:
            records, _, _ = driver.execute_query(query, database_=database)
            versions[name] = records[0]["v"]
        except Neo4jError:
            versions[name] = None
    return versions
