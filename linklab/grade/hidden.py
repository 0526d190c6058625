"""Hidden scenarios: seeds from a course secret, chosen so that registered mistakes fail, kept out of reach.

- The secret is the instructor's: LINKLAB_COURSE_SECRET, or a random one written on first use to
  STATE/course-secret (git-ignored). Hidden seeds are derive_seed(secret, course, ...), so knowing the
  course id (which trainees choose) is not enough to regenerate a hidden scenario.
- For each course and profile (or case), CANDIDATES seeds are candidates; `prepare` loads each on the
  grading server, runs every mutant of the exercises that use it, and keeps EXTRA_SEEDS candidates (up
  to MOST_HIDDEN when that fails more mutants) that together fail the most mutants and give each exercise
  two different answers where candidates differ, so that a copied answer fails whoever copies it (greedy,
  candidate order on ties: deterministic). The choice is stored in STATE/hidden/ and is valid for one
  secret, course, mutant set and generator version.
- Nothing shown to trainees names a hidden seed: keys print as "hidden scenario 1, 2"; the `:Scenario`
  marker of a hidden scenario holds only an opaque token (engine.marker_token), and answers may not name
  the marker at all (grade.allow).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import neo4j

from ..config import state_dir, write_json_atomically
from ..keys import course_secret, derive_seed
from ..exercises.catalogue import Exercise, case_catalogue, catalogue
from ..scenario.generate import generator_digest

CANDIDATES = 10  # hidden seeds tried per course and profile (or case)
MOST_HIDDEN = 3  # a third hidden scenario only when two leave a mutant that a candidate fails

def candidates(course: str, world: str) -> list[int]:
    """Candidate hidden seeds for a profile name, or "case/NAME" for an imported case."""
    secret = course_secret()
    return [derive_seed(secret, course, "hidden", world, str(k)) for k in range(1, CANDIDATES + 1)]


def exercises_of(world: str) -> tuple[Exercise, ...]:
    if world.startswith("case/"):
        return case_catalogue()
    return tuple(e for e in catalogue() if world in e.profiles)


def mutant_digest(world: str, extra: str = "") -> str:
    """Changes when a mutant, a reference or the generator changes: then the choice is made again."""
    h = hashlib.sha256(f"{generator_digest()}\n{extra}\n".encode())
    for exercise in exercises_of(world):
        h.update(exercise.id.encode() + exercise.solution.encode())
        for mutant in exercise.mutants:
            h.update(mutant.name.encode() + mutant.query.encode())
    return h.hexdigest()


def choice_path(course: str, world: str):
    name = hashlib.sha256(f"{course_secret()}/{course}/{world}".encode()).hexdigest()[:24]
    return state_dir() / "hidden" / f"{name}.json"


def stored_choice(course: str, world: str, extra: str = "") -> dict | None:
    import json

    path = choice_path(course, world)
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return data if data.get("digest") == mutant_digest(world, extra) else None


def hidden_seeds(course: str, world: str, extra: str = "") -> list[int]:
    """The chosen hidden seeds, or the first candidates until `prepare` has chosen."""
    from .engine import EXTRA_SEEDS

    choice = stored_choice(course, world, extra)
    return choice["seeds"] if choice else candidates(course, world)[:EXTRA_SEEDS]


@dataclass
class Preparation:
    world: str
    seeds: list[int]
    mutants: int  # registered mutants of the exercises in this world
    killed: int  # of them, failed on at least one chosen hidden scenario
    survivors: list[str] = field(default_factory=list)  # "exercise/mutant" not failed by the hidden ones
    seconds: float = 0.0


def greedy(covers: list[set[str]], least: int, most: int) -> list[int]:
    """Indexes of `least` to `most` candidates that together cover the most items; a candidate beyond
    `least` only if it covers something new; earlier candidates win ties."""
    chosen: list[int] = []
    covered: set[str] = set()
    while len(chosen) < min(most, len(covers)):
        best = max((i for i in range(len(covers)) if i not in chosen), key=lambda i: (len(covers[i] - covered), -i))
        if len(chosen) >= least and not covers[best] - covered:
            break
        chosen.append(best)
        covered |= covers[best]
    return chosen


def answer_items(answers: list[dict[str, str]]) -> list[set[str]]:
    """For each candidate, "EXERCISE!=ANSWER" for every answer other candidates give and it does not:
    covering them all means the chosen scenarios do not all share one answer."""
    seen: dict[str, set[str]] = {}
    for found in answers:
        for exercise, digest in found.items():
            seen.setdefault(exercise, set()).add(digest)
    return [{f"{e}!={h}" for e, digest in found.items() for h in seen[e] if h != digest} for found in answers]


def prepare(driver: neo4j.Driver, course: str, world: str, keys: list, extra: str = "",
            database: str = "neo4j", shared: list = ()) -> Preparation:
    """Run the world's mutants on each candidate scenario `keys` (one per candidate seed), keep the best
    EXTRA_SEEDS and store the choice. `keys` are ScenarioKey or CaseKey objects for candidates(...);
    `shared` are scenarios every answer is also checked on (an imported case as it is): what they fail
    is not reported as a survivor."""
    from .engine import EXTRA_SEEDS, answer_key, ensure_loaded
    from .mutants import run_mutants

    began = time.perf_counter()
    seeds = candidates(course, world)
    everything = {f"{e.id}/{m.name}" for e in exercises_of(world) for m in e.mutants}
    kills, answers = [], []
    for key in keys:
        ensure_loaded(driver, key, database)
        kills.append({f"{e.id}/{r.mutant.name}" for e in exercises_of(world)
                      for r in run_mutants(driver, e, key, database) if r.killed})
        answers.append({e.id: hashlib.sha256(repr(sorted(map(repr, answer_key(e, key).expected.rows))).encode())
                        .hexdigest()[:16] for e in exercises_of(world)})
    also = set()
    for key in shared:
        ensure_loaded(driver, key, database)
        also |= {f"{e.id}/{r.mutant.name}" for e in exercises_of(world)
                 for r in run_mutants(driver, e, key, database) if r.killed}
    covers = [(k - also) | a for k, a in zip(kills, answer_items(answers))]
    chosen = greedy(covers, EXTRA_SEEDS, MOST_HIDDEN)
    killed = set().union(also, *(kills[i] for i in chosen))
    result = Preparation(world, [seeds[i] for i in chosen], len(everything), len(killed),
                         sorted(everything - killed), time.perf_counter() - began)
    path = choice_path(course, world)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(path, {"digest": mutant_digest(world, extra), "seeds": result.seeds,
                                 "killed": result.killed, "mutants": result.mutants,
                                 "survivors": result.survivors})
    return result


def worlds_for(exercises, course: str, trainees: list[str], case: str | None = None,
               shared: bool = False) -> set[tuple[str, str]]:
    """(world, extra) pairs that these trainees' checks use: profiles, or the case and its digest.
    `shared`: a class session, where every trainee explores the course's scenarios."""
    from ..cases.network import stored as stored_case
    from .engine import class_profile_for, profile_for, trainee_seed

    worlds = set()
    for exercise in exercises:
        if exercise.on_case:
            network = stored_case(case)
            worlds.add((f"case/{network.name}", network.digest))
        elif shared:
            worlds.add((class_profile_for(exercise), ""))
        else:
            worlds.update((profile_for(exercise, trainee_seed(course, t)), "") for t in trainees)
    return worlds


def ensure_prepared(driver: neo4j.Driver, course: str, worlds: set[tuple[str, str]],
                    database: str = "neo4j") -> list[Preparation]:
    """Choose the hidden scenarios of each world that has no valid choice yet (on the grading server)."""
    from .engine import HIDDEN_SIZE, CaseKey, ScenarioKey

    done = []
    for world, extra in sorted(worlds):
        if stored_choice(course, world, extra) is not None:
            continue
        if world.startswith("case/"):
            keys = [CaseKey(world[5:], seed, extra, -1) for seed in candidates(course, world)]
            done.append(prepare(driver, course, world, keys, extra, database, [CaseKey(world[5:], 0, extra)]))
        else:
            keys = [ScenarioKey(world, HIDDEN_SIZE, seed, -1) for seed in candidates(course, world)]
            done.append(prepare(driver, course, world, keys, extra, database))
    return done


def prepare_with(open_driver, course: str, worlds: set[tuple[str, str]]) -> list[Preparation]:
    """ensure_prepared on a driver opened only when some world still needs a choice."""
    missing = {w for w in worlds if stored_choice(course, *w) is None}
    if not missing:
        return []
    with open_driver() as driver:
        return ensure_prepared(driver, course, missing)


def not_separable(course: str, world: str, extra: str = "") -> list[tuple[str, str]]:
    """(exercise/mutant, diagnosis) of the mutants that neither the shared scenario nor the chosen hidden
    ones fail: mistakes this course cannot tell from the right answer (for a case: the network's shape)."""
    choice = stored_choice(course, world, extra) or {}
    diagnosis = {f"{e.id}/{m.name}": m.diagnosis for e in exercises_of(world) for m in e.mutants}
    return [(name, diagnosis.get(name, "")) for name in choice.get("survivors", [])]
