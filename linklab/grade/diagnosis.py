"""Naming a mistake only when the answer provably made it.

A failing answer is said to make a known mistake (a hand-written mutant's diagnosis, or an automatic
mutant's) only when its rows equal that mutant's rows on every world the answer was checked on: the
worlds where the course's preparation ran the mutant have its digest stored (grade.worlds); on the others
(the trainee's own world), the few mutants still in the running are run there, once, and remembered.
When several mistakes with different diagnoses fit, none is named: the data cannot tell which one it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..exercises.catalogue import Exercise
from ..keys import CaseKey, ScenarioKey
from .evaluate import Trial
from .worlds import MutantSpec, known_digests, known_mutants, remember_digests




@dataclass(frozen=True)
class Observation:
    """What an answer returned on one world: the digest of its rows (evaluate.rows_digest)."""
    key: ScenarioKey | CaseKey
    digest: str


Runner = Callable[[ScenarioKey | CaseKey, list[MutantSpec]], list[Trial]]  # runs mutants on a loaded world


def matching(exercise: Exercise, seen: list[Observation], run: Runner | None = None) -> list[MutantSpec]:
    """The mutants whose rows equal the answer's on every world in `seen`."""
    if not seen:
        return []
    specs = {s.name: s for s in known_mutants(seen[0].key, exercise.id)}
    if not specs:
        return []
    stored = {o.key: known_digests(o.key, exercise.id) for o in seen}
    alive = [name for name in specs
             if all(stored[o.key].get(name, o.digest) == o.digest for o in seen)  # equal wherever known
             and any(name in stored[o.key] for o in seen)]
    for observation in seen:
        unknown = [name for name in alive if name not in stored[observation.key]]
        if not unknown:
            continue
        if run is None:  # nothing can run them here: only what is stored counts
            alive = [name for name in alive if name in stored[observation.key]]
            continue
        trials = run(observation.key, [specs[name] for name in unknown])
        found = {name: ("!" if t.status == "refused" else t.digest) for name, t in zip(unknown, trials)}
        remember_digests(observation.key, exercise.id, found)
        alive = [name for name in alive if found.get(name, stored[observation.key].get(name)) == observation.digest]
    return [specs[name] for name in alive]


def name_mistake(exercise: Exercise, seen: list[Observation], run: Runner | None = None) -> str:
    """The one diagnosis that fits on every world ('' when none does, or several different ones do). A
    hand-written diagnosis wins over automatic ones that say the same thing in other words."""
    found = matching(exercise, seen, run)
    for pool in ([s for s in found if s.written], [s for s in found if not s.written]):
        diagnoses = sorted({s.diagnosis for s in pool})
        if len(diagnoses) == 1:
            return diagnoses[0]
        if len(diagnoses) > 1:
            return ""
    return ""
