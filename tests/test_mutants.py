"""Known mistakes (the hand-written ones in each exercise's mutants/ and the automatic ones of grade.mutation) and
the hidden worlds that must catch them.

The promise: a PASS means right. Every mutant of every exercise that is not probably equivalent fails on
the course's hidden worlds, which every trainee is graded on; the feedback names a mistake only when the
answer's rows equal it on every world; hidden worlds come from the instructor's secret and an answer cannot
see which world it runs on."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from linklab.cases.network import save
from linklab.cases.read import read_case
from linklab.errors import LinklabError
from linklab.exercises.catalogue import case_catalogue, catalogue, get
from linklab.exercises.mutants import MIN_MUTANTS, read_mutants
from linklab.grade import worlds
from linklab.grade.compare import compare
from linklab.grade.engine import ScenarioKey, answer_key, check_and_judge, check_answer, run_batch
from linklab.grade.loading import ensure_loaded
from linklab.grade.scenarios import case_keys, scenarios_for
from linklab.grade.guard import run_guarded
from linklab.scenario.profiles import DESIGN

from .conftest import ROOT, SUITE_COURSE, suite_course
from .test_import import SAMPLE, karate

COURSE = SUITE_COURSE
TRAINEES = [f"trainee-{n}" for n in range(1, 21)]


# ---------------------------------------------------------------- mutants as data (no database)


def test_every_exercise_has_its_mutants_each_with_a_diagnosis():
    for exercise in catalogue() + case_catalogue():
        assert len(exercise.mutants) >= MIN_MUTANTS, exercise.id
        for mutant in exercise.mutants:
            assert mutant.diagnosis and "\n" not in mutant.diagnosis and mutant.query.strip()
            assert mutant.query.strip() != exercise.solution.strip()


def write_mutants(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_the_catalogue_refuses_bad_mutants(tmp_path):
    good = {f"m{i}.cypher": f"// mistake: wrong {i}\nRETURN {i}" for i in range(MIN_MUTANTS)}
    assert len(read_mutants(write_mutants(tmp_path / "ok", good), "RETURN 99")) == MIN_MUTANTS
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
            read_mutants(write_mutants(tmp_path / case.replace(" ", "-"), files), "RETURN 99")


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


def test_a_choice_of_hidden_worlds_holds_only_under_the_secret_it_was_made_under(monkeypatch, tmp_path):
    """An instructor who changes the course secret (say, after it leaked) gets new hidden worlds: the choice
    stored under the old secret is not used (it is made again), and holds again if the old secret returns."""
    from linklab.grade import worlds

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "first-secret")
    worlds.store("course-a", "street-ring", "", worlds.Choice(keys=[[123, False], [456, True]]), {}, [])
    assert worlds.stored_choice("course-a", "street-ring").keys == [[123, False], [456, True]]
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "second-secret")
    assert worlds.stored_choice("course-a", "street-ring") is None
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "first-secret")
    assert worlds.stored_choice("course-a", "street-ring") is not None
    assert worlds.stored_choice("course-b", "street-ring") is None  # another course's choice is its own


def test_a_course_keeps_a_choice_for_each_selection_of_exercises(monkeypatch, tmp_path):
    """A course that offers a few exercises for a while gets its own choice for them, and the choice for every
    exercise is still there when it offers all again (not made anew)."""
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "selection-secret")
    monkeypatch.delenv("LINKLAB_EXERCISES", raising=False)
    worlds.store("course-a", DESIGN, "", worlds.Choice(keys=[[1, False]]), {}, [])
    monkeypatch.setenv("LINKLAB_EXERCISES", "crews")
    assert worlds.stored_choice("course-a", DESIGN) is None
    worlds.store("course-a", DESIGN, "", worlds.Choice(keys=[[2, False]]), {}, [])
    monkeypatch.delenv("LINKLAB_EXERCISES")
    assert worlds.stored_choice("course-a", DESIGN).keys == [[1, False]]
    monkeypatch.setenv("LINKLAB_EXERCISES", "crews")
    assert worlds.stored_choice("course-a", DESIGN).keys == [[2, False]]


def test_choices_stored_before_a_course_kept_several_are_found(monkeypatch, tmp_path):
    """A worlds database written by an earlier linklab (one choice per course and world) keeps its choices."""
    import sqlite3

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "old-secret")
    monkeypatch.delenv("LINKLAB_EXERCISES", raising=False)
    worlds.database().parent.mkdir(parents=True)
    with sqlite3.connect(worlds.database()) as old:
        old.execute("CREATE TABLE choices (course TEXT NOT NULL, world TEXT NOT NULL, digest TEXT NOT NULL, "
                    "made REAL NOT NULL, data TEXT NOT NULL, PRIMARY KEY (course, world))")
        old.execute("INSERT INTO choices VALUES (?, ?, ?, 0, ?)", ("course-a", DESIGN, worlds.choice_digest(DESIGN),
                                                                  worlds.Choice(keys=[[7, True]]).to_json()))
    old.close()
    assert worlds.stored_choice("course-a", DESIGN).keys == [[7, True]]
    with worlds.connect() as db:
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'choices'").fetchone()


def test_the_secret_file_is_not_committed():
    result = subprocess.run(["git", "check-ignore", "-q", ".linklab/course-secret"], cwd=ROOT)
    assert result.returncode == 0


# ---------------------------------------------------------------- every mutant fails, every trainee


@pytest.fixture(scope="module")
def course(driver):
    """The suite's course (conftest.suite_course), its hidden worlds chosen on the test server among the suite's
    varied candidates of the world (prepared here unless a test before did)."""
    with suite_course() as course:
        worlds.ensure_prepared(driver, course, {(DESIGN, "")})
        yield course


def specs_of(exercise, key):
    return worlds.mutant_specs(exercise, worlds.schema_for(key.profile), answer_key(exercise, key).params)


def test_every_mutant_fails_on_the_hidden_worlds(driver, course):
    """Every hand-written mutant, and automatic ones, fail on one of the course's hidden worlds unless the
    preparation reported them as probably equivalent; the reference passes there; a trainee's own answer
    copied as literal rows fails on a hidden world, for 20 trainees. (Checked again here, outside the
    preparation that chose the worlds.) One world to prepare per course: every exercise runs on it."""
    import random

    for profile in (DESIGN,):
        choice = worlds.stored_choice(course, profile)
        assert choice is not None and choice.survivors == []
        assert choice.written == sum(len(e.mutants) for e in catalogue())
        assert choice.automatic > choice.written
        hidden = worlds.hidden_keys(course, profile)
        assert len(hidden) >= 2 and any(k.varied for k in hidden) and any(not k.varied for k in hidden)
        assert worlds.answered_alike(catalogue(), hidden) == set()  # no literal value passes on every hidden world
        samples = {}
        for exercise in catalogue():
            specs = specs_of(exercise, hidden[0])
            written = [s for s in specs if s.written]
            automatic = random.Random(exercise.id).sample([s for s in specs if not s.written],
                                                          min(6, len(specs) - len(written)))
            samples[exercise.id] = [s for s in written + automatic if f"{exercise.id}/{s.name}" not in choice.equivalent]
        failed = {e.id: {s.name: False for s in samples[e.id]} for e in catalogue()}
        for key in hidden:  # world by world: each hidden world is loaded once, not once per exercise
            for exercise in catalogue():
                sample = samples[exercise.id]
                assert check_answer(driver, exercise, exercise.solution, key).passed, (exercise.id, str(key))
                for spec, trial in zip(sample, run_batch(driver, exercise, [s.query for s in sample], key)):
                    failed[exercise.id][spec.name] |= trial.status != "passed"
        for exercise in catalogue():
            assert all(failed[exercise.id].values()), (profile, exercise.id,
                                                       [n for n, f in failed[exercise.id].items() if not f])
    for trainee in TRAINEES:
        for exercise in catalogue():
            keys = scenarios_for(exercise, course, trainee)
            copied = answer_key(exercise, keys[0]).expected.rows
            assert not all(compare(answer_key(exercise, k).expected, [list(r) for r in copied],
                                   exercise.compare).passed for k in keys[1:]), (exercise.id, trainee)


def test_selftest_reports_the_mutants_of_the_world(cli_env, course):
    from .conftest import run_cli_here

    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"]}
    result = run_cli_here("selftest", "--seeds", "1", "--course", course, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    for profile in (DESIGN,):
        choice = worlds.stored_choice(course, profile)
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(profile + " "))
        assert f"{choice.mutants} mutants ({choice.written} written, {choice.automatic} automatic)" in line
        assert f"{choice.killed} fail on the hidden worlds" in line and "0 not separated" in line


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
    worlds.ensure_prepared(driver, course, {world})
    listed = {n for n, _ in worlds.not_separable(course, *world)}
    keys = case_keys(course, name)
    failed: set[str] = set()
    for key in keys:
        for exercise in case_catalogue():
            assert check_answer(driver, exercise, exercise.solution, key).passed, (exercise.id, str(key))
            specs = worlds.mutant_specs(exercise, worlds.schema_for(world[0]), answer_key(exercise, keys[0]).params)
            trials = run_batch(driver, exercise, [s.query for s in specs], key)
            failed |= {f"{exercise.id}/{s.name}" for s, t in zip(specs, trials) if worlds.tells(t)}
    everything = {f"{e.id}/{s.name}" for e in case_catalogue()
                  for s in worlds.mutant_specs(e, worlds.schema_for(world[0]), answer_key(e, keys[0]).params)}
    assert everything - failed == listed  # what is listed is exactly what the graded worlds miss
    # each said in words, the automatic rewrites too (`linklab import` lists them for the instructor)
    assert all(diagnosis for n, diagnosis in worlds.not_separable(course, *world))
    written = {f"{e.id}/{s.name}" for e in case_catalogue()
               for s in worlds.mutant_specs(e, worlds.schema_for(world[0]), answer_key(e, keys[0]).params) if s.written}
    # what a console calls "registered mistakes not separated": the listed hand-written ones, no automatic rewrite
    assert {n for n, _ in worlds.written_not_separable(course, *world)} == listed & written


# ---------------------------------------------------------------- feedback and the scenario marker


def test_feedback_names_the_mistake_without_the_answer(driver, course):
    exercise = get("influencer-followers")
    keys = scenarios_for(exercise, course, "trainee-1")
    mutant = next(m for m in exercise.mutants if m.name == "following-not-followers")
    # other words, the same mistake (different accounts counted: a follow recorded twice is one account)
    rewritten = ("MATCH (x:Account) WITH x, COUNT { MATCH (x)-[:FOLLOWS]->(f:Account) RETURN DISTINCT f } AS n "
                 "RETURN x.handle, n ORDER BY n DESC LIMIT 1")
    unrelated = "MATCH (a:Account) RETURN a.handle, 0 LIMIT 1"

    def drivers_for(key):
        yield driver, True

    verdicts = {q: check_and_judge(exercise, q, keys, drivers_for) for q in (mutant.query, rewritten, unrelated)}
    for query in (mutant.query, rewritten):
        assert not verdicts[query].passed and mutant.diagnosis in verdicts[query].feedback
        assert verdicts[query].mistake == mutant.diagnosis
    assert mutant.diagnosis not in verdicts[unrelated].feedback
    for key in keys:
        top = answer_key(exercise, key).expected.rows[0][0]
        assert top not in verdicts[rewritten].feedback


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
    key = ScenarioKey(DESIGN, "tiny", 4242)
    ensure_loaded(driver, key)
    right = path.solution.strip().rstrip(";")
    assert "LIMIT" not in right.upper().split("RETURN")[-1]
    assert check_answer(driver, path, right + "\nLIMIT 1", key).passed
    hub = get("hub-messages")
    hub_key = ScenarioKey(DESIGN, "tiny", 4242)
    ensure_loaded(driver, hub_key)
    unordered = ("MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person) "
                 "WITH p, count(DISTINCT q) AS contacts RETURN p.name, contacts LIMIT 1")
    result = check_answer(driver, hub, unordered, hub_key)
    assert not result.passed


def test_trainees_asked_the_same_thing_share_the_mistakes_rows():
    """In a class every trainee explores one world and is asked about the organisation their seed picks. The
    known mistakes' rows there are filed by what the exercise asks (its parameters), not by the trainee: those
    asked about the same organisation share them (each trainee's failing answer ran them all again before, which
    overloaded a room); those asked about another do not."""
    from linklab.grade.scenarios import class_key

    exercise = get("hub-messages")
    keys = [class_key(exercise, "shared-rows", trainee=f"trainee {n}") for n in range(12)]
    by_params: dict[str, set[str]] = {}
    for key in keys:
        params = json.dumps(answer_key(exercise, key).params, sort_keys=True)
        by_params.setdefault(params, set()).add(worlds.trial_token(key, exercise.id))
    assert len(by_params) > 1 and len({t for tokens in by_params.values() for t in tokens}) == len(by_params)
    assert all(len(tokens) == 1 for tokens in by_params.values())
    assert len({k.pick for k in keys}) == len(keys)  # each trainee's own pick, yet shared rows
