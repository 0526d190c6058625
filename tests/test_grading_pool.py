"""Grading a class over a pool of grading servers: the test server and a second local one (conftest's
second_driver: pool-test, bolt 7780). The pool gives exactly the single server's verdicts, logs every check once, and loads
each scenario on one server only."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from linklab.exercises.catalogue import catalogue, get
from linklab.grade.batch import Job, grade_class, plan, scenario_groups, within_budget
from linklab.grade.engine import CheckResult, ScenarioKey
from linklab.grade.loading import ensure_loaded, is_loaded
from linklab.grade.expected import world_key
from linklab.grade.guard import Limits

from .conftest import run_cli_here, without_named_mistake

pytestmark = pytest.mark.integration  # starts Neo4j servers or linklab processes of its own

COURSE = "pool-course"
ELSEWHERE = ScenarioKey("investigation", "tiny", 4242)  # no class of this course is graded on it


def mutant(exercise: str, name: str) -> str:
    return next(m.query for m in get(exercise).mutants if m.name == name)


CLASS = {
    "ana": {e: get(e).solution for e in ("crews", "hub-messages", "alias-unmask")},
    "ben": {"crews": mutant("crews", "all-organisations"), "hub-messages": get("hub-messages").solution,
            "alias-unmask": "MATCH (n) DETACH DELETE n"},
    "cat": {"crews": get("crews").solution, "hub-messages": mutant("hub-messages", "outgoing-only"),
            "alias-unmask": "MATCH (p:Person RETURN p.name"},  # refused by the server (syntax), not by its text
}


def shown(results) -> dict:
    """Everything a verdict says, without the measured seconds (and the named mistake: see above)."""
    return {trainee: [(v.exercise, v.passed, v.points, without_named_mistake(v.feedback), v.limit,
                       [(c.scenario, c.status, c.feedback, c.limit) for c in v.checks]) for v in verdicts]
            for trainee, verdicts in results.verdicts.items()}


@pytest.fixture(scope="module", autouse=True)
def course_of_three():
    """The course offers the exercises answered here (LINKLAB_EXERCISES): its hidden worlds are prepared for
    them alone, in a minute."""
    with pytest.MonkeyPatch.context() as course:
        course.setenv("LINKLAB_EXERCISES", ",".join(CLASS["ana"]))
        yield


@pytest.fixture(scope="module")
def graded(driver, second_driver, tmp_path_factory):
    single = grade_class(driver, CLASS, COURSE, tmp_path_factory.mktemp("single"), shared=True)
    for each in (driver, second_driver):  # so that every scenario of the class must be loaded again
        ensure_loaded(each, ELSEWHERE)
    out = tmp_path_factory.mktemp("pool")
    pooled = grade_class([driver, second_driver], CLASS, COURSE, out, shared=True)
    return single, pooled, out


def test_the_pool_gives_the_single_servers_verdicts(graded):
    single, pooled, _ = graded
    assert shown(pooled) == shown(single)
    passed = {t: {v.exercise for v in vs if v.passed} for t, vs in pooled.verdicts.items()}
    assert passed == {"ana": {"crews", "hub-messages", "alias-unmask"}, "ben": {"hub-messages"}, "cat": {"crews"}}
    verdicts = {(t, v.exercise): v for t, vs in pooled.verdicts.items() for v in vs}
    statuses = [c.status for c in verdicts["cat", "alias-unmask"].checks]
    assert statuses == ["refused"] + ["skipped"] * (len(statuses) - 1) and len(statuses) >= 3
    assert "read-only" in verdicts["ben", "alias-unmask"].feedback
    assert verdicts["ben", "crews"].checks[0].status == "failed"


def test_every_check_is_logged_exactly_once(graded):
    _, pooled, out = graded
    exercises = tuple(e for e in catalogue() if e.id in CLASS["ana"])
    jobs = {job.ident for job in plan(CLASS, exercises, COURSE, shared=True)}
    logged = Counter(json.loads(line)["job"] for line in (out / "checks.jsonl").read_text().splitlines())
    assert set(logged) == jobs and set(logged.values()) == {1}
    assert 0 < pooled.checks_run < len(jobs)  # ben's deleting answer is refused for its text: never run


def test_each_scenario_is_loaded_on_one_server_only(graded, driver, second_driver):
    _, pooled, _ = graded
    exercises = tuple(e for e in catalogue() if e.id in CLASS["ana"])
    # a world once, whichever organisations its checks ask about
    needed = {world_key(job.key) if isinstance(job.key, ScenarioKey) else job.key
              for job in plan(CLASS, exercises, COURSE, shared=True)}
    assert len(pooled.loads) == 2, "both servers took work"
    loaded = [world_key(key) if isinstance(key, ScenarioKey) else key for keys in pooled.loads.values() for key in keys]
    assert sorted(loaded) == sorted(needed), (pooled.loads, needed)  # every scenario once, on one server
    # seen in the databases themselves: each server holds the last scenario it loaded
    for server, each in enumerate((driver, second_driver)):
        assert is_loaded(each, pooled.loads[server][-1])
        assert not any(is_loaded(each, key) for key in pooled.loads[1 - server])


def test_grade_command_uses_every_server_of_the_pool(graded, cli_env, tmp_path, second_conn):
    single, _, _ = graded
    folder = tmp_path / "submissions"
    for trainee, answers in CLASS.items():
        (folder / trainee).mkdir(parents=True)
        for exercise, text in answers.items():
            (folder / trainee / f"{exercise}.cypher").write_text(text)
    env = {**cli_env, "LINKLAB_GRADING_URI": f"{cli_env['NEO4J_URI']}, {second_conn.uri}"}
    result = run_cli_here("grade", str(folder), "--class", "--out", str(tmp_path / "out"), "--course", COURSE, env=env)
    assert result.returncode == 0, result.stderr
    assert "on 2 grading server(s)" in result.stderr
    graded_here = json.loads((tmp_path / "out" / "results.json").read_text())["trainees"]
    for trainee, verdicts in single.verdicts.items():
        mine = {v["exercise"]: (v["passed"], without_named_mistake(v["feedback"]))
                for v in graded_here[trainee]["exercises"]}
        assert {v.exercise: (v.passed, without_named_mistake(v.feedback)) for v in verdicts} == mine


def check(status: str, seconds: float, limit: str = "") -> CheckResult:
    return CheckResult("crews", "somewhere", status, status, seconds, limit)


def test_the_time_limit_is_for_all_scenarios_together_whatever_ran_first():
    keys = [ScenarioKey("investigation", "class", 1), ScenarioKey("investigation", "tiny", 2, 1), ScenarioKey("investigation", "tiny", 3, 2)]
    limits = Limits(timeout_s=10.0)
    crews = get("crews")
    kept = within_budget(crews, keys, [check("passed", 6), check("passed", 5), check("failed", 1)], limits)
    assert [c.status for c in kept] == ["passed", "refused", "skipped"]
    assert kept[1].limit == "time" and kept[1].feedback == limits.time_message() and kept[1].seconds == 4
    kept = within_budget(crews, keys, [check("failed", 2), check("refused", 1, "rows"), check("passed", 1)], limits)
    assert [c.status for c in kept] == ["failed", "refused", "skipped"] and kept[1].limit == "rows"
    kept = within_budget(crews, keys, [check("passed", 3), check("passed", 3), check("passed", 3)], limits)
    assert [c.status for c in kept] == ["passed"] * 3


def test_scenario_groups_come_whole_and_the_largest_first():
    keys = [ScenarioKey("investigation", "class", 1), ScenarioKey("investigation", "tiny", 2), ScenarioKey("investigation", "tiny", 3)]
    jobs = [Job(f"t{i}", "crews", key) for i in range(4) for key in keys] + [Job("t9", "crews", keys[2])]
    for given in (jobs, list(reversed(jobs))):
        # the largest group first, then the others in scenario order (ties)
        assert [[j.key for j in group] for group in scenario_groups(given)] == \
            [[keys[2]] * 5, [keys[0]] * 4, [keys[1]] * 4]
