"""Comparing a result with the expected answer, and saying what is wrong without giving it away.

Values are normalised first: a node becomes its stable key (Person -> name, Account -> handle, ...),
never an internal id; a path becomes the list of its nodes' keys; floats are compared with a tolerance.
Column names are ignored, and so is column order unless the exercise fixes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations
from typing import Any

import neo4j.graph

from ..exercises.rows import CompareSpec, Expected  # noqa: F401  (re-exported)
from ..feedback import render

STABLE_KEY = {"Person": "name", "Account": "handle", "Organization": "name", "Location": "name",
              "Phone": "number", "Email": "address", "Wallet": "address", "Market": "name", "Term": "term",
              "Post": "id"}


@dataclass
class Verdict:
    passed: bool
    feedback: str  # in words (linklab.feedback), never the expected values
    closeness: int = 0  # to pick the most helpful feedback among column orders
    reason: str = ""  # the reason code behind the feedback


def verdict(passed: bool, reason: str, closeness: int = 0, **details) -> Verdict:
    return Verdict(passed, render(reason, **details), closeness, reason)


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
    if isinstance(value, dict):  # maps compare by content, and must be hashable like every value
        return tuple(sorted((k, normalise(v)) for k, v in value.items()))
    return value


def same(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, abs_tol=tolerance, rel_tol=0)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y, tolerance) for x, y in zip(a, b))
    return a == b


def shape(row: tuple) -> tuple:
    """The row with its numbers blanked: rows can only match within the same shape."""
    return tuple(None if isinstance(v, (int, float)) and not isinstance(v, bool) else
                 shape(v) if isinstance(v, tuple) else v for v in row)


def unmatched(expected: list[tuple], got: list[tuple], tolerance: float) -> tuple[int, int]:
    """(expected rows without a partner, returned rows without a partner); numbers match within tolerance."""
    buckets: dict[tuple, list[tuple]] = {}
    for row in got:
        buckets.setdefault(shape(row), []).append(row)
    missing = 0
    for row in expected:
        candidates = buckets.get(shape(row), [])
        partner = next((i for i, other in enumerate(candidates) if same(row, other, tolerance)), None)
        if partner is None:
            missing += 1
        else:
            candidates.pop(partner)
    return missing, sum(len(rest) for rest in buckets.values())


def numbers_only(expected: list[tuple], got: list[tuple]) -> bool:
    """Whether the rows pair up once numbers are blanked: then only numbers are wrong."""
    return len(expected) == len(got) and sorted(map(repr, map(shape, expected))) == sorted(map(repr, map(shape, got)))


def compare(expected: Expected, got_rows: list[list], spec: CompareSpec) -> Verdict:
    got = [tuple(normalise(v) for v in row) for row in got_rows]
    width = len(got[0]) if got else spec.columns
    if got and width != spec.columns:
        return verdict(False, "columns", got=width, want=spec.columns)
    if spec.mode == "scalar":
        return compare_scalar(expected.rows, got, spec)
    orders = [tuple(range(spec.columns))] if spec.fixed_columns else list(permutations(range(spec.columns)))
    best: Verdict | None = None
    for order in orders:
        arranged = [tuple(row[i] for i in order) for row in got]
        outcome = (compare_topk if spec.mode == "topk" else compare_rows)(expected, arranged, spec)
        if outcome.passed:
            return outcome
        if best is None or outcome.closeness > best.closeness:
            best = outcome
    return best


def compare_rows(expected: Expected, got: list[tuple], spec: CompareSpec) -> Verdict:
    missing, extra = unmatched(expected.rows, got, spec.tolerance)
    closeness = -(missing + extra)
    if missing and numbers_only(expected.rows, got):
        return verdict(False, "numbers_differ", closeness + 1, wrong=missing)
    repeats = len(got) != len(set(got)) and extra > 0
    if missing and extra:
        return verdict(False, "missing_and_extra", closeness, got=len(got), missing=missing, extra=extra, repeats=repeats)
    if missing:
        return verdict(False, "missing", closeness, got=len(got), missing=missing)
    if extra:
        return verdict(False, "extra", closeness, extra=extra, repeats=repeats)
    if spec.mode == "ordered" and not all(same(a, b, spec.tolerance) for a, b in zip(expected.rows, got)):
        return verdict(False, "order")
    return verdict(True, "correct")


def compare_topk(expected: Expected, got: list[tuple], spec: CompareSpec) -> Verdict:
    k = len(expected.rows)
    if len(got) != k:
        return verdict(False, "top_count" if k > 1 else "top_one_count", -abs(len(got) - k), k=k, got=len(got))
    if len(set(got)) != len(got):
        return verdict(False, "top_repeats", -1)
    allowed = expected.rows + [r for r in expected.tied if r not in expected.rows]
    _, wrong = unmatched(allowed, got, spec.tolerance)
    if wrong and numbers_only(expected.rows, got) and not unmatched(
            [shape(r) for r in expected.rows], [shape(r) for r in got], 0)[0]:
        return verdict(False, "numbers_differ", -wrong + 1, wrong=wrong)
    if wrong:
        return verdict(False, "top_wrong" if k > 1 else "top_one_wrong", -wrong, wrong=wrong, k=k)
    must = [r for r in expected.rows if r not in expected.tied]
    missing, _ = unmatched(must, got, spec.tolerance)
    if missing:
        return verdict(False, "top_missing", -1)
    if spec.ranked and not highest_first(got, spec.tolerance):
        return verdict(False, "order")
    return verdict(True, "correct")


def highest_first(rows: list[tuple], tolerance: float) -> bool:
    """Whether the rows' scores (the last numeric column) never rise from one row to the next."""
    scores = [next((v for v in reversed(row) if isinstance(v, (int, float)) and not isinstance(v, bool)), None)
              for row in rows]
    if None in scores:
        return True  # nothing to rank by in the returned rows: the row set was judged already
    return all(a >= b - tolerance for a, b in zip(scores, scores[1:]))


def compare_scalar(expected: list[tuple], got: list[tuple], spec: CompareSpec) -> Verdict:
    if len(got) != 1:
        return verdict(False, "single", got=len(got))
    value = got[0][0] if spec.columns == 1 else got[0]
    want = expected[0][0] if spec.columns == 1 else expected[0]
    if same(normalise(value), want, spec.tolerance):
        return verdict(True, "correct")
    return verdict(False, "value", value=repr(value))

