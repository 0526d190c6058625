"""Running a trainee's Cypher safely, in layers:

1. the parse (linklab.cypherlang, Neo4j's own Cypher 5 grammar) and its allowlists (grade.allow): one read
   query, every clause, procedure and function on an allowlist by its resolved name, GDS graphs named only
   by the check's `$graph`;
2. the server loads only allowed procedures and functions (server.SHARED_SETTINGS), so a gap in the parse
   meets a server that does not have apoc.cypher, apoc.load or apoc.export;
3. EXPLAIN: Neo4j's own query type must be read-only ("r"), and every procedure in the plan must be on
   the same allowlist; no LOAD CSV or CALL { } IN TRANSACTIONS operator;
4. a READ transaction (a write fails on the server with Neo.ClientError.Statement.AccessMode);
5. a row cap, and a time limit that holds end to end: the server's transaction timeout, and a watchdog
   that stops waiting at the deadline and terminates the transaction by its metadata, since Neo4j parses and
   plans outside the transaction timeout. It first reads how much of that time the run spent on a CPU
   (cpu_share): grade.evaluate.run_answer tells a busy server's stop from the answer's own.

GDS graphs that an answer projects or drops must be named `$graph` (a name per check, which the grader
drops by name afterwards), so concurrent checks never touch each other's graphs.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

import neo4j
from neo4j.exceptions import ClientError, Neo4jError, ResultFailedError, TransientError

from .. import cypher
from ..cypherlang.parser import CypherSyntaxError, parse, tokens_of
from ..cypherlang.tree import Tree
from ..db import answered_within, first_line
from ..feedback import neo4j_detail, parse_error, refusal
from .allow import AnswerShape, NotAllowed, procedure_allowed, vet

FORBIDDEN_OPERATORS = {"LoadCSV", "TransactionApply", "TransactionForeach"}
EXPLAINED: set[tuple[str, str, str]] = set()  # (server, database, query) that passed EXPLAIN
MAX_QUERY_CHARS = 20_000  # the longest reference solution is under 1,000 characters
# The server's own timeout of an answer's transaction comes this long after the deadline, so that the watchdog,
# not the server, stops it at the deadline: first it reads how much of its time the run spent on a CPU.
SERVER_LATE_S = 1.0
# A run stopped at its time limit that spent less than this share of its time on a CPU was mostly waiting (for
# cores that other queries held, a lock, a pause): the server was busy, which says nothing about the answer.
# Alone, a slow answer works on a CPU nearly all of its time. Neo4j measures it (db.track_query_cpu_time).
BUSY_SHARE = 0.5
SHARE_TIMEOUT_S = 3.0  # for reading that share; a server that cannot say it in this time is busy
STILL_RUNNING = object()  # what run_guarded's watchdog gets back from a run still going at its deadline
SLOW_RUN_S = 0.1  # a run that finishes after this long has its share read too (a check spans worlds and tie probes)


class Refused(Exception):
    """The guard refused to run the query; the message says why (never a crash). `code` is the reason
    (a key of feedback.REFUSALS, or "syntax"); `limit` names the limit that stopped it (time, rows, size,
    memory), or is empty when the query itself was refused."""

    def __init__(self, message: str, limit: str = "", code: str = ""):
        super().__init__(message)
        self.limit, self.code = limit, code or limit
        # a stop at the time limit by the watchdog: how long this run had run, and the share of that on a CPU
        # (cpu_share; None when not measured). evaluate.run_answer weighs it against the whole check's work.
        self.ran_s: float = 0.0
        self.share: float | None = None


def refused(code: str, stopped_by: str = "", **details) -> Refused:
    """A refusal whose sentence comes from feedback.REFUSALS; `stopped_by` names a limit (time, rows...)."""
    return Refused(refusal(code, **details), stopped_by, code)


@dataclass
class Limits:
    timeout_s: float = 10.0
    max_rows: int = 10_000
    max_chars: int = MAX_QUERY_CHARS

    def time_message(self) -> str:
        return refusal("time", seconds=self.timeout_s)


@dataclass
class RunResult:
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    seconds: float = 0.0
    load: str = ""  # the load of the world it ran on (grade.loading.load_id), when the caller asked
    worked: float = 0.0  # of `seconds`, how long it was on a CPU (read for runs over SLOW_RUN_S; else all of it)


@dataclass(frozen=True)
class Inspected:
    """An answer that passed the parse and its allowlists: the text to run and what it uses."""
    query: str  # without a trailing semicolon
    tree: Tree
    shape: AnswerShape


def param_types(params: dict | None) -> tuple:
    return tuple(sorted((k, type(v).__name__) for k, v in (params or {}).items()))


def inspect(query: str, params: dict | None = None, limits: Limits | None = None) -> Inspected:
    """The first layer: the answer parsed with Neo4j's grammar and vetted by the allowlists, or Refused.
    The verdict depends only on the text and the parameters' types: it is kept for the next check."""
    limits = limits or Limits()
    if len(query) > limits.max_chars:
        raise refused("size", "size", length=len(query), limit=limits.max_chars)
    key = (query, param_types(params))
    found = _INSPECTED.get(key)
    if found is None:
        found = _inspect(query, params or {})
        if len(_INSPECTED) > 4096:
            _INSPECTED.clear()
        _INSPECTED[key] = found
    if isinstance(found, Refused):
        raise Refused(str(found), found.limit, found.code)
    return found


_INSPECTED: dict[tuple, "Inspected | Refused"] = {}  # the same text and parameter types, the same verdict


def forget_inspections() -> None:
    """Empty the first layer's memory (the benchmark measures a text seen for the first time)."""
    _INSPECTED.clear()


def _inspect(query: str, params: dict) -> "Inspected | Refused":
    try:
        tree = parse(query)
    except CypherSyntaxError as exc:
        return why_unparsed(query, exc)
    try:
        shape = vet(tree, params)
    except NotAllowed as exc:
        return refused(exc.code, **exc.details)
    return Inspected(query[:tree.child("statement").stop].strip(), tree, shape)


def why_unparsed(query: str, error: CypherSyntaxError) -> Refused:
    """An empty answer, an EXPLAIN/PROFILE/CYPHER prefix (Neo4j's pre-parser options, not the grammar's), or
    a syntax error with its place."""
    try:
        words = [t.text.upper() for t in tokens_of(query) if t.channel == 0]
    except CypherSyntaxError:
        words = ["?"]
    if not words:
        return refused("empty")
    if words[0] in ("EXPLAIN", "PROFILE"):
        return refused("explain")
    if words[0] == "CYPHER":
        return refused("cypher_version")
    return Refused(parse_error(error), code="syntax")


def check_text(query: str, limits: Limits | None = None, params: dict | None = None) -> str:
    """The query to run (no trailing semicolon), or Refused: the parse layer alone."""
    return inspect(query, params, limits).query


def plan_procedures(plan: dict | None) -> tuple[set[str], set[str]]:
    """(operator names, procedure names) of an EXPLAIN plan tree."""
    operators, procedures = set(), set()
    stack = [plan] if plan else []
    while stack:
        node = stack.pop()
        operator = node.get("operatorType", "").split("@")[0]
        operators.add(operator)
        if operator == "ProcedureCall":
            details = str(node.get("args", {}).get("Details", ""))
            match = re.match(r"\s*([A-Za-z0-9_.]+)\s*\(", details)
            procedures.add(match.group(1) if match else details)
        stack.extend(node.get("children", []))
    return operators, procedures


_SERVERS: "weakref.WeakKeyDictionary[neo4j.Driver, str]" = weakref.WeakKeyDictionary()


def server_of(driver: neo4j.Driver) -> str:
    """The server a driver reaches (host:port), asked once per driver: the EXPLAIN cache is per server,
    since two servers may differ in plugins and versions."""
    if driver not in _SERVERS:
        _SERVERS[driver] = str(driver.get_server_info().address)
    return _SERVERS[driver]


def explain(session: neo4j.Session, query: str, params: dict, database: str, server: str,
            timeout_s: float, tag: str) -> None:
    """Refused unless Neo4j plans it as a read-only query within the allowlist. A query that passed once
    passes again (its type and procedures do not depend on the data): one EXPLAIN per text, database and
    server."""
    if (server, database, query) in EXPLAINED:
        return
    prefix = "EXPLAIN "  # Neo4j's places on line 1 count it: taken off again in what the trainee reads
    try:
        with session.begin_transaction(timeout=timeout_s, metadata={"linklab_check": tag}) as tx:
            summary = tx.run(prefix + query, params).consume()
    except ClientError as exc:  # what the parse let through and Neo4j does not accept ("Variable `m` not defined")
        if is_time_error(exc):
            raise
        raise refused("not_accepted", detail=neo4j_detail(first_line(exc), len(prefix))) from None
    if summary.query_type != "r":
        kind = {"w": "writes", "rw": "reads and writes", "s": "changes the schema"}.get(summary.query_type,
                                                                                         summary.query_type)
        raise refused("writes", kind=kind)
    operators, procedures = plan_procedures(summary.plan)
    if operators & FORBIDDEN_OPERATORS:
        raise refused("operator", names=", ".join(sorted(operators & FORBIDDEN_OPERATORS)))
    for name in procedures:
        if not procedure_allowed(name.lower()):
            raise refused("procedure", name=name.lower())
    if len(EXPLAINED) > 10_000:
        EXPLAINED.clear()
    EXPLAINED.add((server, database, query))


def is_time_error(exc: Exception) -> bool:
    code = getattr(exc, "code", "") or ""
    return any(word in code for word in ("Timeout", "TimedOut", "Terminated", "LockClientStopped"))


def run_guarded(driver: neo4j.Driver, query: str, params: dict | None = None, limits: Limits | None = None,
                database: str = "neo4j", deadline: float | None = None,
                prepare: Callable[[neo4j.Transaction], None] | None = None, tag: str | None = None) -> RunResult:
    """Run an untrusted query through every layer. Raises Refused with a clear reason.

    `deadline` (time.monotonic) bounds the whole run, EXPLAIN included; by default the time limit from
    now. `prepare` runs first in the answer's own transaction (the engine takes the scenario's shared
    lock there and checks what is loaded); what it raises comes out of run_guarded unchanged. `tag` (by
    default a new one) is the run's transaction metadata: `terminate(driver, database, tag)` ends it."""
    limits = limits or Limits()
    query = inspect(query, params, limits).query
    if deadline is None:
        deadline = time.monotonic() + limits.timeout_s
    tag = tag or uuid.uuid4().hex
    began = time.monotonic()
    try:
        result = answered_within(
            driver, max(0.0, deadline - time.monotonic()),
            lambda: run_in_transaction(driver, query, params or {}, limits, database, deadline, tag, prepare),
            STILL_RUNNING, name=f"check-{tag[:8]}")
    except Neo4jError as error:
        if is_time_error(error):
            raise refused("time", "time", seconds=limits.timeout_s) from None
        raise
    if result is STILL_RUNNING:  # parsing, planning or a slow server: stop waiting now, and stop it there too
        share = cpu_share(driver, database, tag)
        # in the background: the two statements that terminate it are not the answer's time
        threading.Thread(target=terminate_quietly, args=(driver, database, tag), daemon=True).start()
        stop = refused("time", "time", seconds=limits.timeout_s)
        stop.ran_s, stop.share = time.monotonic() - began, share
        raise stop
    return result


def cpu_share(driver: neo4j.Driver, database: str, tag: str) -> float | None:
    """The share of its time so far that the run tagged `tag` has spent on a CPU, from Neo4j's own figures
    (cpuTime over elapsedTime); 0.0 when none of its transactions is running on the server (its time went
    elsewhere: waiting for a connection, between statements), and also when the server cannot even say so in
    SHARE_TIMEOUT_S (it is that busy, or not answering at all); None when it does not track CPU time
    (db.track_query_cpu_time off, as on Aura) or refuses to say."""
    return answered_within(driver, SHARE_TIMEOUT_S + SERVER_LATE_S, lambda: share_now(driver, database, tag), 0.0)


def share_now(driver: neo4j.Driver, database: str, tag: str) -> float | None:
    try:
        with driver.session(database=database) as session:  # one try: execute_query would retry for 30 s
            records = list(session.run(neo4j.Query(cypher.TRANSACTION_TIMES, timeout=SHARE_TIMEOUT_S), tag=tag))
    except ClientError as exc:
        return 0.0 if is_time_error(exc) else None
    except (Neo4jError, neo4j.exceptions.DriverError):  # transient: too busy to answer a glance at its own work
        return 0.0
    times = records[0]
    if not times["running"]:
        return 0.0
    if times["tracked"] < times["running"] or not times["elapsed"]:
        return None
    return times["cpu"] / times["elapsed"]


def server_failure(raised: Exception) -> Neo4jError | None:
    """The server's error behind what the driver raised while a query ran: the error itself, or the one a
    ResultFailedError is made from. Reading a failed query's rows, the driver raises the server's error, or,
    when that failure reached the connection before the rows were asked for (a matter of timing), a
    ResultFailedError from it: either way the query's own failure (a shortest path from a node to itself...),
    never a lost server. None for anything else."""
    if isinstance(raised, Neo4jError):
        return raised
    if isinstance(raised, ResultFailedError) and isinstance(raised.__cause__, Neo4jError):
        return raised.__cause__
    return None


def run_in_transaction(driver: neo4j.Driver, query: str, params: dict, limits: Limits, database: str,
                       deadline: float, tag: str, prepare) -> RunResult:
    def remaining() -> float:  # the server's own timeout comes later: the watchdog (run_guarded) stops it first
        left = deadline - time.monotonic()
        if left <= 0:
            stop = refused("time", "time", seconds=limits.timeout_s)
            stop.share = 0.0  # it did not run at all here: the check's earlier runs decide (Budget.busy_stop)
            raise stop
        return left + SERVER_LATE_S

    server = server_of(driver)
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        explain(session, query, params, database, server, remaining(), tag)
        began = time.perf_counter()
        try:
            with session.begin_transaction(timeout=remaining(), metadata={"linklab_check": tag}) as tx:
                if prepare:
                    prepare(tx)
                result = tx.run(query, params)
                columns = list(result.keys())
                rows = []
                for record in result:
                    if len(rows) >= limits.max_rows:
                        raise refused("rows", "rows", max_rows=limits.max_rows)
                    rows.append(list(record.values()))
                ran = time.perf_counter() - began
                share = cpu_share(driver, database, tag) if ran > SLOW_RUN_S else None  # still open: measurable
                tx.rollback()  # a read answer has nothing to keep
        except (Neo4jError, ResultFailedError) as raised:
            exc = server_failure(raised)
            if exc is None:
                raise
            code = getattr(exc, "code", "") or ""
            if isinstance(exc, (TransientError, ClientError)):
                if is_time_error(exc):
                    raise refused("time", "time", seconds=limits.timeout_s) from None
                if "MemoryLimit" in code or "MemoryPool" in code:
                    raise refused("memory", "memory") from None
                if "AccessMode" in code or "WriteOn" in code:
                    raise refused("write_refused") from None
            raise refused("neo4j_error", detail=first_line(exc)) from None
        return RunResult(columns, rows, time.perf_counter() - began, worked=ran * share if share is not None else ran)


def terminate(driver: neo4j.Driver, database: str, tag: str) -> None:
    """Terminate the server-side transactions of one run, found by their metadata."""
    try:
        records, _, _ = driver.execute_query(cypher.CHECK_TRANSACTIONS, tag=tag, database_=database)
        ids = records[0]["ids"]
        if ids:
            driver.execute_query(cypher.TERMINATE_TRANSACTIONS, ids=ids, database_=database)
    except Neo4jError:
        pass  # it ended on its own meanwhile; the server's own transaction timeout is the backstop


def terminate_quietly(driver: neo4j.Driver, database: str, tag: str) -> None:
    """`terminate` on a background thread, after the check has answered: a server lost meanwhile has
    nothing left to stop and no one to tell (the server's own transaction timeout is the backstop).
    A caller that waits for `terminate` itself (the lab's "stop my run") still learns the server is gone."""
    try:
        terminate(driver, database, tag)
    except Exception:  # noqa: BLE001  the driver's DriverError, and its own BufferError on a connection that died
        pass           # mid-write (seen in CI): either way nothing is left to stop, and no one waits to be told
