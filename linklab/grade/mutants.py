"""Running an exercise's registered mistakes (mutants) on a loaded scenario.

Two uses: the grader names the mistake when a failing answer returns the same rows as a mutant that is
wrong on that scenario (never the right rows), and hidden scenarios are chosen so that every mutant fails
(grade.hidden). A mutant "is killed" on a scenario when the grader would fail it there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import neo4j

from ..exercises.catalogue import Exercise
from ..exercises.mutants import Mutant
from .. import feedback as words
from .compare import Expected, compare, normalise
from .status import Status


@dataclass(frozen=True)
class MutantRun:
    mutant: Mutant
    killed: bool  # the grader fails it on this scenario
    rows: tuple | None  # normalised rows, None when the grader refused it (a broken mutant)
    feedback: str


_runs: dict[tuple[str, str, str, str, object], tuple[MutantRun, ...]] = {}


def run_mutants(driver: neo4j.Driver, exercise: Exercise, key, database: str = "neo4j") -> tuple[MutantRun, ...]:
    """Every mutant of `exercise` checked on `key`, which must be loaded; cached per process, server and
    load of the scenario (where a mutant's rows depend on storage order, LIMIT without ORDER BY or ties
    under a LIMIT, another server or another load of the same scenario may give other rows)."""
    from ..load import loaded
    from .engine import check_answer  # engine imports this module
    from .guard import server_of

    loaded_at = str(loaded(driver, database).props.get("loaded_at"))
    cache_key = (server_of(driver), database, loaded_at, exercise.id, key)
    if cache_key not in _runs:
        runs = []
        for mutant in exercise.mutants:
            rows: list = []
            result = check_answer(driver, exercise, mutant.query, key, None, database, diagnose=False, rows_out=rows)
            runs.append(MutantRun(mutant, not result.passed, None if result.status is Status.REFUSED else tuple(rows),
                                  result.feedback))
        if len(_runs) > 2048:
            _runs.clear()
        _runs[cache_key] = tuple(runs)
    return _runs[cache_key]


def same_rows(exercise: Exercise, a: tuple, b: list) -> bool:
    """Whether rows `b` (as returned) are the rows `a` (normalised) under the exercise's comparison."""
    if exercise.compare.mode in ("topk", "scalar") or not a:  # the same rows, not "in the same top k"
        return sorted(map(rounded, a)) == sorted(map(rounded, normalised(b)))
    return compare(Expected(rows=list(a), tied=[]), b, exercise.compare).passed


def rounded(row) -> str:
    """A row as text with floats rounded (the same value computed two ways may differ in the last digits)."""
    if isinstance(row, float):
        return repr(round(row, 6))
    if isinstance(row, tuple):
        return "(" + ",".join(map(rounded, row)) + ")"
    return repr(row)


def name_mistake(driver: neo4j.Driver, exercise: Exercise, key, rows: list, database: str = "neo4j") -> str:
    """The diagnosis of the killed mutants whose rows the failing answer repeats ('' if none); when several
    mutants give those rows on this scenario, all of them, joined by "or": the data cannot tell which."""
    found = [run.mutant.diagnosis for run in run_mutants(driver, exercise, key, database)
             if run.killed and run.rows is not None and same_rows(exercise, run.rows, rows)]
    return " — or: ".join(dict.fromkeys(found))


def normalised(rows: list) -> tuple:
    return tuple(tuple(normalise(v) for v in row) for row in rows)


@dataclass
class KillRate:
    mutants: int
    runs: int = 0  # (mutant, scenario) pairs
    killed: int = 0
    broken: set = None  # mutants the grader refused (syntax, not read-only): fix them

    @property
    def rate(self) -> float:
        return self.killed / self.runs if self.runs else 0.0


def tally(rates: dict[str, KillRate], exercise: Exercise, runs: tuple[MutantRun, ...]) -> None:
    rate = rates.setdefault(exercise.id, KillRate(len(exercise.mutants), broken=set()))
    rate.runs += len(runs)
    rate.killed += sum(r.killed for r in runs)
    rate.broken |= {r.mutant.name for r in runs if r.rows is None}


UNORDERED_LIMIT = words.UNORDERED_LIMIT
FINAL_LIMIT = re.compile(r"\bLIMIT\s+(\d+)\s*;?\s*$", re.IGNORECASE)


def unordered_limit(exercise: Exercise, query: str) -> str:
    """For a top-k or single-value exercise, LIMIT with no ORDER BY anywhere: if the LIMIT picks among rows
    (engine.limit_picks), they depend on storage order, and the answer fails whatever it returns (a
    scenario cannot be chosen to catch it every time)."""
    from .guard import strip_strings_and_comments

    if exercise.compare.mode not in ("topk", "scalar"):  # where a LIMIT picks the answer
        return ""
    code = strip_strings_and_comments(query)
    if re.search(r"\bLIMIT\b", code, re.IGNORECASE) and not re.search(r"\bORDER\s+BY\b", code, re.IGNORECASE):
        return UNORDERED_LIMIT
    return ""


def widened_limit(query: str) -> str | None:
    """The query with its final LIMIT one higher, or None when its last clause is not `LIMIT <number>`."""
    from .guard import strip_strings_and_comments

    found = FINAL_LIMIT.search(strip_strings_and_comments(query).rstrip())
    if not found:
        return None
    count = found.group(1)
    last = None
    for last in re.finditer(rf"\bLIMIT\s+{count}\b", query, re.IGNORECASE):
        pass
    if last is None:
        return None
    return query[:last.start()] + f"LIMIT {int(count) + 1}" + query[last.end():]
