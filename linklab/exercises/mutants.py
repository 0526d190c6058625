"""Registered mistakes ("mutants") of an exercise: plausible wrong answers, as data.

exercises/NN-ID/mutants/NAME.cypher holds one wrong query whose first line is
`// mistake: WHAT IS WRONG`, said to the trainee (it never gives the right rows). The grader checks that
every mutant fails on the scenarios a trainee is graded on, and names the mistake when an answer returns
the same rows as a mutant. Read and validated with the rest of the exercise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config import DATA_ROOT
from ..errors import LinklabError

MIN_MUTANTS = 5
HEADER = re.compile(r"//\s*mistake:\s*(\S.*)")
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Mutant:
    name: str
    diagnosis: str  # one line, addressed to the trainee
    query: str


def squeeze(query: str) -> str:
    """The query without comments and with single spaces: to spot a mutant that is the reference."""
    return " ".join(re.sub(r"//[^\n]*", "", query).split())


def read_mutants(where: Path, solution: str) -> tuple[Mutant, ...]:
    """An exercise's mutants (its folder's mutants/), validated: a header line with the diagnosis, a query, at
    least MIN_MUTANTS of them, none the same as the reference or as another."""
    shown = where.relative_to(DATA_ROOT) if where.is_relative_to(DATA_ROOT) else where
    files = sorted(where.glob("*.cypher"))
    if len(files) < MIN_MUTANTS:
        raise LinklabError(f"{shown}: give at least {MIN_MUTANTS} mutants (plausible wrong answers), "
                           f"found {len(files)}")
    mutants, seen = [], {squeeze(solution): "the reference solution"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        first, _, query = text.partition("\n")
        header = HEADER.fullmatch(first.strip())
        if not NAME.fullmatch(path.stem):
            raise LinklabError(f"{shown}/{path.name}: name a mutant with lower-case letters, digits and dashes")
        if not header:
            raise LinklabError(f"{shown}/{path.name}: the first line must be `// mistake: WHAT IS WRONG`")
        if not squeeze(query):
            raise LinklabError(f"{shown}/{path.name}: no query after the mistake line")
        if squeeze(query) in seen:
            raise LinklabError(f"{shown}/{path.name}: the same query as {seen[squeeze(query)]}")
        seen[squeeze(query)] = path.name
        mutants.append(Mutant(path.stem, header.group(1).strip(), query.strip()))
    return tuple(mutants)
