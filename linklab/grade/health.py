"""Whether a server can be trusted with a verdict right now.

A check's verdict must be the answer's doing, not the server's:
- **lost**: the connection broke (the server was killed, is restarting, the network failed) or its database
  is not online. The check waits for it (up to a patience), then runs once more; if the server does not
  come back, the answer is *not graded*, never failed.
- **cold**: a server that has just started plans every query afresh, reads its pages from disk, and loads
  GDS's classes on the first call: a right answer can run out of time there. A refusal (a time limit, or
  "database unavailable" while it starts) on a server that restarted since this process first saw it, that
  lost its connection meanwhile, or that linklab started itself in this process, is tried once more after
  the exercise's reference solution has warmed the server for that scenario. Once per server start,
  exercise and scenario: later, a runaway answer costs one limit, as everywhere else.

The engine (engine.check_answer) decides with these; nothing here runs an answer.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Callable

import neo4j
from neo4j.exceptions import ClientError, DriverError

from .. import cypher
from ..db import DRIVER_LOST, answered_within
from ..errors import ServerLostError

# What a lost server looks like from the driver (a database that is stopping or starting included), and
# from a load that it interrupted (load.writing).
CONNECTION_LOST = (*DRIVER_LOST, ServerLostError)
# What no answer can cause: a lost server, or any other failure of the driver itself (its pool, a transaction
# the overloaded server closed under it). A check that meets one is not graded; it never becomes a verdict.
SERVER_FAULT = (*CONNECTION_LOST, DriverError)
PROBE_TIMEOUT_S = 5.0
POLL_S = 1.0


@dataclass(frozen=True)
class ServerState:
    reachable: bool
    online: bool = False
    started: str = ""  # when the server process started (JVM start, ms since 1970); "" when it cannot say

    @property
    def usable(self) -> bool:
        return self.reachable and self.online


def probe(driver: neo4j.Driver, database: str = "neo4j") -> ServerState:
    """Auto-commit statements on the system database (no driver retries: an answer in seconds). A server that
    does not answer them within their timeouts is not usable (db.answered_within)."""
    return answered_within(driver, 2 * PROBE_TIMEOUT_S + 1.0, lambda: probe_now(driver, database),
                           ServerState(False))


def probe_now(driver: neo4j.Driver, database: str) -> ServerState:
    try:
        with driver.session(database="system") as session:
            record = session.run(neo4j.Query(cypher.DATABASE_STATE, timeout=PROBE_TIMEOUT_S), name=database).single()
            if record is None or record["status"] != "online":
                return ServerState(True, False)
            try:
                started = session.run(neo4j.Query(cypher.SERVER_STARTED, timeout=PROBE_TIMEOUT_S)).single()
            except ClientError:  # a server without JMX for this user: restarts are seen as lost connections
                return ServerState(True, True)
    except ClientError:  # a server that does not let this user list databases: assume it is well
        return ServerState(True, True)
    except (DriverError, neo4j.exceptions.Neo4jError, OSError):
        return ServerState(False)
    return ServerState(True, True, str(started["started"]) if started and started["started"] else "")


@dataclass
class Watch:
    """What this process knows of one server (per driver)."""
    baseline: str | None  # the start seen first; None: started by this process, or not known to be warm
    lost: bool = False  # a connection to it was lost since the baseline
    warmed: set[tuple[str, str, str]] = field(default_factory=set)  # (start, exercise, scenario)
    lock: threading.Lock = field(default_factory=threading.Lock)


_WATCHES: "weakref.WeakKeyDictionary[neo4j.Driver, Watch]" = weakref.WeakKeyDictionary()
_STARTED_HERE: set[str] = set()  # Bolt addresses of servers this process started (cold until warmed)
_REGISTRY_LOCK = threading.Lock()


def started_here(uri: str) -> None:
    """linklab started the server at `uri` in this process: its first refusals get a warm retry."""
    with _REGISTRY_LOCK:
        _STARTED_HERE.add(address_of(uri))


def address_of(uri: str) -> str:
    return uri.split("://", 1)[-1].rstrip("/")


def watch(driver: neo4j.Driver, database: str = "neo4j") -> Watch:
    """The driver's watch, made at its first check with the server's current start as the baseline."""
    with _REGISTRY_LOCK:
        found = _WATCHES.get(driver)
        fresh = server_name(driver) in _STARTED_HERE
    if found is not None:
        return found
    state = probe(driver, database)
    made = Watch(None if fresh or not state.usable else state.started)
    with _REGISTRY_LOCK:
        return _WATCHES.setdefault(driver, made)


def note_lost(driver: neo4j.Driver) -> None:
    with _REGISTRY_LOCK:
        found = _WATCHES.get(driver)
    if found is not None:
        found.lost = True


def warm_retry_due(driver: neo4j.Driver, state: ServerState, exercise: str, scenario: str) -> bool:
    """Whether a refusal on this (usable) server may be the server's doing: it restarted, reconnected or
    was started here, and this exercise has not been warmed on this scenario since it started. Claims the
    warm-up (so concurrent checks of the same exercise warm it once)."""
    found = watch(driver)
    cold = found.lost or found.baseline is None or (state.started and state.started != found.baseline)
    mark = (state.started, exercise, scenario)
    with found.lock:
        if not cold or mark in found.warmed:
            return False
        found.warmed.add(mark)
        return True


def wait_until_back(driver: neo4j.Driver, database: str, patience_s: float,
                    on_wait: Callable[[str], None] | None = None) -> ServerState | None:
    """The server's state once it answers with its database online again, or None after `patience_s`."""
    deadline, told = time.monotonic() + patience_s, False
    while True:
        state = probe(driver, database)
        if state.usable:
            return state
        if time.monotonic() >= deadline:
            return None
        if on_wait and not told:
            on_wait(f"the database server at {server_name(driver)} is not answering: waiting up to "
                    f"{patience_s:.0f} s for it")
            told = True
        time.sleep(POLL_S)


def server_name(driver: neo4j.Driver) -> str:
    """host:port as the driver was given it (without asking the server, which may be gone)."""
    return str(getattr(driver, "address", "")) or "?"
