"""Answers written blind, from the prompts alone, checked by the real grader (issue 18).

tests/blind/EXERCISE-ID.toml holds, for every exercise, answers that nobody on the grader's side wrote:
`right` (valid answers in different styles: each must pass), `wrong` (the mistakes trainees make reading
that prompt, each with the mistake in words: each must fail) and `exploits` (answers that lean on a habit of
the generated data that the prompt does not promise, each with that habit: each must fail). They are a
second, independent list of mistakes, applied by hand, beside the grader's own mutants.

Each answer goes through the grader's public path, check_and_judge, for one trainee per profile the
exercise runs on (their own class-size world, then the course's hidden worlds), or on an imported case (Zachary's
karate club) and its hidden variants. A wrong answer or an exploit counts as caught only if it fails for
every one of those trainees.

Where the grader is wrong, the answer stays and says so: `known_pass = "why"` on a wrong answer or exploit
that passes, `known_fail = "why"` on a right answer that fails. Those are expected failures
(xfail, strict): the day the grader is fixed, the test says so and the mark comes off.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import networkx as nx
import pytest

from linklab import server as srv
from linklab.cases.network import save
from linklab.cases.read import read_case
from linklab.config import Connection, local_password
from linklab.db import connect
from linklab.exercises.catalogue import Exercise, case_catalogue, catalogue, get
from linklab.grade import worlds
from linklab.grade.engine import check_and_judge, profile_for, scenarios_for, trainee_seed
from linklab.grade.scenarios import worlds_for
from linklab.grade.status import Status
from linklab.keys import ScenarioKey

from .conftest import MUTANT_COURSE, mutant_course_settings, shifted_port
from .test_import import karate

BLIND = Path(__file__).resolve().parent / "blind"
# The course of tests/test_mutants.py (conftest.mutant_course_settings): preparing a course takes minutes per
# profile, and both files grade on the course as it was prepared once.
COURSE = MUTANT_COURSE
CASE = "karate"
MIN_RIGHT, MIN_WRONG = 3, 5
# Trainees' own worlds (class size) stay loaded on a server of their own while the hidden worlds take turns on
# the test server, as in a class (exploration servers and grading servers): half the time of one server.
OWN_SERVER = dict(name="blind-own", bolt_port=shifted_port(7790), http_port=shifted_port(7791), heap="1g",
                  pagecache="512m")


@dataclass(frozen=True)
class Answer:
    exercise: str
    kind: str  # right, wrong or exploit
    number: int
    query: str
    what: str  # the mistake or the habit leaned on ("" for a right answer)
    known: str  # known_pass / known_fail: why the grader gets it wrong ("" when it does not)

    @property
    def ident(self) -> str:
        return f"{self.exercise}/{self.kind}-{self.number}"


def read_answers(exercise: str) -> list[Answer]:
    data = tomllib.loads((BLIND / f"{exercise}.toml").read_text())
    answers = [Answer(exercise, "right", n, item if isinstance(item, str) else item["query"], "",
                      "" if isinstance(item, str) else item.get("known_fail", ""))
               for n, item in enumerate(data.get("right", []))]
    for kind, key, field in (("wrong", "wrong", "mistake"), ("exploit", "exploits", "regularity")):
        answers += [Answer(exercise, kind, n, item["query"], item.get(field, ""), item.get("known_pass", ""))
                    for n, item in enumerate(data.get(key, []))]
    return answers


EXERCISES = [e.id for e in catalogue()] + [e.id for e in case_catalogue()]
ANSWERS = {e: read_answers(e) for e in EXERCISES if (BLIND / f"{e}.toml").exists()}


# ---------------------------------------------------------------- the blind set itself (no database)


def test_every_exercise_has_its_blind_answers():
    assert sorted(p.stem for p in BLIND.glob("*.toml")) == sorted(EXERCISES)
    for exercise, answers in ANSWERS.items():
        kinds = [a.kind for a in answers]
        assert kinds.count("right") >= MIN_RIGHT and kinds.count("wrong") >= MIN_WRONG, exercise
        assert kinds.count("exploit") >= 1, exercise
        assert all(a.what for a in answers if a.kind != "right"), exercise
        texts = [" ".join(a.query.split()) for a in answers]
        assert len(set(texts)) == len(texts), f"{exercise}: the same answer twice"
        assert all(a.query.strip() != get(exercise).solution.strip() for a in answers)


# ---------------------------------------------------------------- the grader on them (real servers)


def trainee_for(exercise: Exercise, profile: str) -> str:
    """The first trainee of the course whose own world of this exercise is of this profile."""
    return next(t for t in (f"trainee-{n}" for n in count(1)) if profile_for(exercise, trainee_seed(COURSE, t)) == profile)


def trainees_of(exercise: Exercise) -> list[str]:
    return ["trainee-1"] if exercise.on_case else [trainee_for(exercise, p) for p in exercise.profiles]


@pytest.fixture(scope="module")
def own_driver():
    inst = srv.instance(**OWN_SERVER)
    started = srv.start(inst)
    with connect(Connection(inst.uri, "neo4j", local_password())) as driver:
        yield driver
    if not started.already_running:
        srv.stop(inst)


@pytest.fixture(scope="module")
def course(driver, tmp_path_factory):
    """The course of tests/test_mutants.py (conftest.mutant_course_settings), prepared once for every profile
    and for the karate case."""
    saved = os.environ.get("LINKLAB_CASES")
    os.environ["LINKLAB_CASES"] = str(tmp_path_factory.mktemp("cases"))
    graph_file = tmp_path_factory.mktemp("karate") / "karate.graphml"
    nx.write_graphml(karate(), graph_file)
    case, _ = read_case(graph_file, CASE, "KNOWS", None)
    save(case)
    with mutant_course_settings() as course:
        needed = set()
        for exercise in catalogue() + case_catalogue():
            needed |= worlds_for([exercise], course, trainees_of(exercise), case=CASE if exercise.on_case else None)
        worlds.ensure_prepared(driver, course, needed)
        yield course
    if saved is None:
        os.environ.pop("LINKLAB_CASES", None)
    else:
        os.environ["LINKLAB_CASES"] = saved


@dataclass
class Outcome:
    passed: dict[str, bool]  # trainee -> passed
    refused: list[str]  # "trainee: feedback" where the grader refused the answer
    feedback: dict[str, str]


@pytest.fixture(scope="module")
def verdicts(driver, own_driver, course):
    """Every blind answer of an exercise in one pass over its trainees, worked out when a test first asks."""
    done: dict[str, dict[Answer, Outcome]] = {}

    def drivers_for(key):
        yield (own_driver if isinstance(key, ScenarioKey) and not key.hidden else driver), True

    def of(exercise_id: str) -> dict[Answer, Outcome]:
        if exercise_id not in done:
            exercise = get(exercise_id)
            outcomes = {a: Outcome({}, [], {}) for a in ANSWERS[exercise_id]}
            for trainee in trainees_of(exercise):
                keys = scenarios_for(exercise, course, trainee, case=CASE if exercise.on_case else None)
                for answer, outcome in outcomes.items():
                    verdict = check_and_judge(exercise, answer.query, keys, drivers_for)
                    shown = f"{trainee} ({keys[0]})"
                    outcome.passed[shown] = verdict.passed
                    outcome.feedback[shown] = verdict.feedback
                    if any(c.status is Status.REFUSED for c in verdict.checks):
                        outcome.refused.append(f"{shown}: {verdict.feedback}")
            done[exercise_id] = outcomes
        return done[exercise_id]

    return of


def params():
    for exercise, answers in ANSWERS.items():
        for answer in answers:
            marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=answer.known)] if answer.known else []
            yield pytest.param(answer, id=answer.ident, marks=marks)


class BrokenAnswer(Exception):
    """A wrong answer that the grader refuses (a syntax error, a limit): never an expected failure."""


@pytest.mark.parametrize("answer", params())
def test_blind_answer(verdicts, answer):
    """A right answer passes for every trainee; a wrong answer or an exploit fails for every trainee, and
    fails for what it returns (a wrong answer the grader refuses to run would prove nothing)."""
    outcome = verdicts(answer.exercise)[answer]
    if answer.kind == "right":
        failed = {t: outcome.feedback[t] for t, ok in outcome.passed.items() if not ok}
        assert not failed, f"a right answer fails: {failed}"
        return
    if outcome.refused:
        raise BrokenAnswer(f"refused, so this proves nothing: {outcome.refused}")
    passed = [t for t, ok in outcome.passed.items() if ok]
    assert not passed, f"{answer.kind} ({answer.what}) passes for {passed}"
