"""Who may write a database, and who is reading it: leases that every linklab process respects.

Loading a scenario (reset, import, grading's scenario switches) holds the *exclusive* lease of the target
database; a check holds a *shared* one while it verifies that its scenario is loaded and runs the answer.
The lease lives in the database itself, on a `:Scenario {id: 'lease'}` node (the label that wipes, exports
and counts already leave alone), so it works over Bolt against any server: local, Docker or Aura.

Every change happens in one write transaction that first locks that node (SET), so decisions are
serialised by Neo4j; times are the server's `timestamp()`, so clocks of different machines never matter.
A lease carries an expiry: a holder renews it while it works, and the lease of a process that died is
free again once it expires. A writer that waits blocks new readers, so a stream of checks cannot starve
a reset.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Callable

import neo4j
from neo4j.exceptions import ClientError, ServiceUnavailable, SessionExpired, TransientError

from . import cypher
from .errors import LinklabError

TTL_S = 30.0  # a lease not renewed for this long is free again (its holder died or hung)
WAIT_LIMIT_S = 600.0  # the longest a process waits for a lease before it gives up with a clear line


def died_here(owner: str) -> bool:
    """Whether `owner` was a process on this machine that is gone (killed, crashed): its lease is free at
    once. Owners on other machines are known dead only when their lease expires."""
    host, _, rest = owner.partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def owner_id(what: str = "") -> str:
    """host:pid:random, so two processes (or two leases of one process) never share an owner."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}" + (f" ({what})" if what else "")


@dataclass
class LeaseState:
    """The lease node as a transaction found it, with expired entries already left out."""
    now: int
    writer: str | None
    waiting: str | None
    readers: dict[str, int] = field(default_factory=dict)  # owner -> expiry (server ms)

    @classmethod
    def read(cls, props: dict, now: int) -> "LeaseState":
        def live(owner: str | None, until: int | None) -> bool:
            return bool(owner) and (until or 0) > now and not died_here(owner)
        writer = props.get("writer") if live(props.get("writer"), props.get("writer_until")) else None
        waiting = props.get("waiting") if live(props.get("waiting"), props.get("waiting_until")) else None
        readers = {r: u for r, u in zip(props.get("readers") or [], props.get("readers_until") or []) if live(r, u)}
        return cls(now, writer, waiting, readers)

    def props(self) -> dict:
        return {"writer": self.writer, "writer_until": None, "waiting": self.waiting, "waiting_until": None,
                "readers": list(self.readers), "readers_until": list(self.readers.values())}


_CONSTRAINED: "weakref.WeakKeyDictionary[neo4j.Driver, set[str]]" = weakref.WeakKeyDictionary()


def ensure_lease_node(driver: neo4j.Driver, database: str, again: bool = False) -> None:
    """The lease node and its uniqueness constraint (which keeps concurrent MERGEs to one node, even on
    an empty database). Done once per driver and database (wipes leave both alone), or `again`."""
    done = _CONSTRAINED.setdefault(driver, set())
    if database in done and not again:
        return
    for attempt in range(5):
        try:
            driver.execute_query(cypher.SCENARIO_CONSTRAINT, database_=database)
            break
        except ClientError as exc:
            if "AlreadyExists" in (exc.code or ""):  # another process created it a moment ago
                break
            raise
        except TransientError:
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
    with driver.session(database=database) as session:
        session.execute_write(lambda tx: tx.run(cypher.LOCK_LEASE).consume())
    done.add(database)


class Lease:
    """One held lease. `release` is safe to call twice; `renew` keeps it alive during long work."""

    def __init__(self, driver: neo4j.Driver, database: str, owner: str, mode: str, ttl_s: float):
        self.driver, self.database, self.owner, self.mode, self.ttl_s = driver, database, owner, mode, ttl_s
        self.held = True
        self._heartbeat: threading.Thread | None = None
        self._stop = threading.Event()

    def _change(self, decide: Callable[[LeaseState], bool]) -> bool:
        return change(self.driver, self.database, decide, self.owner, self.mode, self.ttl_s)

    def renew(self) -> None:
        """Extend the expiry; raises LinklabError if the lease was lost (it expired and was taken)."""
        if not self._change(lambda s: self.owner in ((s.writer,) if self.mode == "exclusive" else s.readers)):
            self.held = False
            raise LinklabError(f"lost the {self.mode} lease on database {self.database!r} "
                               "(this process stalled longer than the lease lasts): run the command again")

    def downgrade(self) -> None:
        """Exclusive -> shared in one step: no other writer can come in between (after a load, to use it)."""
        def decide(state: LeaseState) -> bool:
            if state.writer != self.owner:
                return False
            state.writer = None
            state.readers[self.owner] = 0  # the expiry is set by `change`
            return True
        self._stop_heartbeat()
        if not change(self.driver, self.database, decide, self.owner, "shared", self.ttl_s):
            self.held = False
            raise LinklabError(f"lost the exclusive lease on database {self.database!r}: run the command again")
        self.mode = "shared"

    def release(self) -> None:
        if not self.held:
            return
        self._stop_heartbeat()
        self.held = False

        def decide(state: LeaseState) -> bool:
            if state.writer == self.owner:
                state.writer = None
            state.readers.pop(self.owner, None)
            return True
        try:
            change(self.driver, self.database, decide, None, self.mode, self.ttl_s)
        except (ServiceUnavailable, SessionExpired, ClientError, TransientError):
            pass  # the server went away or refuses: the lease expires by itself

    def abandon(self) -> None:
        """Give the lease up without asking the server, which is gone: it frees itself when it expires, or
        at once when this process has ended (died_here). The heartbeat stops after its current try."""
        self._stop.set()
        self.held = False

    def start_heartbeat(self) -> None:
        """Renew in the background (for loads, whose steps are long and not ours to interrupt)."""
        def beat() -> None:
            while not self._stop.wait(self.ttl_s / 3):
                try:
                    self.renew()
                except Exception:  # lost or unreachable: the holder's own final check says so
                    return
        self._heartbeat = threading.Thread(target=beat, name=f"lease-{self.owner}", daemon=True)
        self._heartbeat.start()

    def pause(self) -> None:
        """Stop renewing while the server is down (a store replacement carries the lease into the new
        store); `renew` and `start_heartbeat` take it up again."""
        self._stop_heartbeat()

    def _stop_heartbeat(self) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
            self._heartbeat = None
        self._stop = threading.Event()

    def __enter__(self) -> "Lease":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def change(driver: neo4j.Driver, database: str, decide: Callable[[LeaseState], bool], owner: str | None,
           mode: str, ttl_s: float) -> bool:
    """Lock the lease node, let `decide` look at (and change) its state, write it back if it said yes.
    The owner's entry gets a fresh expiry. Retried on deadlocks by the driver's transaction function."""
    def work(tx: neo4j.ManagedTransaction) -> bool:
        record = tx.run(cypher.LOCK_LEASE).single()
        state = LeaseState.read(record["lease"], record["now"])
        if not decide(state):
            return False
        props = state.props()
        until = state.now + int(ttl_s * 1000)
        props["writer_until"] = until if state.writer else None
        if state.writer and state.writer != owner:  # someone else's: keep their expiry
            props["writer_until"] = record["lease"].get("writer_until")
        props["waiting_until"] = until if state.waiting else None
        if state.waiting and state.waiting != owner:
            props["waiting_until"] = record["lease"].get("waiting_until")
        if owner in state.readers:
            state.readers[owner] = until
            props["readers_until"] = list(state.readers.values())
        tx.run(cypher.SET_LEASE, props=props).consume()
        return True

    with driver.session(database=database) as session:
        return session.execute_write(work)


def describe(state: LeaseState) -> str:
    if state.writer:
        return f"{state.writer} is loading a scenario"
    if state.waiting:
        return f"{state.waiting} is waiting to load a scenario"
    return f"{len(state.readers)} check(s) are reading"


def acquire(driver: neo4j.Driver, database: str, mode: str, what: str = "",
            on_wait: Callable[[str], None] | None = None, ttl_s: float = TTL_S,
            wait_limit_s: float = WAIT_LIMIT_S) -> Lease:
    """Wait until the lease can be had in `mode` (exclusive or shared), then hold it. `on_wait` is told
    once, in words, whom we wait for."""
    if mode not in ("exclusive", "shared"):
        raise ValueError(mode)
    ensure_lease_node(driver, database)
    owner = owner_id(what)
    seen: list[str] = []

    def decide(state: LeaseState) -> bool:
        if mode == "exclusive":
            free = state.writer is None and not state.readers
            if free and state.waiting in (None, owner):
                state.writer, state.waiting = owner, None
                return True
            if state.waiting in (None, owner) and state.writer != owner:
                seen.append(describe(state))
                state.waiting = owner  # new registered readers now wait behind us
                return True  # written, but not granted: `seen` says so
        elif state.writer is None and state.waiting is None:
            state.readers[owner] = 0
            return True
        seen.append(describe(state))
        return False

    began, told, pause = time.monotonic(), False, 0.02
    while True:
        seen.clear()
        if change(driver, database, decide, owner, mode, ttl_s) and not seen:
            lease = Lease(driver, database, owner, mode, ttl_s)
            if mode == "exclusive":
                lease.start_heartbeat()
            return lease
        if on_wait and not told:
            on_wait(f"waiting for another linklab process on database {database!r}: {seen[-1]}")
            told = True
        if time.monotonic() - began > wait_limit_s:
            if mode == "exclusive":  # give our place in the queue back
                change(driver, database, lambda s: _unqueue(s, owner), None, mode, ttl_s)
            raise LinklabError(f"database {database!r} stayed busy for {wait_limit_s:.0f} s ({seen[-1]}): "
                               "try again later")
        time.sleep(pause * (0.5 + random.random()))
        pause = min(pause * 1.5, 0.5)


def _unqueue(state: LeaseState, owner: str) -> bool:
    if state.waiting == owner:
        state.waiting = None
    return True


def read_under_lock(tx: neo4j.Transaction) -> tuple[LeaseState | None, dict | None]:
    """In a reading transaction: take the shared lock on the lease node (held until the transaction
    ends; a writer's flag waits for it) and read the lease and the scenario marker under it. The lease
    is None on a database that has no lease node yet."""
    try:
        record = tx.run(cypher.LOCK_FOR_READING).single()
    except ClientError as exc:
        if "ProcedureNotFound" in (exc.code or ""):
            raise LinklabError("linklab needs APOC on the Neo4j server (apoc.lock.read.nodes, for its locks): "
                               "`linklab doctor` says what is missing") from None
        raise
    state = LeaseState.read(record["lease"], record["now"]) if record["lease"] is not None else None
    return state, record["scenario"]


def wait_for_writer(driver: neo4j.Driver, database: str, on_wait: Callable[[str], None] | None = None,
                    wait_limit_s: float = WAIT_LIMIT_S) -> None:
    """Wait, reading only, until no load is under way on `database` (a dead loader's lease expires)."""
    began, told, pause = time.monotonic(), False, 0.02
    while (writer := holder(driver, database)) is not None:
        if on_wait and not told:
            on_wait(f"waiting for another linklab process on database {database!r}: {writer} is loading a scenario")
            told = True
        if time.monotonic() - began > wait_limit_s:
            raise LinklabError(f"database {database!r} stayed busy for {wait_limit_s:.0f} s ({writer} is loading "
                               "a scenario): try again later")
        time.sleep(pause * (0.5 + random.random()))
        pause = min(pause * 1.5, 0.5)


def holder(driver: neo4j.Driver, database: str) -> str | None:
    """Who is loading a scenario into `database` now (None if nobody): for messages."""
    records, _, _ = driver.execute_query(cypher.READ_LEASE, database_=database)
    if not records:
        return None
    state = LeaseState.read(records[0]["lease"], records[0]["now"])
    return state.writer
