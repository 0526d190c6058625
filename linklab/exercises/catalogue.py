"""The exercise catalogue: one folder per exercise in exercises/, validated when read.

exercises/NN-ID/ holds everything of exercise ID (number NN in the catalogue): exercise.toml (its prompt, hints,
how rows are compared, the guarantees its prompt relies on), solution.cypher (the reference solution), answer.py
(its answer function, `answer`: the expected rows and parameters computed from the data with networkx, with
the helpers of linklab.exercises.answers) and mutants/ (plausible wrong answers, linklab.exercises.mutants); the
guarantees (linklab.exercises.guarantees) are what every world it is graded on keeps.
Every exercise on generated scenarios runs on the one investigation world; one that asks about an
organisation lists the kinds of organisation it may ask about (`organisations`) and names the one it asks
about in its `$org` parameter or chooses its parameters inside it. Exercises in exercises/case/ work on any
imported case network (`linklab import`) instead: their answer functions read the case network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
import hashlib
from pathlib import Path

from ..config import DATA_ROOT, chosen_exercises
from ..errors import LinklabError, NotFound
from .answer_files import answer_function
from .rows import CompareSpec
from ..scenario.profiles import ORG_KINDS, read_toml
from .mutants import Mutant, read_mutants

EXERCISES_DIR = DATA_ROOT / "exercises"
CASE_EXERCISES_DIR = EXERCISES_DIR / "case"
REQUIRED = {"id": str, "title": str, "level": int, "skills": list, "points": int, "prompt": str, "hints": list,
            "compare": dict}
OPTIONAL = {"parameters": list, "uses_gds": bool, "guarantees": list, "organisations": list}
MODES = ("multiset", "ordered", "topk", "scalar")
EXERCISE, SOLUTION, ANSWER, MUTANTS = "exercise.toml", "solution.cypher", "answer.py", "mutants"  # in its folder


@dataclass(frozen=True)
class Exercise:
    id: str
    number: int  # position in the catalogue (file name prefix)
    title: str
    level: int
    skills: tuple[str, ...]
    organisations: tuple[str, ...]  # the kinds of organisation it may ask about (none: about the whole world)
    points: int
    prompt: str
    hints: tuple[str, ...]
    compare: CompareSpec
    parameters: tuple[str, ...]
    uses_gds: bool
    path: Path  # its exercise.toml, in the exercise's folder
    kind: str = "scenario"  # scenario: generated scenarios; case: an imported case network
    guarantees: tuple[str, ...] = ()  # what the prompt promises of the data (exercises.guarantees)
    mutants: tuple[Mutant, ...] = ()  # registered mistakes (its folder's mutants/), see exercises.mutants

    @property
    def on_case(self) -> bool:
        return self.kind == "case"

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def solution_path(self) -> Path:
        return self.folder / SOLUTION

    @property
    def solution(self) -> str:
        return self.solution_path.read_text()

    @property
    def answer_path(self) -> Path:
        return self.folder / ANSWER

    @property
    def version(self) -> str:
        """What a finished check depends on besides the answer: the exercise file, its reference and its
        answer function."""
        digest = hashlib.sha256(self.path.read_bytes() + b"\0" + self.solution_path.read_bytes() + b"\0"
                                + self.answer_path.read_bytes())
        return digest.hexdigest()[:12]


def parse(path: Path, kind: str = "scenario") -> Exercise:
    where = f"{path.relative_to(DATA_ROOT) if path.is_relative_to(DATA_ROOT) else path}"
    required = dict(REQUIRED)
    data = read_toml(path, where)
    for key, expected in required.items():
        if key not in data:
            raise LinklabError(f"{where}: missing field '{key}'")
        if not isinstance(data[key], expected):
            raise LinklabError(f"{where}: field '{key}' must be a {expected.__name__}")
    for key, expected in OPTIONAL.items():
        if key in data and not isinstance(data[key], expected):
            raise LinklabError(f"{where}: field '{key}' must be a {expected.__name__}")
    unknown = set(data) - set(required) - set(OPTIONAL)
    if unknown:
        raise LinklabError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    stem_number, _, stem_id = path.parent.name.partition("-")
    if not stem_number.isdigit() or stem_id != data["id"]:
        raise LinklabError(f"{where}: the exercise's folder must be named NN-{data['id']}")
    kinds = data.get("organisations", [])
    bad_kinds = sorted(set(map(str, kinds)) - set(ORG_KINDS))
    if bad_kinds or kinds and len(set(kinds)) != len(kinds):
        raise LinklabError(f"{where}: organisations are kinds, each once: {', '.join(ORG_KINDS)}"
                           + (f" (not {', '.join(bad_kinds)})" if bad_kinds else ""))
    if kind == "case" and kinds:
        raise LinklabError(f"{where}: an exercise on a case network asks about no organisation of the world")
    if "org" in data.get("parameters", []) and not kinds:
        raise LinklabError(f"{where}: $org names an organisation: list the kinds it may be (organisations = [...])")
    if not 1 <= data["level"] <= 4:
        raise LinklabError(f"{where}: level must be 1 (first steps) to 4 (advanced)")
    if not data["hints"] or not all(isinstance(h, str) and h.strip() for h in data["hints"]):
        raise LinklabError(f"{where}: give at least one hint, each a non-empty string")
    spec = data["compare"]
    if spec.get("mode") not in MODES:
        raise LinklabError(f"{where}: compare.mode must be one of {', '.join(MODES)}")
    unknown = set(spec) - {"mode", "columns", "fixed_columns", "tolerance", "ranked"}
    if unknown:
        raise LinklabError(f"{where}: unknown field(s) in [compare]: {', '.join(sorted(unknown))}")
    if not isinstance(spec.get("columns"), int) or spec["columns"] < 1:
        raise LinklabError(f"{where}: compare.columns must be a whole number, 1 or more")
    from . import guarantees

    promised = data.get("guarantees", [])
    if not all(isinstance(name, str) for name in promised):
        raise LinklabError(f"{where}: guarantees must be names (strings)")
    if kind == "case" and promised:
        raise LinklabError(f"{where}: an exercise on a case network promises nothing of the data (no guarantees)")
    if guarantees.unknown(promised):
        raise LinklabError(f"{where}: unknown guarantee(s) {', '.join(guarantees.unknown(promised))}; "
                           f"known: {', '.join(sorted(guarantees.REGISTRY))}")
    exercise = Exercise(
        id=data["id"], number=int(stem_number), title=data["title"], level=data["level"],
        skills=tuple(data["skills"]), organisations=tuple(kinds), points=data["points"],
        prompt=data["prompt"].strip(), hints=tuple(data["hints"]),
        compare=CompareSpec(mode=spec["mode"], columns=spec["columns"],
                            fixed_columns=bool(spec.get("fixed_columns", False)),
                            tolerance=float(spec.get("tolerance", 1e-6)), ranked=bool(spec.get("ranked", False))),
        parameters=tuple(data.get("parameters", ())), uses_gds=bool(data.get("uses_gds", False)), path=path, kind=kind,
        guarantees=tuple(dict.fromkeys(promised)))
    if not exercise.solution_path.exists():
        raise LinklabError(f"{where}: the reference solution {SOLUTION} is missing beside it")
    answer_function(exercise)  # there, loadable, defining `answer`
    for name in exercise.parameters:
        if f"${name}" not in exercise.prompt:
            raise LinklabError(f"{where}: parameter ${name} is not mentioned in the prompt")
    return replace(exercise, mutants=read_mutants(exercise.folder / MUTANTS, exercise.solution))


def catalogue(folder: Path = EXERCISES_DIR, kind: str = "scenario") -> tuple[Exercise, ...]:
    """The exercises on generated scenarios that the course offers (all of them, unless the instructor chose
    some: config.chosen_exercises), or, with kind="case", those in exercises/case/."""
    exercises = every_exercise(folder, kind)
    return offered(exercises) if folder == EXERCISES_DIR else exercises


@cache
def every_exercise(folder: Path = EXERCISES_DIR, kind: str = "scenario") -> tuple[Exercise, ...]:
    """Every exercise in `folder`, read and validated once per process."""
    exercises = tuple(sorted((parse(p, kind) for p in exercise_files(folder)), key=lambda e: e.number))
    ids = [e.id for e in exercises]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise LinklabError(f"{folder}: exercise id(s) used twice: {', '.join(sorted(duplicates))}")
    return exercises


def exercise_files(folder: Path) -> list[Path]:
    """The exercise.toml of each exercise's folder (NN-ID/) in `folder`. A folder named like an exercise with no
    exercise.toml, or an exercise file left beside the folders, is an error: it would be left out silently."""
    files = []
    for entry in sorted(folder.iterdir()):
        shown = entry.relative_to(DATA_ROOT) if entry.is_relative_to(DATA_ROOT) else entry
        if entry.is_file() and entry.suffix == ".toml":
            raise LinklabError(f"{shown}: an exercise is a folder NN-ID/ holding {EXERCISE}, {SOLUTION}, {ANSWER} "
                               f"and {MUTANTS}/ (see docs/contributing.md)")
        if entry.is_dir() and entry.name[:1].isdigit():
            if not (entry / EXERCISE).is_file():
                raise LinklabError(f"{shown}: no {EXERCISE} in this exercise's folder")
            files.append(entry / EXERCISE)
    return files


def offered(exercises: tuple[Exercise, ...]) -> tuple[Exercise, ...]:
    """Those of `exercises` the course offers, in catalogue order. A chosen id or number that is no exercise
    is an error (a typo would otherwise leave it out silently)."""
    chosen = chosen_exercises()
    if not chosen:
        return exercises
    picked = {c: next((e for e in exercises if is_named(e, c)), None) for c in chosen}
    unknown = [c for c, e in picked.items() if e is None]
    if unknown:
        raise LinklabError(f"LINKLAB_EXERCISES names no exercise {', '.join(map(repr, unknown))}: "
                           "`linklab exercises` lists them (ids or numbers, comma-separated)")
    wanted = {e.id for e in picked.values()}
    return tuple(e for e in exercises if e.id in wanted)


def case_catalogue() -> tuple[Exercise, ...]:
    """The exercises on an imported case network."""
    exercises = catalogue(CASE_EXERCISES_DIR, "case")
    clash = {e.id for e in exercises} & {e.id for e in catalogue()}
    if clash:
        raise LinklabError(f"exercise id(s) in both exercises/ and exercises/case/: {', '.join(sorted(clash))}")
    return exercises


def get(exercise_id: str) -> Exercise:
    """By id, or by number for the exercises on generated scenarios: one the course offers."""
    exercise = any_exercise(exercise_id)
    if exercise.kind == "scenario" and exercise not in catalogue():
        raise NotFound(f"exercise {exercise_id!r} is not one this course offers: `linklab exercises` lists them")
    return exercise


def is_named(exercise: Exercise, name: str) -> bool:
    """Whether `name` names a scenario exercise: its id, or its number ("4" or "04")."""
    return name == exercise.id or name.lstrip("0") == str(exercise.number)


def any_exercise(exercise_id: str) -> Exercise:
    """By id or number, whether the course offers it or not: what a world must keep for every exercise (the
    varied worlds: one seed, the same world, whatever a course offers)."""
    for exercise in every_exercise():
        if is_named(exercise, exercise_id):
            return exercise
    for exercise in case_catalogue():
        if exercise.id == exercise_id:
            return exercise
    raise NotFound(f"unknown exercise {exercise_id!r}: `linklab exercises` lists them")
