"""Which worlds an answer is checked on: the trainee's own world (or, in a class, the course's), then the
course's hidden worlds of the same design (grade.worlds chooses them), or a case network and its hidden
variants. Every exercise on generated scenarios runs on the one investigation world: a trainee's exercises
never need another database."""

from __future__ import annotations

from ..cases.network import stored as stored_case
from ..exercises.catalogue import Exercise
from ..keys import CaseKey, ScenarioKey, derive_seed
from ..scenario.profiles import DESIGN
from .worlds import hidden_keys

SIZE = "class"  # a trainee's own scenario


def trainee_seed(course: str, trainee: str) -> int:
    return derive_seed(course, trainee)


def profile_for(exercise: Exercise, seed: int) -> str:
    """The design every exercise's world is made from (one world holds everything the exercises need)."""
    return DESIGN


def class_profiles() -> tuple[str, ...]:
    """The designs a class session explores: one world, so one exploration server."""
    return (DESIGN,)


def class_profile_for(exercise: Exercise) -> str:
    return DESIGN


def class_key(exercise: Exercise, course: str, size: str = SIZE, trainee: str = "") -> ScenarioKey:
    """In a class session every trainee explores the course's world; an exercise about one organisation asks
    each trainee about the organisation their own seed picks, so classmates get different ones; hidden worlds
    still tell a right answer from a copied literal one."""
    pick = trainee_seed(course, trainee) if trainee and exercise.organisations else 0  # (about the world: all alike)
    return ScenarioKey(DESIGN, size, class_scenario(DESIGN, course, size).seed, pick=pick)


def class_scenario(profile: str, course: str, size: str = SIZE) -> ScenarioKey:
    return ScenarioKey(profile, size, derive_seed(course, "class", profile))


def case_keys(course: str, case: str | None = None) -> list[CaseKey]:
    """The case as imported (the same for the whole class), then hidden variants shared by the class."""
    network = stored_case(case)
    return [CaseKey(network.name, 0, network.digest)] + hidden_keys(course, f"case/{network.name}", network.digest)


def scenarios_for(exercise: Exercise, course: str, trainee: str, size: str = SIZE,
                  case: str | None = None, shared: bool = False) -> list[ScenarioKey | CaseKey]:
    """The trainee's own world first (its seed also picks the organisations the exercises ask about), then
    the course's hidden worlds, shared by the class (small: what they catch is a query that only works on one
    set of people). `shared` (a class session): the course's world instead of the trainee's own. For an
    exercise on a case network: that case (`case`, or the last one imported) and its hidden variants."""
    if exercise.on_case:
        return case_keys(course, case)
    if shared:
        own = class_key(exercise, course, size, trainee)
    else:
        own = ScenarioKey(DESIGN, size, trainee_seed(course, trainee))
    return [own] + hidden_keys(course, own.profile)  # from the course secret, chosen against the mutants


def worlds_for(exercises, course: str, trainees: list[str], case: str | None = None,
               shared: bool = False) -> set[tuple[str, str]]:
    """(world, extra) pairs that these trainees' checks use: the design, or the case and its digest."""
    worlds = set()
    for exercise in exercises:
        if exercise.on_case:
            network = stored_case(case)
            worlds.add((f"case/{network.name}", network.digest))
        else:
            worlds.add((DESIGN, ""))
    return worlds
