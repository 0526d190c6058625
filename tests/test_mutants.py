"""Registered mistakes (queries/mutants/) and the hidden scenarios that must catch them.

The promise: a PASS means right. Every mutant of every exercise fails on the scenarios a trainee is graded
on (own or hidden), for every trainee; the feedback names the mistake; hidden seeds come from the
instructor's secret and an answer cannot see which scenario it runs on."""

from __future__ import annotations

import os
import stat
import subprocess
from itertools import count
from pathlib import Path

import networkx as nx
import pytest

from linklab.cases.network import save
from linklab.cases.read import read_case
from linklab.errors import LinklabError
from linklab.exercises.catalogue import case_catalogue, catalogue, get
from linklab.exercises.mutants import MIN_MUTANTS, read_mutants
from linklab.grade import hidden
from linklab.grade.compare import compare
from linklab.grade.engine import (CaseKey, ScenarioKey, answer_key, case_keys, check_answer, ensure_loaded,
                                  profile_for, scenarios_for, summarise, trainee_seed)
from linklab.grade.guard import Refused, run_guarded
from linklab.grade.mutants import run_mutants
from linklab.scenario.profiles import profile_names

from .conftest import ROOT
from .test_import import SAMPLE, karate

COURSE = "mutant-course"
TRAINEES_PER_PROFILE = 20


# ---------------------------------------------------------------- mutants as data (no database)


def test_every_exercise_has_its_mutants_each_with_a_diagnosis():
    for exercise in catalogue() + case_catalogue():
        assert len(exercise.mutants) >= MIN_MUTANTS, exercise.id
        for mutant in exercise.mutants:
            assert mutant.diagnosis and "\n" not in mutant.diagnosis and mutant.query.strip()
            assert mutant.query.strip() != exercise.solution.strip()


def write_mutants(folder: Path, files: dict[str, str]) -> Path:
    (folder / "ex").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / "ex" / name).write_text(text)
    return folder


def test_the_catalogue_refuses_bad_mutants(tmp_path):
    good = {f"m{i}.cypher": f"// mistake: wrong {i}\nRETURN {i}" for i in range(MIN_MUTANTS)}
    assert len(read_mutants("ex", "RETURN 99", write_mutants(tmp_path / "ok", good))) == MIN_MUTANTS
    bad = {
        "too few": dict(list(good.items())[:MIN_MUTANTS - 1]),
        "no diagnosis": {**good, "m0.cypher": "RETURN 0"},
        "no query": {**good, "m0.cypher": "// mistake: nothing\n// just a comment"},
        "the reference": {**good, "m0.cypher": "// mistake: none\nRETURN   99"},
        "a duplicate": {**good, "m1.cypher": "// mistake: again\nRETURN 0"},
        "a bad name": {**good, "Bad Name.cypher": "// mistake: x\nRETURN 7"},
    }
    for case, files in bad.items():
        with pytest.raises(LinklabError):
            read_mutants("ex", "RETURN 99", write_mutants(tmp_path / case.replace(" ", "-"), files))


# ---------------------------------------------------------------- hidden seeds (no database)


def test_hidden_seeds_come_from_the_course_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LINKLAB_COURSE_SECRET", raising=False)
    exercise = get("hub-messages")
    generated = scenarios_for(exercise, "course-a", "alice")
    secret_file = tmp_path / "home" / "course-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600 and len(secret_file.read_text().strip()) == 64
    assert scenarios_for(exercise, "course-a", "alice") == generated  # the same secret: the same seeds
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "instructor-secret")
    given = scenarios_for(exercise, "course-a", "alice")
    assert given[0] == generated[0]  # the trainee's own scenario does not depend on the secret
    assert {k.seed for k in given[1:]}.isdisjoint({k.seed for k in generated[1:]})
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "another-secret")
    assert {k.seed for k in scenarios_for(exercise, "course-a", "alice")[1:]} != {k.seed for k in given[1:]}
    # what trainees see: "hidden scenario 1, 2", never a seed
    shown = [str(k) for k in given]
    assert shown[1:] == ["hidden scenario 1", "hidden scenario 2"]
    assert not any(str(k.seed) in " ".join(shown) for k in given[1:])


def test_the_secret_file_is_not_committed():
    result = subprocess.run(["git", "check-ignore", "-q", ".linklab/course-secret"], cwd=ROOT)
    assert result.returncode == 0


# ---------------------------------------------------------------- every mutant fails, every trainee


def trainees_by_profile() -> dict[str, list[str]]:
    """At least TRAINEES_PER_PROFILE trainee ids per profile (by the profile their seed starts with)."""
    found: dict[str, list[str]] = {p: [] for p in profile_names()}
    for n in count(1):
        trainee = f"trainee-{n}"
        profile = profile_for(get("crews"), trainee_seed(COURSE, trainee))  # crews runs on every profile
        if len(found[profile]) < TRAINEES_PER_PROFILE:
            found[profile].append(trainee)
        if all(len(v) >= TRAINEES_PER_PROFILE for v in found.values()):
            return found


@pytest.fixture(scope="module")
def course(driver):
    """A course with a fixed secret whose hidden scenarios are chosen (on the test server)."""
    before = os.environ.get("LINKLAB_COURSE_SECRET")
    os.environ["LINKLAB_COURSE_SECRET"] = "test-secret-for-mutants"
    hidden.ensure_prepared(driver, COURSE, {(p, "") for p in profile_names()})
    yield COURSE
    if before is None:
        del os.environ["LINKLAB_COURSE_SECRET"]
    else:
        os.environ["LINKLAB_COURSE_SECRET"] = before


def test_every_mutant_fails_for_every_trainee(driver, course):
    """Each mutant fails on a hidden scenario (shared by the class) or else on every trainee's own; the
    reference passes on the hidden ones; a trainee's own answer copied as literal rows fails on a hidden
    one, for 20 trainees per profile."""
    trainees = trainees_by_profile()
    survivors: dict[str, set[str]] = {}
    for profile in profile_names():
        exercises = [e for e in catalogue() if profile in e.profiles]
        survivors[profile] = {f"{e.id}/{m.name}" for e in exercises for m in e.mutants}
        for seed in hidden.hidden_seeds(course, profile):
            key = ScenarioKey(profile, "tiny", seed)
            ensure_loaded(driver, key)
            for exercise in exercises:
                assert check_answer(driver, exercise, exercise.solution, key).passed, (exercise.id, key)
                survivors[profile] -= {f"{exercise.id}/{r.mutant.name}" for r in run_mutants(driver, exercise, key)
                                       if r.killed}
    left = {}
    for profile, names in survivors.items():  # not failed on a hidden scenario: each trainee's own must
        for trainee in trainees[profile] if names else []:
            for name in names:
                exercise = get(name.split("/")[0])
                own = scenarios_for(exercise, course, trainee)[0]
                ensure_loaded(driver, own)
                run = next(r for r in run_mutants(driver, exercise, own) if f"{exercise.id}/{r.mutant.name}" == name)
                if not run.killed:
                    left.setdefault(name, []).append(trainee)
    assert not left, f"mutants that pass for some trainees: {left}"
    for profile, names in trainees.items():
        for trainee in names:
            for exercise in catalogue():
                keys = scenarios_for(exercise, course, trainee)
                if keys[0].profile != profile:
                    continue
                copied = answer_key(exercise, keys[0]).expected.rows
                assert not all(compare(answer_key(exercise, k).expected, [list(r) for r in copied],
                                       exercise.compare).passed for k in keys[1:]), (exercise.id, trainee)


def test_selftest_reports_the_kill_rate_per_exercise(cli_env, course):
    from .conftest import run_cli

    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"], "LINKLAB_COURSE_SECRET": "test-secret-for-mutants"}
    result = run_cli("selftest", "--seeds", "1", "--course", course, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if "mutants  per scenario" in line}
    assert set(lines) == {e.id for e in catalogue()}
    for exercise in catalogue():
        n = len(exercise.mutants)
        assert f"{n} mutants" in lines[exercise.id] and f"course {n}/{n}" in lines[exercise.id]


# ---------------------------------------------------------------- cases: what the network allows


@pytest.fixture(scope="module")
def case_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("case-files")
    nx.write_graphml(karate(), folder / "karate.graphml")
    lesmis = nx.les_miserables_graph()
    nx.write_graphml(lesmis, folder / "lesmis.graphml")
    return {"florentine": SAMPLE, "karate": folder / "karate.graphml", "lesmis": folder / "lesmis.graphml"}


@pytest.mark.parametrize("name", ["florentine", "karate", "lesmis"])
def test_case_mutants_fail_unless_listed_as_not_separable(driver, course, case_files, tmp_path, monkeypatch, name):
    monkeypatch.setenv("LINKLAB_CASES", str(tmp_path))
    case, _ = read_case(case_files[name], name, "KNOWS", None)
    save(case)
    world = (f"case/{name}", case.digest)
    hidden.ensure_prepared(driver, course, {world})
    listed = {n for n, _ in hidden.not_separable(course, *world)}
    keys = case_keys(course, name)
    killed = set()
    for key in keys:
        ensure_loaded(driver, key)
        for exercise in case_catalogue():
            assert check_answer(driver, exercise, exercise.solution, key).passed, (exercise.id, str(key))
            killed |= {f"{exercise.id}/{r.mutant.name}" for r in run_mutants(driver, exercise, key) if r.killed}
    everything = {f"{e.id}/{m.name}" for e in case_catalogue() for m in e.mutants}
    assert everything - killed == listed  # what is listed is exactly what the graded scenarios miss
    for candidate in hidden.candidates(course, world[0]):  # and no candidate variant would have caught it
        key = CaseKey(name, candidate, case.digest)
        ensure_loaded(driver, key)
        for exercise in case_catalogue():
            caught = {f"{exercise.id}/{r.mutant.name}" for r in run_mutants(driver, exercise, key) if r.killed}
            assert not caught & listed, (candidate, caught & listed)
    assert all(diagnosis for _, diagnosis in hidden.not_separable(course, *world))


# ---------------------------------------------------------------- feedback and the scenario marker


def test_feedback_names_the_mistake_without_the_answer(driver, course):
    exercise = get("influencer-followers")
    keys = scenarios_for(exercise, course, "trainee-1")
    mutant = next(m for m in exercise.mutants if m.name == "following-not-followers")
    rewritten = ("MATCH (x:Account) WITH x, COUNT { (x)-[:FOLLOWS]->(:Account) } AS n "
                 "RETURN x.handle, n ORDER BY n DESC LIMIT 1")  # other words, the same mistake
    checks = {mutant.query: [], rewritten: [], "MATCH (a:Account) RETURN a.handle, 0 LIMIT 1": []}
    for key in keys:
        ensure_loaded(driver, key)
        for query, found in checks.items():
            found.append(check_answer(driver, exercise, query, key))
    verdicts = {q: summarise(exercise, found) for q, found in checks.items()}
    for query in (mutant.query, rewritten):
        assert not verdicts[query].passed and mutant.diagnosis in verdicts[query].feedback
    assert mutant.diagnosis not in verdicts["MATCH (a:Account) RETURN a.handle, 0 LIMIT 1"].feedback
    for key, found in zip(keys, checks[rewritten]):
        top = answer_key(exercise, key).expected.rows[0][0]
        assert top not in found.feedback


MARKER_NAMERS = [
    "MATCH (s:Scenario) RETURN s.token",
    "MATCH (s:`Scenario`) RETURN count(s)",
    "MATCH (s) WHERE s:Scenario RETURN s",
    "MATCH (s IS Scenario) RETURN s",
    "MATCH (s:Person|Scenario) RETURN count(s)",
    "MATCH (n) WHERE n:$('Scen' + 'ario') RETURN n",
]
REFLECTION = [  # runs: on a hidden scenario the marker says nothing but an opaque token
    "MATCH (n) WITH n, keys(n) AS k WHERE 'token' IN k RETURN k",
    "MATCH (n) WHERE n.token IS NOT NULL RETURN properties(n)",
    "CALL db.propertyKeys() YIELD propertyKey RETURN collect(propertyKey)",
]


def test_an_answer_cannot_see_which_scenario_it_runs_on(driver, course):
    """A hidden scenario's marker holds an opaque token and no seed, profile, size, hash or counts, so no
    answer can branch on which hidden scenario it runs on; answers that name the marker's label are refused
    in every spelling, while reflection (keys(), properties()) is an ordinary, allowed part of Cypher."""
    exercise = get("crews")
    keys = scenarios_for(exercise, course, "trainee-1")
    tokens = set()
    for key in keys:
        ensure_loaded(driver, key)
        for query in MARKER_NAMERS:
            result = check_answer(driver, exercise, query, key)
            assert result.status == "refused", (query, str(key), result.feedback)
        marker = driver.execute_query("MATCH (s:Scenario {id: 'current'}) RETURN s {.*} AS s").records[0]["s"]
        if key.hidden:
            assert set(marker) <= {"id", "token", "kind", "complete", "status", "started_at", "loaded_at"}
            assert marker["kind"] == "hidden" and str(key.seed) not in repr(marker)
            for query in REFLECTION:
                rows = run_guarded(driver, query, {}).rows
                assert str(key.seed) not in repr(rows) and key.profile not in repr(rows)
        tokens.add(marker["token"])
    assert len(tokens) == len(keys)  # one token per scenario, none the same as another's


def test_a_limit_that_cuts_nothing_is_not_a_mistake(driver):
    """LIMIT without ORDER BY fails only where it picks among results: after one shortest path, LIMIT 1 is
    harmless; on the hub exercise it picks an arbitrary person and fails whatever it returns."""
    from linklab.grade.engine import check_answer

    path = get("path-hops")
    key = ScenarioKey(path.profiles[0], "tiny", 4242)
    ensure_loaded(driver, key)
    right = path.solution.strip().rstrip(";")
    assert "LIMIT" not in right.upper().split("RETURN")[-1]
    assert check_answer(driver, path, right + "\nLIMIT 1", key).passed
    hub = get("hub-messages")
    hub_key = ScenarioKey(hub.profiles[0], "tiny", 4242)
    ensure_loaded(driver, hub_key)
    unordered = ("MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person) "
                 "WITH p, count(DISTINCT q) AS contacts RETURN p.name, contacts LIMIT 1")
    result = check_answer(driver, hub, unordered, hub_key)
    assert not result.passed
