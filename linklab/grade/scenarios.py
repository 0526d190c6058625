"""Which worlds an answer is checked on: the trainee's own scenario (or, in a class, the course's), then the
course's hidden worlds of the same profile (grade.worlds chooses them), or a case network and its hidden
variants."""

from __future__ import annotations

from ..cases.network import stored as stored_case
from ..exercises.catalogue import Exercise, catalogue
from ..keys import CaseKey, ScenarioKey, derive_seed
from ..scenario.profiles import profile_names
from .worlds import HIDDEN_SIZE, hidden_keys  # noqa: F401  (HIDDEN_SIZE: re-exported)

SIZE = "class"  # a trainee's own scenario


def trainee_seed(course: str, trainee: str) -> int:
    return derive_seed(course, trainee)


def profile_for(exercise: Exercise, seed: int) -> str:
    """The trainee's profiles in an order of their own (from the seed); an exercise takes the first it
    supports, so most of a trainee's exercises share one world and one scenario."""
    names = profile_names()
    order = names[seed % len(names):] + names[:seed % len(names)]
    return next(p for p in order if p in exercise.profiles)


def class_profiles() -> tuple[str, ...]:
    """The profiles a class session uses: the fewest that cover every exercise (greedy, most exercises
    first, ties in profile order), one exploration server each."""
    left, chosen = [e.profiles for e in catalogue()], []
    while left:
        best = max(profile_names(), key=lambda p: sum(p in profiles for profiles in left))
        chosen.append(best)
        left = [profiles for profiles in left if best not in profiles]
    return tuple(chosen)


def class_profile_for(exercise: Exercise) -> str:
    return next(p for p in class_profiles() if p in exercise.profiles)


def class_key(exercise: Exercise, course: str, size: str = SIZE) -> ScenarioKey:
    """In a class session every trainee explores the course's scenario of the exercise's profile; hidden
    scenarios still tell a right answer from a copied literal one."""
    return class_scenario(class_profile_for(exercise), course, size)


def class_scenario(profile: str, course: str, size: str = SIZE) -> ScenarioKey:
    return ScenarioKey(profile, size, derive_seed(course, "class", profile))


def case_keys(course: str, case: str | None = None) -> list[CaseKey]:
    """The case as imported (the same for the whole class), then hidden variants shared by the class."""
    network = stored_case(case)
    return [CaseKey(network.name, 0, network.digest)] + hidden_keys(course, f"case/{network.name}", network.digest)


def scenarios_for(exercise: Exercise, course: str, trainee: str, size: str = SIZE,
                  case: str | None = None, shared: bool = False) -> list[ScenarioKey | CaseKey]:
    """The trainee's own scenario first, then hidden ones of the same profile, shared by the class
    (small: what they catch is a query that only works on one set of people). `shared` (a class session):
    the course's scenario instead of the trainee's own. For an exercise on a case network: that case
    (`case`, or the last one imported) and its hidden variants."""
    if exercise.on_case:
        return case_keys(course, case)
    if shared:
        own = class_key(exercise, course, size)
    else:
        seed = trainee_seed(course, trainee)
        own = ScenarioKey(profile_for(exercise, seed), size, seed)
    return [own] + hidden_keys(course, own.profile)  # from the course secret, chosen against the mutants


def worlds_for(exercises, course: str, trainees: list[str], case: str | None = None,
               shared: bool = False) -> set[tuple[str, str]]:
    """(world, extra) pairs that these trainees' checks use: profiles, or the case and its digest.
    `shared`: a class session, where every trainee explores the course's scenarios."""
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
