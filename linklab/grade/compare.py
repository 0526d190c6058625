"""Comparing a result with the expected answer, and saying what is wrong without giving it away.

Values are normalised first: a node becomes its stable key (Person -> name, Account -> handle, ...),
never an internal id; a path becomes the list of its nodes' keys; floats are compared with a tolerance.
Column names are ignored, and so is column order unless the exercise fixes it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import permutations
from typing import Any

import neo4j.graph

STABLE_KEY = {"Person": "name", "Account": "handle", "Organization": "name", "Location": "name",
              "Phone": "number", "Email": "address", "Wallet": "address", "Market": "name", "Term": "term",
              "Post": "id"}


@dataclass(frozen=True)
class CompareSpec:
    mode: str = "multiset"  # multiset | ordered | topk | scalar
    columns: int = 1  # how many columns the answer has
    fixed_columns: bool = False  # column order matters (the prompt fixes it)
    tolerance: float = 1e-6  # absolute, for floats
    score_column: int | None = None  # topk: which expected column is the score


@dataclass
class Verdict:
    passed: bool
    feedback: str
    closeness: int = 0  # to pick the most helpful feedback among column orders


def normalise(value: Any) -> Any:
    if isinstance(value, neo4j.graph.Node):
        for label in value.labels:
            if label in STABLE_KEY:
                return value.get(STABLE_KEY[label])
        return value.get("id")
    if isinstance(value, neo4j.graph.Path):
        return tuple(normalise(n) for n in value.nodes)
    if isinstance(value, neo4j.graph.Relationship):
        return (normalise(value.start_node), value.type, normalise(value.end_node))
    if isinstance(value, (list, tuple)):
        return tuple(normalise(v) for v in value)
    return value


def same(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, abs_tol=tolerance, rel_tol=0)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y, tolerance) for x, y in zip(a, b))
    return a == b


def rounded(row: tuple, tolerance: float) -> tuple:
    """A hashable form in which floats within `tolerance` usually coincide (exact check follows)."""
    digits = max(0, -int(math.floor(math.log10(tolerance)))) if tolerance > 0 else 12
    return tuple(round(v, digits) if isinstance(v, float) and not isinstance(v, bool) else
                 float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in row)


@dataclass
class Expected:
    """The answer key for one scenario. For top-k, `rows` is one right answer and `tied` every row that
    shares the score of its last row (those in `rows` too): any of them may fill those places."""

    rows: list[tuple]
    tied: list[tuple] = field(default_factory=list)


def compare(expected: Expected, got_rows: list[list], spec: CompareSpec) -> Verdict:
    got = [tuple(normalise(v) for v in row) for row in got_rows]
    width = len(got[0]) if got else spec.columns
    if got and width != spec.columns:
        return Verdict(False, f"expected {spec.columns} column(s), got {width}")
    if spec.mode == "scalar":
        return compare_scalar(expected.rows, got, spec)
    orders = [tuple(range(spec.columns))] if spec.fixed_columns else list(permutations(range(spec.columns)))
    best: Verdict | None = None
    for order in orders:
        arranged = [tuple(row[i] for i in order) for row in got]
        verdict = (compare_topk if spec.mode == "topk" else compare_rows)(expected, arranged, spec)
        if verdict.passed:
            return verdict
        if best is None or verdict.closeness > best.closeness:
            best = verdict
    return best


def compare_rows(expected: Expected, got: list[tuple], spec: CompareSpec) -> Verdict:
    want = Counter(rounded(r, spec.tolerance) for r in expected.rows)
    have = Counter(rounded(r, spec.tolerance) for r in got)
    missing, extra = sum((want - have).values()), sum((have - want).values())
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"{missing} expected row(s) missing")
        if extra:
            parts.append(f"{extra} row(s) that should not be there")
        duplicates = sum(c - 1 for c in have.values() if c > 1)
        hint = " (some rows repeat: DISTINCT?)" if duplicates and extra else ""
        return Verdict(False, f"{len(got)} row(s) returned: " + ", ".join(parts) + hint, -(missing + extra))
    if spec.mode == "ordered":
        if [rounded(r, spec.tolerance) for r in got] != [rounded(r, spec.tolerance) for r in expected.rows]:
            return Verdict(False, "the right rows in the wrong order: check ORDER BY", 0)
    return Verdict(True, f"correct: {len(got)} row(s)")


def compare_topk(expected: Expected, got: list[tuple], spec: CompareSpec) -> Verdict:
    k = len(expected.rows)
    if len(got) != k:
        return Verdict(False, f"expected the top {k} row(s), got {len(got)} (ORDER BY ... LIMIT?)", -abs(len(got) - k))
    allowed = {rounded(r, spec.tolerance) for r in expected.rows + expected.tied}
    have = [rounded(r, spec.tolerance) for r in got]
    if len(set(have)) != len(have):
        return Verdict(False, "some rows repeat: DISTINCT?", -1)
    wrong = sum(1 for r in have if r not in allowed)
    if wrong:
        return Verdict(False, f"{wrong} of {k} row(s) are not in the top {k}", -wrong)
    tied = {rounded(r, spec.tolerance) for r in expected.tied}
    must = [r for r in (rounded(r, spec.tolerance) for r in expected.rows) if r not in tied]
    if any(r not in have for r in must):
        return Verdict(False, f"a row of the top {k} is missing", -1)
    return Verdict(True, f"correct: top {k}")


def compare_scalar(expected: list[tuple], got: list[tuple], spec: CompareSpec) -> Verdict:
    if len(got) != 1:
        return Verdict(False, f"expected a single row with one value, got {len(got)} row(s)")
    value = got[0][0] if spec.columns == 1 else got[0]
    want = expected[0][0] if spec.columns == 1 else expected[0]
    if same(normalise(value), want, spec.tolerance):
        return Verdict(True, "correct")
    return Verdict(False, f"your value {value!r} is not the expected one")

