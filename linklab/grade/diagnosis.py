"""Naming a mistake only when the answer provably made it.

A failing answer is said to make a known mistake (a hand-written mutant's diagnosis, or an automatic
mutant's) only when, on every world the answer was checked on, it did what that mistake does:

- where the answer failed, it returned exactly the mistake's rows, on the same load of that world (rows
  that a LIMIT cuts among ties depend on storage order, which is the same only within one load);
- where the answer passed, the mistake passes too (a pass does not depend on storage order).

The mistakes' rows on a load are recorded once per load and exercise (`record_load`, on the server and load
where the answer ran); their passes come from the course's preparation, or are run where unknown. When
several mistakes with different diagnoses fit, none is named: the data cannot tell which one it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import neo4j

from ..exercises.catalogue import Exercise
from ..keys import CaseKey, ScenarioKey
from .evaluate import Trial, run_batch
from .status import Status
from .worlds import MutantSpec, digests_on_world, known_mutants, outcomes_on_world, remember_trials, trials_on_load


@dataclass(frozen=True)
class Observation:
    """What an answer did on one world: passed or not, the digest of its rows, the load it ran on."""
    key: ScenarioKey | CaseKey
    passed: bool
    digest: str
    load: str


Runner = Callable[[ScenarioKey | CaseKey, list[MutantSpec]], list[Trial]]  # runs mutants on a world


def record_load(driver: neo4j.Driver, exercise: Exercise, key: ScenarioKey | CaseKey, load: str, digest: str,
                database: str = "neo4j") -> None:
    """Where an answer just failed (world `key`, `load`, rows `digest`): run, on this same load, the known
    mutants that could have returned those rows (those that did on another load of the world, or have not
    run on it yet), so that the answer's rows can be compared with theirs. Mutants already run on this load
    are not run again."""
    specs = known_mutants(key, exercise.id)
    if not specs or not load:
        return
    done = trials_on_load(key, exercise.id, load)
    elsewhere = digests_on_world(key, exercise.id)
    wanted = [s for s in specs if s.name not in done and (s.name not in elsewhere or digest in elsewhere[s.name])]
    if not wanted:
        return
    trials = run_batch(driver, exercise, [s.query for s in wanted], key, database)
    if trials and trials[0].load == load:  # else the world was loaded again meanwhile: nothing to compare with
        remember_trials(key, exercise.id, wanted, trials)  # (not those stopped by time: a later check runs them)


def matching(exercise: Exercise, seen: list[Observation], run: Runner | None = None) -> list[MutantSpec]:
    """The mutants that did what the answer did on every world in `seen`."""
    failed = [o for o in seen if not o.passed]
    if not failed:
        return []
    specs = {s.name: s for s in known_mutants(seen[0].key, exercise.id)}
    alive = set(specs)
    for observation in failed:
        stored = trials_on_load(observation.key, exercise.id, observation.load)
        alive = {name for name in alive if stored.get(name, ("", ""))[1] == observation.digest
                 and stored[name][0] != Status.REFUSED}
    for observation in [o for o in seen if o.passed]:
        if not alive:
            break
        outcomes = outcomes_on_world(observation.key, exercise.id)
        unknown = sorted(name for name in alive if name not in outcomes)
        if unknown and run is not None:
            trials = run(observation.key, [specs[name] for name in unknown])
            remember_trials(observation.key, exercise.id, [specs[name] for name in unknown], trials)
            outcomes.update({name: t.status for name, t in zip(unknown, trials)})
        alive = {name for name in alive if outcomes.get(name) == Status.PASSED}
    return [specs[name] for name in sorted(alive)]


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
