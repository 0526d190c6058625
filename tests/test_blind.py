"""The blind answer set (tests/blind/EXERCISE-ID.toml): answers that nobody on the grader's side wrote, from
the prompts alone: `right` (valid answers in different styles), `wrong` (the mistakes trainees make reading
that prompt, each with the mistake in words) and `exploits` (answers that lean on a habit of the generated
data that the prompt does not promise, each with that habit). They are a second, independent list of
mistakes beside the grader's own mutants.

The grader is measured on them by `python -m bench blind` (bench/blind.py): a course prepared with a class's
own numbers of candidate worlds takes longer than the suite can spend, so the measure is a bench, printed
against the trainee's own world alone. Here: the set itself is well formed, and each answer is valid Cypher
that the guard lets run (a refused answer would prove nothing about the grader's verdict).
"""

from __future__ import annotations

import pytest

from bench.blind import BLIND, read_answers
from linklab.exercises.catalogue import case_catalogue, catalogue, get
from linklab.grade.engine import answer_key
from linklab.grade.guard import inspect
from linklab.grade.scenarios import scenarios_for

MIN_RIGHT, MIN_WRONG = 3, 5
EXERCISES = [e.id for e in catalogue()] + [e.id for e in case_catalogue()]


def test_every_exercise_has_its_blind_answers():
    assert sorted(p.stem for p in BLIND.glob("*.toml")) == sorted(EXERCISES)
    for exercise in EXERCISES:
        answers = read_answers(exercise)
        kinds = [a.kind for a in answers]
        assert kinds.count("right") >= MIN_RIGHT and kinds.count("wrong") >= MIN_WRONG, exercise
        assert kinds.count("exploit") >= 1, exercise
        assert all(a.what for a in answers if a.kind != "right"), exercise
        texts = [" ".join(a.query.split()) for a in answers]
        assert len(set(texts)) == len(texts), f"{exercise}: the same answer twice"
        assert all(a.query.strip() != get(exercise).solution.strip() for a in answers)


@pytest.mark.parametrize("exercise_id", [e for e in EXERCISES if not get(e).on_case])
def test_every_blind_answer_passes_the_guard(exercise_id):
    exercise = get(exercise_id)
    params = answer_key(exercise, scenarios_for(exercise, "blind-course", "trainee-1")[0]).params
    for answer in read_answers(exercise_id):
        inspect(answer.query, params)  # raises Refused with the reason
