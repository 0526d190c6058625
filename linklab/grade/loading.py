"""What a database holds, and loading a world into it under the database's lease (linklab.lease)."""

from __future__ import annotations

from typing import Callable

import neo4j

from .. import lease
from ..keys import CaseKey, ScenarioKey
from ..load import DataState, LoadReport, load_case, loaded, reset
from . import health
from .expected import graphs_for


class NotReady(Exception):
    """The scenario a check needs is not there to read: `reason` is busy (a load is under way), other
    (another scenario, or an incomplete one) or no-lease (a database linklab never wrote to)."""

    def __init__(self, reason: str, writer: str | None = None):
        super().__init__(reason)
        self.reason, self.writer = reason, writer


def require_key(key: ScenarioKey | CaseKey, seen: dict | None = None) -> Callable[[neo4j.Transaction], None]:
    """What a check runs first in the answer's own transaction: the shared lock on the lease node (held
    until the transaction ends, so no load can start meanwhile), then `key` must be loaded and complete.
    `seen` receives the load it found ("loaded_at": when that load finished)."""
    def prepare(tx: neo4j.Transaction) -> None:
        state, props = lease.read_under_lock(tx)
        if state is None:
            raise NotReady("no-lease")
        if state.writer:
            raise NotReady("busy", state.writer)
        if not (props and props.get("complete") and key.matches(props)):
            raise NotReady("other")
        if seen is not None:
            seen["loaded_at"] = str(props.get("loaded_at"))
    return prepare


def load_id(server: str, loaded_at: str) -> str:
    """One load of one world on one server: rows that depend on storage order (ties cut by a LIMIT) are
    the same for the same query only within it."""
    return f"{server}@{loaded_at}"


def is_loaded(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str = "neo4j") -> bool:
    """Whether `key` is loaded, complete, and not being replaced right now."""
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        try:
            session.execute_read(require_key(key))
        except NotReady:
            return False
    return True


def load_key(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str, held: lease.Lease,
             progress: Callable[[int], None] | None = None) -> LoadReport:
    if isinstance(key, CaseKey):
        return load_case(driver, graphs_for(key), database, progress=progress, lease=held, key=key)
    return reset(driver, graphs_for(key).scenario, database, progress=progress, lease=held, key=key)


def load_and_hold(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str = "neo4j",
                  on_wait: Callable[[str], None] | None = None) -> tuple[lease.Lease, bool]:
    """Load `key` under the exclusive lease unless another process just did, then keep a shared lease,
    so that no other load comes between this one and the caller's use of it. (lease, whether it loaded)
    Where `key` is loaded already, a shared lease is all it takes: readers of one world (a preparation's
    batches side by side, a class's checks) never wait for each other."""
    held = lease.acquire(driver, database, "shared", f"reading {key}", on_wait)
    try:
        current = loaded(driver, database)  # no load can start while the shared lease is held
    except health.CONNECTION_LOST:
        held.abandon()
        raise
    except BaseException:
        held.release()
        raise
    if current.state is DataState.COMPLETE and key.matches(current.props):
        return held, False
    held.release()
    held = lease.acquire(driver, database, "exclusive", f"loading {key}", on_wait)
    try:
        current = loaded(driver, database)  # read by the only writer: nothing changes it meanwhile
        loaded_now = not (current.state is DataState.COMPLETE and key.matches(current.props))
        if loaded_now:
            load_key(driver, key, database, held)
        held.downgrade()
        return held, loaded_now
    except health.CONNECTION_LOST:
        held.abandon()  # the server is gone: asking it to release would only retry
        raise
    except BaseException:
        held.release()
        raise


def ensure_loaded(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str = "neo4j",
                  on_wait: Callable[[str], None] | None = None) -> bool:
    """Load `key` unless it is loaded already; True when it had to load."""
    if is_loaded(driver, key, database):
        return False
    held, loaded_now = load_and_hold(driver, key, database, on_wait)
    held.release()
    return loaded_now
