"""One answer on one world: run under every guard, then compared with the world's answer key. The grader's
checks, the registered and automatic mutants, and the choice of the course's hidden worlds all go through
this step, so they judge alike.

- `run_answer`: a trainee's answer, through every layer of grade.guard, in a transaction that holds the
  world's shared lock (loading the world first when it is not there); its GDS graph has a name of its own
  and is dropped by that name.
- `judge_rows`: rows against the answer key (grade.compare), with a canonical digest of the rows, so that two
  queries that return the same rows on a world can be told without keeping the rows.
- `run_batch`: many generated queries (mutants of the reference) on one loaded world, under one shared
  lease, each in its own READ transaction with a short time limit: the fast path of a course's
  preparation, for queries that passed the guard's parse when they were made.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Callable

import neo4j
from neo4j.exceptions import ClientError, DriverError, Neo4jError, ResultFailedError

from . import health
from .. import cypher, lease
from ..errors import LinklabError
from ..exercises.catalogue import Exercise
from ..keys import CaseKey, ScenarioKey
from .compare import Verdict, compare, normalise
from .expected import answer_key
from .guard import (BUSY_SHARE, Limits, Refused, RunResult, inspect, is_time_error, refused, run_guarded, server_failure,
                    server_of)
from .ordering import order_matters, tie_breaks
from .loading import NotReady, load_and_hold, load_id, require_key
from .status import Status
from ..load import loaded

GDS_MEMORY_CAP = 1 << 30  # bytes: refuse projections that GDS estimates above this


@dataclass
class Budget:
    """The time one check may spend running an answer, over all its scenarios (loads not counted)."""
    seconds: float
    spent: float = 0.0
    worked: float = 0.0  # how long its finished runs worked on a CPU (or ran, where that was not measured)

    def deadline(self) -> float:
        return time.monotonic() + max(0.0, self.seconds - self.spent)

    def busy_stop(self, stop: Refused) -> bool:
        """Whether a stop at the time limit is the busy server's doing: over the whole check (every run so far,
        and the stopped one), the answer worked on a CPU for less than BUSY_SHARE of the limit, so the rest of
        the time went to waiting (for cores others held, for this process's other threads). A slow answer alone
        works nearly all of it. Unknown (a server that does not track CPU time): the answer's doing, as always."""
        if stop.limit != "time" or stop.share is None:
            return False
        return self.worked + stop.ran_s * stop.share < BUSY_SHARE * self.seconds


GRAPH_PREFIX = "linklab-check-"  # every check's GDS graph: this and a random part
SWEEP_EVERY_S = 60.0
LEFTOVER_AFTER_S = 300  # far past any check's time limit: such a graph's check is over
_last_sweep: dict[tuple[str, str], float] = {}


def sweep_graphs(driver: neo4j.Driver, database: str, older_than_s: float = LEFTOVER_AFTER_S) -> list[str]:
    """Drop the GDS graphs of checks that never finished (a process killed between projecting and dropping):
    the server's memory is not left to fill up with them. Returns their names."""
    records = driver.execute_query(cypher.GDS_LEFTOVERS, prefix=GRAPH_PREFIX, seconds=older_than_s,
                                   database_=database).records
    names = list(records[0]["names"]) if records else []
    for name in names:
        drop_graph(driver, name, database)
    return names


def sweep_now_and_then(driver: neo4j.Driver, database: str) -> None:
    """sweep_graphs at most once a minute per server and database (a check with GDS pays it rarely)."""
    key = (server_of(driver), database)
    now = time.monotonic()
    if now - _last_sweep.get(key, -SWEEP_EVERY_S) < SWEEP_EVERY_S:
        return
    _last_sweep[key] = now
    try:
        sweep_graphs(driver, database)
    except ClientError:
        pass  # no GDS here: the check says so itself


def drop_graph(driver: neo4j.Driver, name: str, database: str) -> None:
    """Drop this check's GDS graph by its name: other checks' graphs are never touched."""
    try:
        driver.execute_query(cypher.GDS_DROP, name=name, database_=database)
    except (ClientError, DriverError, health.CONNECTION_LOST):
        pass  # no GDS, the graph was never made, or the server went away (and its graphs with it)


def gds_estimate_ok(driver: neo4j.Driver, database: str) -> None:
    """Upper bound: projecting the whole database. Refused above the cap."""
    try:
        records, _, _ = driver.execute_query(cypher.GDS_ESTIMATE_ALL, database_=database)
    except ClientError:
        raise refused("no_gds") from None
    if records[0]["bytesMax"] > GDS_MEMORY_CAP:
        raise refused("gds_memory", "memory", mib=GDS_MEMORY_CAP >> 20)


MAX_TRIES = 20  # loads by other processes that a check lets pass before it gives up


def run_answer(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey,
               limits: Limits | None = None, database: str = "neo4j", budget: Budget | None = None,
               on_wait: Callable[[str], None] | None = None, load: bool = True, tag: str | None = None
               ) -> RunResult | None:
    """Run an answer on one scenario with the exercise's parameters for it, under every guard. The answer
    runs in a transaction that holds the scenario's shared lock and has verified that `key` is loaded; if
    it is not, the scenario is loaded (under the exclusive lease) and the run tried again, or, with
    load=False, None is returned. Its GDS graph has a name of its own and is dropped by that name.
    Raises Refused."""
    limits = limits or Limits()
    budget = budget or Budget(limits.timeout_s)
    params = dict(answer_key(exercise, key).params)
    uses_gds = "graph" in exercise.parameters or inspect(query, params, limits).shape.uses_gds
    if uses_gds:
        params["graph"] = f"{GRAPH_PREFIX}{uuid.uuid4().hex[:12]}"
        sweep_now_and_then(driver, database)
    held: lease.Lease | None = None
    lost = False
    try:
        for _ in range(MAX_TRIES):
            started = time.monotonic()
            try:
                if uses_gds:
                    gds_estimate_ok(driver, database)
                seen: dict = {}
                result = run_guarded(driver, query, params, limits, database, budget.deadline(),
                                     require_key(key, seen), tag)
                result.load = load_id(server_of(driver), seen.get("loaded_at", ""))
                budget.worked += result.worked
                return result
            except NotReady as exc:
                why = exc
            except Refused as exc:
                budget.spent += time.monotonic() - started
                started = time.monotonic()  # (counted once)
                if budget.busy_stop(exc):
                    raise refused("time_busy", "time", seconds=limits.timeout_s) from None
                raise
            finally:
                budget.spent += time.monotonic() - started  # the answer's own time; waits and loads are not
            if held:
                held.release()
                held = None
            if why.reason == "no-lease":
                lease.ensure_lease_node(driver, database, again=True)
            elif why.reason == "busy":
                lease.wait_for_writer(driver, database, on_wait)
            elif not load:
                return None
            else:
                held, _ = load_and_hold(driver, key, database, on_wait)
        raise LinklabError(f"database {database!r} kept changing scenario ({MAX_TRIES} loads by other "
                           "processes during one check): try again when fewer grading runs share it")
    except health.CONNECTION_LOST:
        lost = True  # nothing more to ask that server: its leases expire, a restart drops its graphs
        raise
    finally:
        if held:
            held.abandon() if lost else held.release()
        if uses_gds and not lost:
            drop_graph(driver, params["graph"], database)


def limit_picks(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey,
                result: RunResult, limits: Limits | None, database: str, budget: Budget | None) -> bool:
    """Whether a LIMIT without ORDER BY really picks among rows (then which come first is storage order, and
    the answer is right by chance): run once more with the final LIMIT one higher. A LIMIT that cuts
    nothing (`RETURN length(p) LIMIT 1` after one shortest path) is harmless. A LIMIT that is not the
    query's last clause counts as picking."""
    wider = widened_limit(query, inspect(query, answer_key(exercise, key).params, limits).shape)
    if wider is None:
        return True
    try:  # may load the scenario again if another process replaced it meanwhile: never a verdict by accident
        more = run_answer(driver, exercise, wider, key, limits, database, budget)
    except Refused as exc:
        if exc.code == "time_busy":
            raise  # the busy server's doing: no verdict either way (grade.engine.judged)
        return True
    return more is None or len(more.rows) > len(result.rows)


def unordered_limit(exercise: Exercise, shape) -> bool:
    """For a top-k or single-value exercise, a LIMIT with no ORDER BY anywhere (`shape`: the answer's
    grade.allow.AnswerShape): if the LIMIT picks among rows (limit_picks), they depend on storage order, and
    the answer fails whatever it returns (a world cannot be chosen to catch it every time)."""
    return exercise.compare.mode in ("topk", "scalar") and shape.limited and not shape.ordered


def widened_limit(query: str, shape) -> str | None:
    """The query with its final LIMIT one higher, or None when it does not end with `LIMIT <number>`."""
    limit = shape.final_limit
    if limit is None:
        return None
    return query[:limit.start] + str(int(limit.text) + 1) + query[limit.stop:]


def normalised(rows: list) -> tuple:
    return tuple(tuple(normalise(v) for v in row) for row in rows)


def rounded(value) -> str:
    """A value as text with floats rounded (the same value computed two ways may differ in the last digits)."""
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, tuple):
        return "(" + ",".join(map(rounded, value)) + ")"
    return repr(value)


def rows_digest(exercise: Exercise, rows: tuple) -> str:
    """The same digest for the same rows (normalised): in order where the exercise fixes it, else as a
    multiset; column order kept (the mutants and the answers it is compared with run the same RETURN)."""
    texts = [rounded(row) for row in rows]
    if exercise.compare.mode != "ordered" and not exercise.compare.ranked:
        texts.sort()
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Trial:
    """A query's outcome on one world: passed or failed against the key, refused (an error, rows over the
    cap), or not graded (stopped by the time limit); `digest` of its normalised rows ("" when refused or not
    graded); `load`: the load it ran on (loading.load_id)."""
    status: Status  # passed, failed, refused or not graded
    digest: str = ""
    rows: tuple | None = None
    load: str = ""


def judge_rows(exercise: Exercise, key: ScenarioKey | CaseKey, rows: list) -> tuple[Verdict, tuple, str]:
    """(verdict against the answer key, normalised rows, their digest)."""
    verdict = compare(answer_key(exercise, key).expected, rows, exercise.compare)
    clean = normalised(rows)
    return verdict, clean, rows_digest(exercise, clean)


# A batch's queries (mutants and their tie-broken variants, made by linklab) run on one world after another, and
# planning a new query is most of its time on a tiny world: a plan made on one world stays right on the next (a
# plan never changes results), so Neo4j is told to keep it even where this world's counts differ much from the
# last one's, which would otherwise plan every query again after most loads (bench/preparing.py).
KEEP_PLANS = "CYPHER replan=skip\n"
BATCH_TIMEOUT_S = 3.0  # a generated query that needs longer on a tiny world would run out of a check's time


def run_batch(driver: neo4j.Driver, exercise: Exercise, queries: list[str], key: ScenarioKey | CaseKey,
              database: str = "neo4j", timeout_s: float = BATCH_TIMEOUT_S, keep_rows: bool = False,
              max_rows: int = 10_000) -> list[Trial]:
    """Each of `queries` (made by linklab from the reference and vetted by the parse) on world `key`, which
    is loaded first if needed and kept under a shared lease for the whole batch."""
    held, _ = load_and_hold(driver, key, database)
    held.start_heartbeat()  # a batch can outlast the lease's expiry: a load must not come in under it
    try:
        load = load_id(server_of(driver), str(loaded(driver, database).props.get("loaded_at")))
        base = dict(answer_key(exercise, key).params)
        out = []
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            for query in queries:
                trial = run_one(driver, session, exercise, key, query, base, database, timeout_s, keep_rows, max_rows)
                out.append(Trial(trial.status, trial.digest, trial.rows, load))
        return out
    finally:
        held.release()


def run_one(driver, session, exercise, key, query, base, database, timeout_s, keep_rows, max_rows,
            tie_broken: bool = False) -> Trial:
    params = dict(base)
    gds = "gds." in query
    if gds:
        params["graph"] = f"{GRAPH_PREFIX}{uuid.uuid4().hex[:12]}"
    try:
        with session.begin_transaction(timeout=timeout_s) as tx:
            result = tx.run(KEEP_PLANS + query, params)
            rows = []
            for record in result:
                if len(rows) >= max_rows:
                    return Trial(Status.REFUSED)
                rows.append(list(record.values()))
            tx.rollback()
    except (Neo4jError, ResultFailedError) as raised:
        exc = server_failure(raised)  # the mutant's own failure, however the driver tells it
        if exc is None:
            raise
        # stopped by the time limit: maybe slow, maybe a busy server; it tells nothing either way (worlds.tells)
        return Trial(Status.NOT_GRADED if is_time_error(exc) else Status.REFUSED)
    finally:
        if gds:
            drop_graph(driver, params["graph"], database)
    verdict, clean, digest = judge_rows(exercise, key, rows)
    passed = verdict.passed and all(
        run_one(driver, session, exercise, key, variant, base, database, timeout_s, False, max_rows, True).status
        is not Status.FAILED for variant in ([] if tie_broken else tie_breaks(query, order_matters(exercise))))
    # (right with its ties settled both ways, as grade.engine checks answers: grade.ordering)
    return Trial(Status.PASSED if passed else Status.FAILED, digest, clean if keep_rows else None)
