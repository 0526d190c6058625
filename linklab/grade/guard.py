"""Running a trainee's Cypher safely, in layers:

1. text: one statement, no LOAD CSV, no denied procedure or function families (apoc.cypher.* and the like);
2. EXPLAIN: Neo4j's own query type must be read-only ("r"), and every procedure in the plan must be on
   the allowlist; no LOAD CSV or CALL { } IN TRANSACTIONS operator;
3. a READ transaction (a write fails on the server with Neo.ClientError.Statement.AccessMode);
4. a per-transaction timeout and a row cap.

GDS graphs that an answer projects must be named `$graph` (a name per check); the grader drops every
graph that appears during a check, whatever its outcome.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j.exceptions import ClientError, CypherSyntaxError, Neo4jError, TransientError

from ..db import first_line

# Procedures an answer may call (regular expressions on the full name).
PROCEDURE_ALLOWLIST = [
    r"gds\.graph\.project(\.cypher)?", r"gds\.graph\.(drop|list|exists)", r"gds\.version",
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
EXPLAINED: set[tuple[str, str]] = set()  # (query, database) that passed EXPLAIN


class Refused(Exception):
    """The guard refused to run the query; the message says why (never a crash)."""


@dataclass
class Limits:
    timeout_s: float = 10.0
    max_rows: int = 10_000


@dataclass
class RunResult:
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    seconds: float = 0.0


def strip_strings_and_comments(query: str) -> str:
    """The query with string literals, quoted names and comments blanked out (for text checks)."""
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
            out.append(ch + " " + ch)
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def check_text(query: str) -> str:
    """The query without a trailing semicolon, or Refused."""
    code = strip_strings_and_comments(query).strip()
    if not code:
        raise Refused("the answer is empty: write one Cypher query")
    if ";" in code.rstrip(";").rstrip():
        raise Refused("one statement per answer: remove the extra statements (';')")
    if re.search(r"\bLOAD\s+CSV\b", code, re.IGNORECASE):
        raise Refused("LOAD CSV is not allowed in answers")
    if re.match(r"\s*(EXPLAIN|PROFILE)\b", code, re.IGNORECASE):
        raise Refused("leave out EXPLAIN/PROFILE: the grader runs the query itself")
    if re.search(r"\bIN\s+(\d+\s+)?(CONCURRENT\s+)?TRANSACTIONS\b", code, re.IGNORECASE):
        raise Refused("CALL { } IN TRANSACTIONS is not allowed in answers")
    denied = DENIED_NAMES.search(code)
    if denied:
        raise Refused(f"{denied.group(1).rstrip('.')}.* is not allowed in answers")
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


def explain(session: neo4j.Session, query: str, params: dict, database: str) -> None:
    """Refused unless Neo4j plans it as a read-only query within the allowlist. A query that passed once
    passes again (its type and procedures do not depend on the data): one EXPLAIN per text and database."""
    if (query, database) in EXPLAINED:
        return
    try:
        summary = session.run("EXPLAIN " + query, params).consume()
    except CypherSyntaxError as exc:
        raise Refused(f"syntax error: {first_line(exc)}") from None
    except ClientError as exc:
        raise Refused(f"Neo4j refused the query: {first_line(exc)}") from None
    if summary.query_type != "r":
        kind = {"w": "writes", "rw": "reads and writes", "s": "changes the schema"}.get(summary.query_type,
                                                                                         summary.query_type)
        raise Refused(f"answers must be read-only, and this query {kind}")
    operators, procedures = plan_procedures(summary.plan)
    if operators & FORBIDDEN_OPERATORS:
        raise Refused(f"not allowed in answers: {', '.join(sorted(operators & FORBIDDEN_OPERATORS))}")
    for name in procedures:
        if not any(re.fullmatch(pattern, name) for pattern in PROCEDURE_ALLOWLIST):
            raise Refused(f"procedure {name} is not allowed in answers")
    if len(EXPLAINED) > 10_000:
        EXPLAINED.clear()
    EXPLAINED.add((query, database))


def run_guarded(driver: neo4j.Driver, query: str, params: dict | None = None, limits: Limits | None = None,
                database: str = "neo4j") -> RunResult:
    """Run an untrusted query through every layer. Raises Refused with a clear reason."""
    limits = limits or Limits()
    params = params or {}
    query = check_text(query)
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        explain(session, query, params, database)
        began = time.perf_counter()
        try:
            with session.begin_transaction(timeout=limits.timeout_s) as tx:
                result = tx.run(query, params)
                columns = list(result.keys())
                rows = []
                for record in result:
                    if len(rows) >= limits.max_rows:
                        raise Refused(f"more than {limits.max_rows:,} rows: aggregate or filter the answer")
                    rows.append(list(record.values()))
                tx.rollback()  # a read answer has nothing to keep
        except Refused:
            raise
        except (TransientError, ClientError) as exc:
            code = getattr(exc, "code", "") or ""
            if "Timeout" in code or "TimedOut" in code or "Terminated" in code:
                raise Refused(f"stopped: the query ran longer than the {limits.timeout_s:g} s limit") from None
            if "AccessMode" in code or "WriteOn" in code:
                raise Refused("answers must be read-only (the server refused a write)") from None
            raise Refused(f"Neo4j error: {first_line(exc)}") from None
        except Neo4jError as exc:
            raise Refused(f"Neo4j error: {first_line(exc)}") from None
        return RunResult(columns, rows, time.perf_counter() - began)
