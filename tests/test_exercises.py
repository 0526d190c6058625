"""Every exercise against the real server: the reference passes on 10 seeds of the one world, asked about
every organisation it may ask about, and equals the networkx answer key; plausible wrong answers fail;
harmless variations pass; hard-coded answers fail."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from linklab.exercises.catalogue import catalogue, get
from linklab.grade.engine import ScenarioKey, answer_key, check_answer, summarise
from linklab.grade.loading import ensure_loaded
from linklab.grade.scenarios import scenarios_for
from linklab.scenario.profiles import DESIGN, ORG_KINDS

from .conftest import SUITE_COURSE

VARIANTS = tomllib.loads((Path(__file__).parent / "variants.toml").read_text())
SEEDS = range(101, 111)
EXERCISES = [e.id for e in catalogue()]


def test_a_course_of_chosen_exercises_offers_them_alone_and_refuses_a_typo(monkeypatch, tmp_path):
    """LINKLAB_EXERCISES (linklab lab --exercises): ids or numbers; the catalogue, get and the hidden worlds'
    preparation (its content digest) follow the choice; an unknown name is one clear error, and the CLI says it
    in one line with a non-zero exit."""
    from linklab.errors import LinklabError, NotFound
    from linklab.grade import worlds

    every = worlds.content_digest(DESIGN)
    monkeypatch.setenv("LINKLAB_EXERCISES", " 3, crews ,04")
    assert [e.id for e in catalogue()] == ["crews", "hub-messages", "hub-calls"]  # in catalogue order
    assert get("hub-calls").id == "hub-calls"
    with pytest.raises(NotFound, match="not one this course offers"):
        get("member-accounts")
    chosen = worlds.content_digest(DESIGN)
    assert chosen != every  # its own preparation: another course's does not fit it
    monkeypatch.setenv("LINKLAB_EXERCISES", "hub-calls,1,hub-messages")
    assert worlds.content_digest(DESIGN) == chosen  # the same exercises, named otherwise: the same preparation
    monkeypatch.setenv("LINKLAB_EXERCISES", "crews,crew")
    with pytest.raises(LinklabError, match="'crew'"):
        catalogue()
    monkeypatch.delenv("LINKLAB_EXERCISES")
    assert len(catalogue()) >= 25 and worlds.content_digest(DESIGN) == every


def test_lab_exercises_option_names_a_typo_in_one_line(tmp_path):
    import subprocess
    import sys

    from .conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "linklab", "lab", "--exercises", "1,nope", "--stop"],
                          capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin",
                                                                          "LINKLAB_HOME": str(tmp_path)})
    assert done.returncode != 0 and done.stderr.count("\n") == 1 and "'nope'" in done.stderr, done.stderr


def test_the_catalogue_covers_every_skill_and_organisation():
    exercises = catalogue()
    assert len(exercises) >= 20
    skills = {s for e in exercises for s in e.skills}
    for needed in ("hub identification", "brokerage", "betweenness", "PageRank", "shortest path",
                   "common neighbours", "triangles", "alias resolution", "geolocation", "weak signals",
                   "darknet", "money trails", "disruption", "structure"):
        assert needed in skills, needed
    for kind in ORG_KINDS:  # every kind of organisation is asked about by many exercises
        assert sum(kind in e.organisations for e in exercises) >= 10, kind
    assert {e.level for e in exercises} == {1, 2, 3, 4}
    assert all(("org" in e.parameters) <= bool(e.organisations) for e in exercises)


@pytest.fixture(scope="module")
def reference_runs(driver):
    """(exercise, seed, pick) -> CheckResult of the reference solution on tiny worlds, asked about each
    organisation the exercise may ask about (one pick per kind: the world is loaded once for all)."""
    runs = {}
    for seed in SEEDS:
        ensure_loaded(driver, ScenarioKey(DESIGN, "tiny", seed))
        for exercise in catalogue():
            for pick in range(1, 1 + max(1, len(exercise.organisations))):
                key = ScenarioKey(DESIGN, "tiny", seed, pick=pick)
                runs[(exercise.id, seed, pick)] = check_answer(driver, exercise, exercise.solution, key)
    return runs


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_reference_equals_the_answer_key_on_ten_seeds_and_every_organisation(reference_runs, exercise_id):
    exercise = get(exercise_id)
    for seed in SEEDS:
        for pick in range(1, 1 + max(1, len(exercise.organisations))):
            result = reference_runs[(exercise_id, seed, pick)]
            assert result.passed, f"seed {seed}, pick {pick}: {result.feedback}"


def hardcoded(exercise, key: ScenarioKey) -> str:
    """A query that returns the literal answer of one scenario."""
    rows = answer_key(exercise, key).expected.rows
    literal = json.dumps([list(r) for r in rows], ensure_ascii=False)
    columns = ", ".join(f"r[{i}]" for i in range(exercise.compare.columns))
    return f"UNWIND {literal} AS r RETURN {columns}"


def verdicts_for(driver, exercise, queries: list[str], keys: list | None = None) -> list:
    """The verdict of each query on the trainee's scenarios (or `keys`), loading each scenario once."""
    keys = keys or scenarios_for(exercise, SUITE_COURSE, "trainee-1")
    checks = {i: [] for i in range(len(queries))}
    for key in keys:
        ensure_loaded(driver, key)
        for i, query in enumerate(queries):
            checks[i].append(check_answer(driver, exercise, query, key))
    return [summarise(exercise, checks[i], keys, queries[i]) for i in range(len(queries))]


def check_variants(driver, exercise, keys: list) -> None:
    """The exercise's wrong answers in variants.toml fail (a hard-coded one saying so); its harmless
    variations and the reference solution pass."""
    spec = VARIANTS[exercise.id]
    assert len(spec["wrong"]) >= 2
    wrong = [hardcoded(exercise, keys[0]) if q == "HARDCODE" else q for q in spec["wrong"]]
    verdicts = verdicts_for(driver, exercise, wrong + spec["right"] + [exercise.solution], keys)
    for query, original, verdict in zip(wrong, spec["wrong"], verdicts):
        assert not verdict.passed, f"a wrong answer passed: {query}"
        if original == "HARDCODE":
            assert "hard-code" in verdict.feedback, verdict.feedback
    for query, verdict in zip(spec["right"] + [exercise.solution], verdicts[len(wrong):]):
        assert verdict.passed, f"{verdict.feedback}: {query}"


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_wrong_answers_fail_and_variations_pass(driver, exercise_id):
    exercise = get(exercise_id)
    check_variants(driver, exercise, scenarios_for(exercise, SUITE_COURSE, "trainee-1"))


def test_answers_never_name_the_answer_in_feedback(driver):
    exercise = get("hub-messages")
    key = scenarios_for(exercise, SUITE_COURSE, "trainee-1")[0]
    hub_name = answer_key(exercise, key).expected.rows[0][0]
    verdict = verdicts_for(driver, exercise, ["MATCH (p:Person) RETURN p.name, 1 LIMIT 1"])[0]
    assert not verdict.passed and hub_name not in verdict.feedback
    assert all(hub_name not in c.feedback for c in verdict.checks)
