"""Loading a scenario into Neo4j, and knowing what is loaded.

A reset is safe to interrupt: it first marks the `:Scenario` node incomplete, wipes, applies the
schema, loads in `UNWIND $rows` batches, and sets `complete = true` only at the very end. Any later
command that finds `complete = false` refuses the data as incomplete; the next reset recovers.

A load holds the database's exclusive lease (linklab.lease) from start to finish, and sets the complete
flag only if it still holds it, so two loads never mix and checks never read half a scenario. A server lost
in the middle of a load ends it with one line (errors.ServerLostError) that says whether the data was
touched: before the marker said incomplete, what was loaded is still loaded.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Callable, Iterator

import neo4j

from . import cypher, lease as leases
from .cases.network import CaseNetwork
from .db import DRIVER_LOST, first_line
from .errors import LinklabError, ServerLostError
from .keys import CaseKey, ScenarioKey, marker_props
from .scenario.export import Digest, metadata
from .scenario.generate import generator_digest
from .scenario.model import NODE_LABELS, REL_KEYS, Chunk, Scenario

BATCH_SIZE = 10_000  # rows per UNWIND; measured in bench/load.py
TX_ROWS = 100_000  # rows per transaction
WIPE_BATCH = 20_000


@dataclass
class LoadReport:
    meta: dict
    seconds: float
    entities: int


def run(driver: neo4j.Driver, query: str, database: str, **params):
    records, summary, _ = driver.execute_query(query, params, database_=database)
    return records


def wipe(driver: neo4j.Driver, database: str) -> set[str]:
    """Delete everything but the :Scenario marker in bounded transactions, and drop every constraint
    and index that queries/schema.cypher does not define (leftovers of an older schema). Ours stay:
    recreating them would flush Neo4j's query-plan cache and make every reset plan afresh."""
    while run(driver, cypher.WIPE_BATCH, database, limit=WIPE_BATCH)[0]["deleted"]:
        pass
    ours, kept = cypher.schema_names(), set()
    for record in run(driver, cypher.SHOW_CONSTRAINTS, database):
        if record["name"] not in ours:
            run(driver, cypher.DROP_CONSTRAINT.format(name=record["name"].replace("`", "")), database)
        kept.add(record["name"])
    for record in run(driver, cypher.SHOW_INDEXES, database):
        if record["name"] not in ours:
            run(driver, cypher.DROP_INDEX.format(name=record["name"].replace("`", "")), database)
        kept.add(record["name"])
    return kept & ours


class BatchWriter:
    """Sends `UNWIND $rows` batches, committing a transaction every `tx_rows` rows: fewer commits
    than one per batch, yet bounded transaction memory for a million-person scenario."""

    def __init__(self, session: neo4j.Session, batch_size: int, tx_rows: int = TX_ROWS):
        self.session, self.batch_size, self.tx_rows = session, batch_size, tx_rows
        self.tx, self.pending = None, 0

    def write(self, query: str, rows: list[dict]) -> int:
        for i in range(0, len(rows), self.batch_size):
            batch = rows[i:i + self.batch_size]
            if self.tx is None:
                self.tx = self.session.begin_transaction()
            self.tx.run(query, rows=batch).consume()
            self.pending += len(batch)
            if self.pending >= self.tx_rows:
                self.commit()
        return len(rows)

    def commit(self) -> None:
        if self.tx is not None:
            self.tx.commit()
            self.tx, self.pending = None, 0

    def load_chunk(self, chunk: Chunk) -> int:
        """Nodes first, then relationships (which only point at nodes of this or earlier chunks)."""
        written = sum(self.write(cypher.create_nodes(label), chunk.nodes[label]) for label in NODE_LABELS)
        self.commit()  # relationships MATCH these nodes: make them visible first
        written += sum(self.write(cypher.create_rels(*key), chunk.rels[key]) for key in REL_KEYS)
        self.commit()
        return written


def generate_tiny() -> Scenario:
    from .scenario.generate import generate  # the generator is only needed here, at a server's start

    return generate("investigation", "tiny", 1)


def warm_up(driver: neo4j.Driver, database: str = "neo4j") -> float:
    """Compile every statement a load runs, with empty batches (nothing is written), and apply the schema:
    on a server that has just started, each first compilation costs a few hundred milliseconds on a cold
    JVM, and a first load would pay them all. Run when a server starts; returns the seconds it took."""
    began = time.perf_counter()
    for statement in cypher.schema_statements():
        try:
            run(driver, statement, database)
        except neo4j.exceptions.ClientError:
            pass  # an equivalent index under another name: the next reset's wipe sorts it out
    sample = next(iter(generate_tiny().chunks()))  # rows of the real shapes: plans are cached per parameter type
    with driver.session(database=database) as session:
        with session.begin_transaction() as tx:
            mark = "warm-up:"  # ids that no scenario uses, so the uniqueness constraints never object
            for label in NODE_LABELS:
                rows = [{**row, "id": mark + row["id"]} for row in sample.nodes[label][:20]]
                tx.run(cypher.create_nodes(label), rows=rows).consume()
            for key in REL_KEYS:
                rows = [{**row, "s": mark + row["s"], "e": mark + row["e"]} for row in sample.rels[key][:20]]
                tx.run(cypher.create_rels(*key), rows=rows).consume()
            tx.run(cypher.CREATE_CASE_PEOPLE, rows=[{"id": "warm-up", "name": "warm-up"}]).consume()
            for statement in (cypher.SHOW_CONSTRAINTS, cypher.SHOW_INDEXES, cypher.GET_SCENARIO, cypher.ANY_DATA):
                tx.run(statement).consume()
            tx.run(cypher.WIPE_BATCH, limit=0).consume()
            tx.rollback()  # nothing stays
    return time.perf_counter() - began


# How far the load of this context got with the marker: untouched, sending (the statement that marks it
# incomplete may or may not have run), incomplete. Kept by `writing`, for the line a lost server gets.
_MARKER: ContextVar[list[str] | None] = ContextVar("linklab_marker", default=None)


def mark_resetting(driver: neo4j.Driver, database: str) -> None:
    """From here on the data says incomplete (the first change a load makes)."""
    state = _MARKER.get()
    if state is not None:
        state[0] = "sending"
    run(driver, cypher.MARK_RESETTING, database)
    if state is not None:
        state[0] = "incomplete"


def begin(driver: neo4j.Driver, database: str, props: dict) -> None:
    """Mark the data incomplete, wipe it, apply the schema and record what is being loaded."""
    mark_resetting(driver, database)
    present = wipe(driver, database)
    for statement in cypher.schema_statements():
        if cypher.schema_name(statement) not in present:
            run(driver, statement, database)
    run(driver, cypher.SET_SCENARIO, database, props=props)


def finish(driver: neo4j.Driver, database: str, digest: str, counts: dict[str, int], held: leases.Lease,
           reveal: bool = True) -> None:
    """The very last step: only now is the data complete, and only if this load still holds the lease
    (checked under the lease node's lock, in the same transaction). A hidden scenario's marker gets no hash
    or counts (`reveal`): nothing an answer could tell it by."""
    props = {"hash": digest, "counts": json.dumps(counts, sort_keys=True), "entities": sum(counts.values())} \
        if reveal else {}

    def work(tx: neo4j.ManagedTransaction) -> bool:
        record = tx.run(cypher.LOCK_LEASE).single()
        if leases.LeaseState.read(record["lease"], record["now"]).writer != held.owner:
            return False
        tx.run(cypher.FINISH_SCENARIO, props=props).consume()
        return True

    with driver.session(database=database) as session:
        if not session.execute_write(work):
            raise LinklabError(f"the load into database {database!r} lost its lease (it stalled for longer than "
                               f"{held.ttl_s:g} s) and is left incomplete: load it again")


@contextmanager
def writing(driver: neo4j.Driver, database: str, what: str, held: leases.Lease | None,
            on_wait: Callable[[str], None] | None = None) -> Iterator[leases.Lease]:
    """The caller's exclusive lease, or one taken (and given back) here. A server lost meanwhile ends the
    load with a ServerLostError that says what state the data was left in."""
    state = ["untouched"]
    token = _MARKER.set(state)
    try:
        taken = held or leases.acquire(driver, database, "exclusive", what, on_wait)
        try:
            yield taken
        except DRIVER_LOST:
            if held is None:
                taken.abandon()  # no release on a server that is gone (the driver would retry for 30 s)
            raise
        except BaseException:
            if held is None:
                taken.release()
            raise
        if held is None:
            taken.release()
    except DRIVER_LOST as exc:
        raise ServerLostError(lost_in_load(what, database, state[0], exc)) from None
    finally:
        _MARKER.reset(token)


def lost_in_load(what: str, database: str, state: str, exc: BaseException) -> str:
    left = {"untouched": "it was not changed: what it held is still loaded",
            "sending": "it may now say its scenario is incomplete (`linklab scenario` tells)",
            "incomplete": "it holds an incomplete scenario, which every command refuses until a load finishes"}[state]
    return f"the Neo4j server stopped answering during the {what} ({first_line(exc)}); in database {database!r}, {left}"


def scenario_key(scenario: Scenario) -> ScenarioKey:
    return ScenarioKey(scenario.info.profile, scenario.info.size, scenario.info.seed)


def scenario_marker(scenario: Scenario, key: ScenarioKey | None = None) -> dict:
    """The marker's properties while `scenario` loads (keys.marker_props: readable unless hidden)."""
    return marker_props(key or scenario_key(scenario), {**asdict(scenario.info), "generator_digest": generator_digest()})


def reset(driver: neo4j.Driver, scenario: Scenario, database: str = "neo4j",
          batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None,
          lease: leases.Lease | None = None, on_wait: Callable[[str], None] | None = None,
          key: ScenarioKey | None = None) -> LoadReport:
    """Replace whatever the database holds with `scenario`, under the exclusive lease. `key` (default: the
    scenario's own, readable) says how the marker records it."""
    key = key or scenario_key(scenario)
    with writing(driver, database, f"reset {key}", lease, on_wait) as held:
        return load_scenario(driver, scenario, database, batch_size, progress, held, key)


def load_scenario(driver: neo4j.Driver, scenario: Scenario, database: str, batch_size: int,
                  progress: Callable[[int], None] | None, held: leases.Lease,
                  key: ScenarioKey | None = None) -> LoadReport:
    began = time.perf_counter()
    advance = progress or (lambda n: None)
    key = key or scenario_key(scenario)
    begin(driver, database, scenario_marker(scenario, key))
    digest = Digest()
    with driver.session(database=database) as session:
        writer = BatchWriter(session, batch_size)
        for chunk in scenario.chunks():
            advance(writer.load_chunk(chunk))
            digest.add(chunk)
    meta = metadata(scenario, digest)
    finish(driver, database, meta["hash"], meta["counts"], held, reveal=not key.hidden)
    return LoadReport(meta, time.perf_counter() - began, sum(meta["counts"].values()))


def case_key(case: CaseNetwork) -> CaseKey:
    return CaseKey(case.name, case.variant, case.base.digest if case.base is not None else case.digest)


def load_case(driver: neo4j.Driver, case: CaseNetwork, database: str = "neo4j",
              progress: Callable[[int], None] | None = None, lease: leases.Lease | None = None,
              on_wait: Callable[[str], None] | None = None, key: CaseKey | None = None) -> LoadReport:
    """Replace whatever the database holds with an imported case network (same lease and complete-flag
    rules as a reset)."""
    with writing(driver, database, f"import of case {case.name}", lease, on_wait) as held:
        return load_case_network(driver, case, database, progress, held, key)


def load_case_network(driver: neo4j.Driver, case: CaseNetwork, database: str,
                      progress: Callable[[int], None] | None, held: leases.Lease,
                      key: CaseKey | None = None) -> LoadReport:
    began = time.perf_counter()
    advance = progress or (lambda n: None)
    key = key or case_key(case)
    begin(driver, database, marker_props(key, case.info()))
    with driver.session(database=database) as session:
        writer = BatchWriter(session, BATCH_SIZE)
        advance(writer.write(cypher.CREATE_CASE_PEOPLE, [p.row() for p in case.people]))
        writer.commit()
        advance(writer.write(cypher.create_case_contacts(case.rel_type),
                             [{"s": c.source, "e": c.target, "w": c.weight} for c in case.contacts]))
        writer.commit()
    counts = {"Person": len(case.people), case.rel_type: len(case.contacts)}
    finish(driver, database, case.digest, counts, held, reveal=not key.hidden)
    meta = {**case.info(), "hash": case.digest, "counts": counts}
    return LoadReport(meta, time.perf_counter() - began, sum(counts.values()))


# ---------------------------------------------------------------- what is loaded


class DataState(StrEnum):
    """What a database holds, as linklab sees it (the value is what `linklab scenario --json` writes)."""
    EMPTY = "empty"
    INCOMPLETE = "incomplete"  # a load that did not finish
    COMPLETE = "complete"
    FOREIGN = "foreign"  # data linklab did not load
    LOADING = "loading"  # another process is loading now


@dataclass
class LoadedScenario:
    state: DataState
    props: dict
    writer: str | None = None  # who is loading, when state is loading

    @property
    def counts(self) -> dict[str, int]:
        return json.loads(self.props.get("counts") or "{}")

    def problem(self) -> str:
        """What is wrong with the data, and what to run, for any state but complete."""
        if self.state is DataState.LOADING:
            return f"a load is under way ({self.writer}): wait for it, then ask again"
        if self.state is DataState.EMPTY:
            return "no scenario is loaded: run `linklab reset`"
        if self.state is DataState.FOREIGN:
            return "the database holds data that linklab did not load; `linklab reset` replaces it (all of it)"
        if self.props.get("kind") == "case":
            return (f"the import of case {self.props.get('case')!r} did not finish: the data is incomplete; "
                    f"import the file again (`linklab import FILE --name {self.props.get('case')}`), or "
                    "`linklab reset` for a generated scenario")
        return "the last reset did not finish: the data is incomplete; run `linklab reset` to load it again"


def read_state(tx: neo4j.Transaction, props: dict | None) -> LoadedScenario:
    if props is None:
        has_data = tx.run(cypher.ANY_DATA).single()["any"]
        return LoadedScenario(DataState.FOREIGN if has_data else DataState.EMPTY, {})
    return LoadedScenario(DataState.COMPLETE if props.get("complete") else DataState.INCOMPLETE, dict(props))


def loaded(driver: neo4j.Driver, database: str = "neo4j") -> LoadedScenario:
    """The marker as it is now (for a writer, which holds the exclusive lease; others use `observe`)."""
    def work(tx: neo4j.ManagedTransaction) -> LoadedScenario:
        record = tx.run(cypher.GET_SCENARIO).single()
        return read_state(tx, record["s"] if record else None)

    with driver.session(database=database) as session:
        return session.execute_read(work)


def observe(driver: neo4j.Driver, database: str = "neo4j") -> LoadedScenario:
    """What is loaded, read under the shared lock, so never half-way through someone else's load."""
    def work(tx: neo4j.ManagedTransaction) -> LoadedScenario:
        state, props = leases.read_under_lock(tx)
        if state is not None and state.writer:
            return LoadedScenario(DataState.LOADING, dict(props or {}), state.writer)
        return read_state(tx, props)

    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        return session.execute_read(work)


def require_complete(driver: neo4j.Driver, database: str = "neo4j") -> LoadedScenario:
    """The loaded scenario, or a clear error that says how to get one."""
    current = observe(driver, database)
    if current.state is not DataState.COMPLETE:
        raise LinklabError(current.problem())
    return current


def database_counts(driver: neo4j.Driver, database: str = "neo4j") -> dict[str, int]:
    """Nodes per label and relationships per type, as Neo4j counts them now."""
    counts = {r["label"]: r["c"] for r in run(driver, cypher.COUNT_LABELS, database)}
    counts.update({r["t"]: r["c"] for r in run(driver, cypher.COUNT_TYPES, database)})
    return {k: v for k, v in counts.items() if v}
