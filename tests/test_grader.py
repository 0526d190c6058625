"""The grader's guards, outputs and agreement between `check` and `grade`, against the real server."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from linklab.errors import LinklabError
from linklab.exercises.answer_files import answer_function, load_answer
from linklab.exercises.catalogue import case_catalogue, catalogue, every_exercise, get, parse
from linklab.grade.batch import grade_class
from linklab.grade.submissions import read_submissions
from linklab.grade.engine import ScenarioKey, check_answer
from linklab.grade.loading import ensure_loaded
from linklab.grade.scenarios import scenarios_for, trainee_seed
from linklab.keys import derive_seed
from linklab.grade.guard import Limits, Refused, run_guarded
from linklab.grade.outputs import write_all

from .conftest import SUITE_COURSE, run_cli_here

KEY = ScenarioKey("investigation", "tiny", 77)


def fingerprint(driver) -> str:
    nodes = driver.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p ORDER BY n.id, l").records
    rels = driver.execute_query("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, properties(r) AS p, b.id AS b "
                                "ORDER BY a, t, b").records
    text = json.dumps([[list(r.values()) for r in nodes], [list(r.values()) for r in rels]], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def loaded_tiny(driver):
    ensure_loaded(driver, KEY)
    return KEY


@pytest.mark.parametrize("query, code", [
    ("CREATE (n:Person {name: 'x'}) RETURN n", "clause"),
    ("MATCH (n:Person) SET n.name = 'x' RETURN count(n)", "clause"),
    ("MATCH (n) DETACH DELETE n", "clause"),
    ("CREATE INDEX grader_test FOR (n:Person) ON (n.born)", "clause"),
    ("DROP CONSTRAINT person_id", "clause"),
    ("CALL dbms.listConfig() YIELD name RETURN name", "procedure"),
    ("CALL apoc.load.json('file:///etc/passwd') YIELD value RETURN value", "procedure"),
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})", "procedure"),
    ("RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) DETACH DELETE n', {}) AS x", "function"),
    ("CALL db.createLabel('Evil')", "procedure"),
    ("LOAD CSV FROM 'http://127.0.0.1:1/x.csv' AS row RETURN row", "clause"),
    ("load   csv with headers from 'file:///x' as r return r", "clause"),
    ("MATCH (n) RETURN count(n); MATCH (n) DETACH DELETE n", "statements"),
    ("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS RETURN 1", "clause"),
    ("CALL gds.graph.drop('x') YIELD graphName RETURN graphName; CREATE (x)", "statements"),
    ("MATCH (n RETURN n", "syntax"),
    ("", "empty"),
    ("EXPLAIN MATCH (n) RETURN n", "explain"),
    ("CALL gds.pageRank.write('g', {writeProperty: 'pr'}) YIELD nodePropertiesWritten RETURN 1", "procedure"),
    ("CALL db.info() YIELD name RETURN name", "procedure"),
])
def test_guard_refuses_and_the_database_is_unchanged(driver, loaded_tiny, query, code):
    before = fingerprint(driver)
    with pytest.raises(Refused) as refused:
        run_guarded(driver, query, limits=Limits(timeout_s=5))
    assert refused.value.code == code
    assert fingerprint(driver) == before


def test_a_semicolon_inside_a_string_is_not_a_second_statement(driver, loaded_tiny):
    result = run_guarded(driver, "RETURN 'a; b' AS text // trailing comment; still one statement")
    assert result.rows == [["a; b"]]


def test_runaway_cartesian_product_is_stopped_within_the_timeout(driver, loaded_tiny):
    before = fingerprint(driver)
    with pytest.raises(Refused, match="longer than the 2 s time limit") as refused:
        run_guarded(driver, "MATCH (a), (b), (c), (d), (e) RETURN count(a.id + b.id + c.id + d.id + e.id)",
                    limits=Limits(timeout_s=2))
    assert refused.value is not None
    assert fingerprint(driver) == before


def test_row_cap(driver, loaded_tiny):
    with pytest.raises(Refused, match="more than 10 results"):
        run_guarded(driver, "MATCH (n) RETURN n", limits=Limits(max_rows=10))


def test_a_refused_check_is_reported_not_raised(driver, loaded_tiny):
    result = check_answer(driver, get("crews"), "MATCH (n) DETACH DELETE n", KEY)
    assert result.status == "refused" and "DELETE is not allowed" in result.feedback


def gds_graphs(driver) -> set[str]:
    return {r["graphName"] for r in driver.execute_query("CALL gds.graph.list() YIELD graphName").records}


def test_gds_graphs_are_dropped_after_a_check_whatever_its_outcome(driver, loaded_tiny):
    exercise = get("influencer-pagerank")
    assert check_answer(driver, exercise, exercise.solution, KEY).passed
    assert gds_graphs(driver) == set()
    failing = ("MATCH (a:Account) OPTIONAL MATCH (a)-[:FOLLOWS]->(b:Account) "
               "WITH gds.graph.project($graph, a, b) AS g CALL gds.pageRank.stream($graph) YIELD nodeId "
               "RETURN 1/0 AS boom")
    result = check_answer(driver, exercise, failing, KEY)
    assert not result.passed and gds_graphs(driver) == set()
    other_name = ("MATCH (a:Account) OPTIONAL MATCH (a)-[:FOLLOWS]->(b:Account) "
                  "WITH gds.graph.project('mine', a, b) AS g RETURN g.graphName")
    check_answer(driver, exercise, other_name, KEY)
    assert gds_graphs(driver) == set()


def test_gds_projection_is_refused_above_the_memory_cap(driver, loaded_tiny, monkeypatch):
    from linklab.grade import evaluate

    monkeypatch.setattr(evaluate, "GDS_MEMORY_CAP", 1)
    exercise = get("influencer-pagerank")
    result = check_answer(driver, exercise, exercise.solution, KEY)
    assert result.status == "refused" and "GDS estimates" in result.feedback
    assert gds_graphs(driver) == set()


def test_trainee_variants_are_stable_and_differ():
    assert trainee_seed("course-a", "alice") == trainee_seed("course-a", "alice") == derive_seed("course-a", "alice")
    assert trainee_seed("course-a", "alice") != trainee_seed("course-a", "bob")
    assert trainee_seed("course-a", "alice") != trainee_seed("course-b", "alice")
    keys = scenarios_for(get("hub-messages"), "course-a", "alice")
    assert len(keys) == 3 and len({k.seed for k in keys}) == 3
    assert {k.profile for k in keys} == {"investigation"}  # one world: every exercise runs on it
    assert {scenarios_for(e, "course-a", "alice")[0].seed for e in catalogue()} == {keys[0].seed}
    # the seed derivation documented in the README
    assert trainee_seed("course-a", "alice") == int(hashlib.sha256(b"course-a/alice").hexdigest()[:8], 16) % 999_999 + 1


def test_classmates_exploring_one_world_are_asked_about_different_organisations():
    """A class explores one world; an exercise about one organisation asks each trainee about the organisation
    their seed picks, one about the whole world asks everybody the same."""
    from linklab.grade.engine import answer_key

    trainees = ("ana", "ben", "cat", "dan", "eve", "fay", "gus", "hal")
    crews = {t: scenarios_for(get("crews"), "course-a", t, shared=True)[0] for t in trainees}
    assert len({(k.profile, k.size, k.seed) for k in crews.values()}) == 1  # one world, loaded once
    asked = {t: answer_key(get("crews"), k).params["org"] for t, k in crews.items()}
    assert len(set(asked.values())) >= 3
    world = {scenarios_for(get("influencer-followers"), "course-a", t, shared=True)[0] for t in trainees}
    assert len(world) == 1 and next(iter(world)).pick == 0


@pytest.fixture(scope="module")
def class_run(driver, tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    exercises = ["crews", "hub-messages", "alias-unmask", "money-trail"]
    answers = {
        "ana": {e: get(e).solution for e in exercises},
        "ben": {"crews": "MATCH (c:Organization)<-[:MEMBER_OF]-(p) RETURN c.name, count(p)",
                "hub-messages": "MATCH (n) DETACH DELETE n",
                "alias-unmask": get("alias-unmask").solution},
        "cat": {"03-hub-messages": "MATCH (p:Person {name: 'Nobody'}) RETURN p.name, 1"},
    }
    for trainee, files in answers.items():
        (folder / trainee).mkdir()
        for name, text in files.items():
            (folder / trainee / f"{name}.cypher").write_text(text)
    (folder / "ben" / "progress.json").write_text(json.dumps({"exercises": {"crews": {"hints": 2}}}))
    out = tmp_path_factory.mktemp("results")
    found = read_submissions(folder, catalogue()).answers
    results = grade_class(driver, found, SUITE_COURSE, out)
    paths = write_all(results, out)
    return folder, found, results, paths, out


def test_class_grading_scores(class_run):
    _, _, results, _, _ = class_run
    passed = {t: {v.exercise for v in vs if v.passed} for t, vs in results.verdicts.items()}
    assert passed["ana"] == {"crews", "hub-messages", "alias-unmask", "money-trail"}
    assert passed["ben"] == {"alias-unmask"}
    assert passed["cat"] == set()
    ben = {v.exercise: v for v in results.verdicts["ben"]}
    assert "read-only" in ben["hub-messages"].feedback and ben["money-trail"].feedback == "No answer submitted."


def test_junit_xml_parses_and_counts_match(class_run):
    _, _, results, paths, _ = class_run
    root = ET.parse(paths["junit"]).getroot()
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"ana", "ben", "cat"}
    total = 0
    for trainee, suite in suites.items():
        cases = suite.findall("testcase")
        failures = [c for c in cases if c.find("failure") is not None]
        assert int(suite.get("tests")) == len(cases) == len(catalogue())
        assert int(suite.get("failures")) == len(failures) == sum(not v.passed for v in results.verdicts[trainee])
        total += len(cases)
    assert int(root.get("tests")) == total


def test_gradescope_results_follow_the_published_fields(class_run):
    _, _, results, paths, _ = class_run
    data = json.loads((paths["gradescope"] / "ben" / "results.json").read_text())
    assert set(data) >= {"score", "execution_time", "output", "visibility", "tests"}
    assert data["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert data["score"] == sum(t["score"] for t in data["tests"])
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed") and 0 <= test["score"] <= test["max_score"]
    assert sum(t["status"] == "passed" for t in data["tests"]) == 1


def test_grading_resumes_without_regrading(driver, class_run):
    folder, found, _, _, out = class_run
    lines = (out / "checks.jsonl").read_text().splitlines()
    again = grade_class(driver, found, SUITE_COURSE, out)
    assert again.checks_run == 0
    (out / "checks.jsonl").write_text("\n".join(lines[:-3]) + "\n" + lines[-3][:20])  # as if it crashed
    resumed = grade_class(driver, found, SUITE_COURSE, out)
    after = (out / "checks.jsonl").read_text().splitlines()
    assert after[:-3] == lines[:-3] + [lines[-3][:20]]  # the cut line stays on its own
    redone = [json.loads(line) for line in after[-3:]]
    assert [r["job"] for r in redone] == [json.loads(line)["job"] for line in lines[-3:]]
    # skipped checks and answers refused for their text alone (ben's write) are recorded without running
    assert resumed.checks_run == sum(r["status"] not in ("skipped", "refused") for r in redone) > 0


def test_check_gives_the_same_verdict_as_grade(class_run, cli_env):
    folder, _, results, _, _ = class_run
    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"], "LINKLAB_COURSE": SUITE_COURSE}
    for trainee, exercise in (("ana", "hub-messages"), ("ben", "crews"), ("ben", "hub-messages"),
                              ("cat", "hub-messages")):
        name = "03-hub-messages" if trainee == "cat" else exercise
        result = run_cli_here("check", exercise, str(folder / trainee / f"{name}.cypher"), "--json",
                         "--trainee", trainee, env=env)
        verdict = json.loads(result.stdout)
        graded = next(v for v in results.verdicts[trainee] if v.exercise == exercise)
        assert (verdict["passed"], verdict["feedback"]) == (graded.passed, graded.feedback)
        assert result.returncode == (0 if graded.passed else 2)


def test_grade_command_writes_outputs_and_exits_zero_for_failing_trainees(class_run, cli_env, tmp_path):
    folder = class_run[0]
    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"]}
    result = run_cli_here("grade", str(folder), "--out", str(tmp_path), "--course", SUITE_COURSE, env=env)
    assert result.returncode == 0, result.stderr
    assert "cat" in result.stdout and (tmp_path / "junit.xml").exists()
    graded = json.loads((tmp_path / "results.json").read_text())
    assert graded["trainees"]["ben"]["hints"] == {"crews": 2} and graded["trainees"]["ana"]["hints"] == {}
    report = run_cli_here("report", str(tmp_path), "--out", str(tmp_path / "report"))
    assert report.returncode == 0 and (tmp_path / "report" / "report.html").exists()
    single = run_cli_here("grade", str(folder / "ana"), "--single", "ana", "--out", str(tmp_path / "one"),
                     "--course", SUITE_COURSE, "--gradescope", str(tmp_path / "gs.json"), env=env)
    assert single.returncode == 0, single.stderr
    expected = sum(get(e).points for e in ("crews", "hub-messages", "alias-unmask", "money-trail"))
    assert json.loads((tmp_path / "gs.json").read_text())["score"] == expected
    # hidden scenarios are "hidden scenario 1, 2" in everything written; no hidden seed appears
    hidden_seeds = {k.seed for e in catalogue() for t in ("ana", "ben", "cat")
                    for k in scenarios_for(e, SUITE_COURSE, t)[1:]}
    outputs = [p for p in tmp_path.rglob("*") if p.suffix in (".json", ".xml")]  # results, JUnit, Gradescope
    shown = "".join(p.read_text() for p in outputs) + result.stdout + single.stdout
    assert "hidden scenario 1" in shown and "hidden scenario 2" in shown
    assert not [s for s in hidden_seeds if re.search(rf"\b{s}\b", shown)], "a hidden seed is shown"


# ---------------------------------------------------------------- exercise files and trainee commands


def write_exercise(folder: Path, name: str, text: str) -> Path:
    """An exercise's folder `name` in `folder`: its exercise.toml is `text`, its reference and mutants crews'."""
    shutil.copytree(GOOD.parent, folder / name)
    path = folder / name / "exercise.toml"
    path.write_text(text)
    return path


GOOD = Path(__file__).resolve().parent.parent / "exercises" / "01-crews" / "exercise.toml"


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t.replace('level = 1', 'level = "one"'), "field 'level' must be a int"),
    (lambda t: t.replace('title = "The organisation and its crews"\n', ''), "missing field 'title'"),
    (lambda t: t.replace('mode = "multiset"', 'mode = "fuzzy"'), "compare.mode must be one of"),
    (lambda t: t.replace('organisations = [', 'organisations = ["mafia", '), "organisations are kinds"),
    (lambda t: t.replace('organisations = [', 'profiles = ['), "unknown field(s) profiles"),
    (lambda t: t.replace('points = ', 'answer = "crews"\npoints = '), "unknown field(s) answer"),
    (lambda t: t + "\nextra = 1\n", "unknown field"),
    (lambda t: t.replace('prompt = """', 'prompt = """\n[unterminated'), None),
    (lambda t: t.replace('id = "crews"', 'id = "crews-2"'), "folder must be named NN-crews-2"),
    (lambda t: "this is = = not toml", "not valid TOML"),
])
def test_malformed_exercise_files_give_clear_errors(tmp_path, mutate, message):
    path = write_exercise(tmp_path, "01-crews", mutate(GOOD.read_text()))
    if message is None:  # still valid TOML: the text inside the prompt is just text
        assert parse(path).id == "crews"
        return
    with pytest.raises(LinklabError) as err:
        parse(path)
    assert message in err.value.message and "01-crews/exercise.toml" in err.value.message


def test_an_exercise_is_a_folder_with_its_reference_and_mutants_beside_it(tmp_path):
    path = write_exercise(tmp_path, "01-crews", GOOD.read_text())
    assert parse(path).solution == GOOD.with_name("solution.cypher").read_text()
    path.with_name("solution.cypher").unlink()
    with pytest.raises(LinklabError, match="reference solution solution.cypher is missing"):
        parse(path)
    (tmp_path / "02-empty").mkdir()
    with pytest.raises(LinklabError, match="02-empty: no exercise.toml"):
        every_exercise(tmp_path)
    (tmp_path / "02-empty").rmdir()
    (tmp_path / "03-loose.toml").write_text(GOOD.read_text())
    with pytest.raises(LinklabError, match="an exercise is a folder NN-ID/"):
        every_exercise(tmp_path)


@pytest.mark.parametrize("text, message", [
    (None, "01-crews/answer.py: missing"),
    ("def key(g):\n    return None\n", "01-crews/answer.py: defines no function `answer(g)`"),
    ("from linklab.exercises.answers import nothing_of_that_name\n", "01-crews/answer.py: cannot be loaded (ImportError"),
    ("def answer(g)\n", "01-crews/answer.py: cannot be loaded (SyntaxError"),
])
def test_an_exercise_s_answer_function_is_in_its_folder_and_a_bad_one_is_one_line(tmp_path, text, message):
    path = write_exercise(tmp_path, "01-crews", GOOD.read_text())
    crews = parse(path)
    assert crews.answer_path == path.with_name("answer.py")
    assert answer_function(crews).__module__ == "linklab_exercise_answers.scenario.crews"
    if text is None:
        path.with_name("answer.py").unlink()
    else:
        path.with_name("answer.py").write_text(text)
    load_answer.cache_clear()  # a file changed under the same path: read it again, as a new process would
    with pytest.raises(LinklabError) as err:
        parse(path)
    assert err.value.message.startswith(str(tmp_path)) and message in err.value.message
    assert "\n" not in err.value.message


def test_non_utf8_exercise_file(tmp_path):
    path = write_exercise(tmp_path, "01-crews", "")
    path.write_bytes(b'id = "cr\xff\xfe"\n')
    with pytest.raises(LinklabError, match="not valid TOML|not UTF-8"):
        parse(path)


@pytest.mark.parametrize("args, message", [
    (["show", "no-such-exercise"], "unknown exercise 'no-such-exercise'"),
    (["hint", "99"], "unknown exercise '99'"),
    (["check", "crews", "/nonexistent/answer.cypher"], "no such file"),
    (["check", "crews"], "give the answer as a FILE or with --query"),
    (["grade", "/nonexistent/folder"], "is not a folder of submissions"),
])
def test_trainee_and_instructor_bad_input(cli_env, args, message):
    result = run_cli_here(*args, env=cli_env)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_show_hint_check_progress_flow(cli_env, tmp_path):
    env = {**cli_env, "LINKLAB_HOME": str(tmp_path / "state"), "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"],
           "LINKLAB_TRAINEE": "dana", "LINKLAB_COURSE": SUITE_COURSE, "LINKLAB_EXERCISES": "crews"}
    # LINKLAB_HOME moves the progress file; the password still comes from the environment. A course of crews
    # alone (and the case exercises): its first check prepares crews' hidden worlds only.
    shown = run_cli_here("show", "crews", env=env)
    assert shown.returncode == 0 and "Return one row per crew" in shown.stdout
    hints = len(get("crews").hints)
    first = run_cli_here("hint", "crews", env=env)
    assert first.returncode == 0 and first.stdout.startswith(f"Hint 1 of {hints}")
    for n in range(2, hints + 1):
        assert run_cli_here("hint", "crews", env=env).stdout.startswith(f"Hint {n} of {hints}")
    assert "No more hints" in run_cli_here("hint", "crews", env=env).stdout
    syntax = run_cli_here("check", "crews", "--query", "MATCH (n RETURN n", env=env)
    assert syntax.returncode == 2 and "Syntax error on line 1" in syntax.stdout
    assert syntax.stdout.count("does not expect") == 1  # said once, not once per scenario
    good = run_cli_here("check", "crews", "--query", get("crews").solution, env=env)
    assert good.returncode == 0 and "PASSED" in good.stdout
    assert "hidden scenario 1" in good.stdout and "hidden scenario 2" in good.stdout and "tiny" not in good.stdout
    assert (tmp_path / "state" / "course-secret").exists()  # made on first use, in the state folder
    progress = run_cli_here("progress", env=env)
    offered = 1 + len(case_catalogue())  # the lab's total: the case exercises count too
    assert f"1/{offered} exercises passed" in progress.stdout and f"{hints} hint(s) used" in progress.stdout
    listing = run_cli_here("exercises", env=env)
    assert "passed" in listing.stdout.splitlines()[1]


def test_progress_is_kept_per_course(tmp_path, monkeypatch):
    from linklab.progress import Progress, record_check

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path))
    record_check("eve", "course-a", "crews", True, "passed", "MATCH ...")
    record_check("eve", "course-b", "crews", False, "failed", "MATCH ...")
    assert Progress.load("eve", "course-a").status("crews") == "passed"
    assert Progress.load("eve", "course-b").status("crews") == "trying"


def test_an_older_progress_file_is_taken_over_once(tmp_path, monkeypatch):
    from linklab.progress import Progress, record_check

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path))
    (tmp_path / "progress").mkdir()
    (tmp_path / "progress" / "eve@course-a.json").write_text(json.dumps(
        {"exercises": {"crews": {"hints": 2, "attempts": 3, "passed": True, "feedback": "passed"}}}))
    record_check("eve", "course-a", "crews", False, "wrong", "RETURN 1")
    entry = Progress.load("eve", "course-a").exercises["crews"]
    assert (entry["hints"], entry["attempts"], entry["passed"], entry["feedback"]) == (2, 4, True, "wrong")
    (tmp_path / "progress" / "eve@course-b.json").write_text("{broken")
    with pytest.raises(LinklabError, match="is damaged"):
        Progress.load("eve", "course-b")


def test_progress_from_many_processes_at_once_loses_nothing(tmp_path, monkeypatch):
    """Eight processes each record five checks and take hints at the same time (loopback-free: SQLite)."""
    import subprocess
    import sys

    script = ("import sys; from linklab.progress import record_check, take_hint\n"
              "for i in range(5):\n"
              "    record_check('zoe', 'c', 'crews', i == 4 and sys.argv[1] == '0', f'try {i}', f'q{i}')\n"
              "    take_hint('zoe', 'c', 'crews', 30)\n")
    env = {**os.environ, "LINKLAB_HOME": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n)], env=env) for n in range(8)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path))
    from linklab.progress import Progress
    entry = Progress.load("zoe", "c").exercises["crews"]
    assert (entry["attempts"], entry["hints"], entry["passed"]) == (40, 30, True)


def test_a_check_stopped_while_the_server_was_busy_is_not_graded(monkeypatch):
    """A run the guard stopped at its time limit while it mostly waited for a CPU (`time_busy`,
    tests/test_guard_server.py shows the real server telling the two apart) gives no verdict: the check is
    NOT GRADED, counts nothing and says to check again; a run stopped while it worked is the answer's doing."""
    from linklab import feedback
    from linklab.grade import engine
    from linklab.grade.guard import refused
    from linklab.grade.status import Status

    monkeypatch.setattr(engine.health, "watch", lambda *args: None)
    stopped = {"code": "time_busy"}

    def run_answer(*args, **kwargs):
        raise refused(stopped["code"], "time", seconds=10)

    monkeypatch.setattr(engine, "run_answer", run_answer)
    monkeypatch.setattr(engine.health, "probe", lambda *args: type("Up", (), {"usable": True})())
    monkeypatch.setattr(engine.health, "warm_retry_due", lambda *args: False)
    busy = check_answer(None, get("crews"), "RETURN 1", ScenarioKey("investigation", "tiny", 1))
    assert busy.status is Status.NOT_GRADED and not busy.status.is_verdict
    assert busy.feedback == feedback.NOT_GRADED["slow"]
    stopped["code"] = "time"
    own = check_answer(None, get("crews"), "RETURN 1", ScenarioKey("investigation", "tiny", 1))
    assert own.status is Status.REFUSED and own.limit == "time"


def test_a_stop_at_the_limit_is_the_busy_servers_doing_only_if_the_whole_check_mostly_waited():
    """Budget.busy_stop weighs the whole check: the worlds already run (their measured waits) and the run the
    watchdog stopped (its share of time on a CPU)."""
    from linklab.grade.evaluate import Budget

    def stop(ran_s: float, share: float | None) -> Refused:
        refusal = Refused("stopped", "time", "time")
        refusal.ran_s, refusal.share = ran_s, share
        return refusal

    assert Budget(10, spent=10.2).busy_stop(stop(10.2, 0.1))  # waited nine tenths of the limit
    assert not Budget(10, spent=10.2).busy_stop(stop(10.2, 0.9))  # worked: the answer's own doing
    assert Budget(10, spent=10.1, worked=2).busy_stop(stop(1.0, 0.1))  # earlier worlds mostly waited too
    assert not Budget(10, spent=10.1, worked=9).busy_stop(stop(1.0, 0.1))  # earlier worlds worked
    assert not Budget(1, spent=0.95, worked=0.95).busy_stop(stop(0.0, 0.0))  # the budget went on runs that worked
    assert not Budget(10, spent=10.2).busy_stop(stop(10.2, None))  # CPU time not tracked: as it always was
    assert not Budget(10, spent=10.2).busy_stop(Refused("too many rows", "rows", "rows"))


def test_a_tie_probe_stopped_while_the_server_was_busy_gives_no_verdict(monkeypatch):
    """A right answer's rows are probed with its ties settled both ways (grade.ordering); a probe the busy
    server stopped proves nothing, so the check is NOT GRADED rather than passed unprobed (or failed)."""
    from linklab.grade import engine
    from linklab.grade.expected import answer_key
    from linklab.grade.guard import RunResult, refused
    from linklab.grade.status import Status

    crews, key = get("crews"), ScenarioKey("investigation", "tiny", 1)
    right = RunResult(["crew", "members"], [list(row) for row in answer_key(crews, key).expected.rows])
    monkeypatch.setattr(engine, "run_fairly", lambda *args: right)
    monkeypatch.setattr(engine, "tie_breaks", lambda query, ordered: ["a probe with its ties settled"])

    def probe(*args, **kwargs):
        raise refused("time_busy", "time", seconds=10)

    monkeypatch.setattr(engine, "run_answer", probe)
    assert check_answer(None, crews, crews.solution, key).status is Status.NOT_GRADED
    monkeypatch.setattr(engine, "tie_breaks", lambda query, ordered: [])
    assert check_answer(None, crews, crews.solution, key).status is Status.PASSED  # unprobed: the rows decide
