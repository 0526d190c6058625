"""Running a trainee's Cypher safely, in layers:

1. text: one statement, no LOAD CSV, no denied procedure or function families (apoc.cypher.* and the like);
2. EXPLAIN: Neo4j's own query type must be read-only ("r"), and every procedure in the plan must be on
   the allowlist; no LOAD CSV or CALL { } IN TRANSACTIONS operator;
3. a READ transaction (a write fails on the server with Neo.ClientError.Statement.AccessMode);
4. a row cap, and a time limit that holds end to end: the server's transaction timeout, and a watchdog
   that stops waiting at the deadline (plus a grace of GRACE_S) and terminates the transaction by its
   metadata, since Neo4j parses and plans outside the transaction timeout.

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
from neo4j.exceptions import ClientError, CypherSyntaxError, Neo4jError, TransientError

from .. import cypher
from ..db import first_line
from ..feedback import refusal, syntax_error

# Procedures an answer may call (regular expressions on the full name).
PROCEDURE_ALLOWLIST = [
    r"gds\.graph\.project(\.cypher)?", r"gds\.graph\.(drop|exists)", r"gds\.version",
    r"gds\.[A-Za-z0-9_.]+\.(stream|stats|estimate)", r"gds\.[A-Za-z0-9_.]+\.stream\.estimate",
    r"db\.(labels|relationshipTypes|propertyKeys|schema\.visualization|schema\.nodeTypeProperties|"
    r"schema\.relTypeProperties)",
    r"apoc\.(path|coll|text|map|meta|convert|number|date|label|nodes?|neighbors|agg)\.[A-Za-z0-9_.]+",
]
# Families refused wherever they appear in the text (functions do not show up as plan operators).
DENIED_NAMES = re.compile(
    r"\b(dbms\.|db\.create|apoc\.(cypher|load|export|import|periodic|trigger|schema|refactor|create|merge|"
    r"atomic|lock|log|systemdb|util\.sleep|custom)\.?)", re.IGNORECASE)
FORBIDDEN_OPERATORS = {"LoadCSV", "TransactionApply", "TransactionForeach"}
# A graph an answer names must be $graph: another check's graph is never the answer's to drop or reuse.
GDS_NAMING = re.compile(r"\bgds\.graph\.(project(\.cypher)?|drop)\s*\(\s*(?!\$graph\b)", re.IGNORECASE)
GDS_LISTING = re.compile(r"\bgds\.graph\.list\b", re.IGNORECASE)  # would show other checks' graphs
EXPLAINED: set[tuple[str, str, str]] = set()  # (server, database, query) that passed EXPLAIN
MAX_QUERY_CHARS = 20_000  # the longest reference solution is under 1,000 characters
GRACE_S = 0.5  # how long past its deadline a check may take to come back (the promise is one second)


class Refused(Exception):
    """The guard refused to run the query; the message says why (never a crash). `limit` names the limit
    that stopped it (time, rows, size, memory), or is empty when the query itself was refused."""

    def __init__(self, message: str, limit: str = ""):
        super().__init__(message)
        self.limit = limit


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


def strip_strings_and_comments(query: str, keep_strings: bool = False) -> str:
    """The query with string literals, quoted names and comments blanked out (for text checks); with
    keep_strings, only the comments."""
    out, i, n = [], 0, len(query)
    while i < n:
        ch = query[i]
        if query.startswith("//", i):
            j = query.find("\n", i)
            i = n if j < 0 else j
        elif query.startswith("/*", i):
            j = query.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif ch in "'\"`":
            j = i + 1
            while j < n and query[j] != ch:
                j += 2 if query[j] == "\\" else 1
            out.append(query[i:j + 1] if keep_strings else ch + " " + ch)
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def check_text(query: str, limits: Limits | None = None) -> str:
    """The query without a trailing semicolon, or Refused."""
    limits = limits or Limits()
    if len(query) > limits.max_chars:
        raise Refused(refusal("size", length=len(query), limit=limits.max_chars), limit="size")
    code = strip_strings_and_comments(query).strip()
    if not code:
        raise Refused(refusal("empty"))
    if ";" in code.rstrip(";").rstrip():
        raise Refused(refusal("statements"))
    if re.search(r"\bLOAD\s+CSV\b", code, re.IGNORECASE):
        raise Refused(refusal("load_csv"))
    if re.match(r"\s*(EXPLAIN|PROFILE)\b", code, re.IGNORECASE):
        raise Refused(refusal("explain"))
    if re.search(r"\bIN\s+(\d+\s+)?(CONCURRENT\s+)?TRANSACTIONS\b", code, re.IGNORECASE):
        raise Refused(refusal("transactions"))
    denied = DENIED_NAMES.search(code)
    if denied:
        raise Refused(refusal("denied", name=denied.group(1).rstrip(".")))
    if GDS_NAMING.search(code):
        raise Refused(refusal("gds_name"))
    if GDS_LISTING.search(code):
        raise Refused(refusal("gds_list"))
    return query.strip().rstrip(";").strip()


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
    try:
        with session.begin_transaction(timeout=timeout_s, metadata={"linklab_check": tag}) as tx:
            summary = tx.run("EXPLAIN " + query, params).consume()
    except CypherSyntaxError as exc:
        raise Refused(syntax_error(getattr(exc, "message", None) or str(exc))) from None
    except ClientError as exc:
        if is_time_error(exc):
            raise
        raise Refused(refusal("not_accepted", detail=first_line(exc))) from None
    if summary.query_type != "r":
        kind = {"w": "writes", "rw": "reads and writes", "s": "changes the schema"}.get(summary.query_type,
                                                                                         summary.query_type)
        raise Refused(refusal("writes", kind=kind))
    operators, procedures = plan_procedures(summary.plan)
    if operators & FORBIDDEN_OPERATORS:
        raise Refused(refusal("operator", names=", ".join(sorted(operators & FORBIDDEN_OPERATORS))))
    for name in procedures:
        if not any(re.fullmatch(pattern, name) for pattern in PROCEDURE_ALLOWLIST):
            raise Refused(refusal("procedure", name=name))
    if len(EXPLAINED) > 10_000:
        EXPLAINED.clear()
    EXPLAINED.add((server, database, query))


def is_time_error(exc: Exception) -> bool:
    code = getattr(exc, "code", "") or ""
    return any(word in code for word in ("Timeout", "TimedOut", "Terminated", "LockClientStopped"))


def run_guarded(driver: neo4j.Driver, query: str, params: dict | None = None, limits: Limits | None = None,
                database: str = "neo4j", deadline: float | None = None,
                prepare: Callable[[neo4j.Transaction], None] | None = None) -> RunResult:
    """Run an untrusted query through every layer. Raises Refused with a clear reason.

    `deadline` (time.monotonic) bounds the whole run, EXPLAIN included; by default the time limit from
    now. `prepare` runs first in the answer's own transaction (the engine takes the scenario's shared
    lock there and checks what is loaded); what it raises comes out of run_guarded unchanged."""
    limits = limits or Limits()
    query = check_text(query, limits)
    if deadline is None:
        deadline = time.monotonic() + limits.timeout_s
    tag = uuid.uuid4().hex
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = run_in_transaction(driver, query, params or {}, limits, database, deadline,
                                                   tag, prepare)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name=f"check-{tag[:8]}", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()) + GRACE_S)
    if worker.is_alive():  # parsing, planning or a slow server: stop waiting now, and stop it there too
        # in the background: the two statements that terminate it are not the answer's time
        threading.Thread(target=terminate, args=(driver, database, tag), daemon=True).start()
        raise Refused(limits.time_message(), limit="time")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, Neo4jError) and is_time_error(error):
            raise Refused(limits.time_message(), limit="time") from None
        raise error
    return outcome["result"]


def run_in_transaction(driver: neo4j.Driver, query: str, params: dict, limits: Limits, database: str,
                       deadline: float, tag: str, prepare) -> RunResult:
    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Refused(limits.time_message(), limit="time")
        return left

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
                        raise Refused(refusal("rows", max_rows=limits.max_rows), limit="rows")
                    rows.append(list(record.values()))
                tx.rollback()  # a read answer has nothing to keep
        except (TransientError, ClientError) as exc:
            code = getattr(exc, "code", "") or ""
            if is_time_error(exc):
                raise Refused(limits.time_message(), limit="time") from None
            if "MemoryLimit" in code or "MemoryPool" in code:
                raise Refused(refusal("memory"), limit="memory") from None
            if "AccessMode" in code or "WriteOn" in code:
                raise Refused(refusal("write_refused")) from None
            raise Refused(refusal("neo4j_error", detail=first_line(exc))) from None
        except Neo4jError as exc:
            raise Refused(refusal("neo4j_error", detail=first_line(exc))) from None
        return RunResult(columns, rows, time.perf_counter() - began)


def terminate(driver: neo4j.Driver, database: str, tag: str) -> None:
    """Terminate the server-side transactions of one run, found by their metadata."""
    try:
        records, _, _ = driver.execute_query(cypher.CHECK_TRANSACTIONS, tag=tag, database_=database)
        ids = records[0]["ids"]
        if ids:
            driver.execute_query(cypher.TERMINATE_TRANSACTIONS, ids=ids, database_=database)
    except Neo4jError:
        pass  # it ended on its own meanwhile; the server's own transaction timeout is the backstop
