"""Leases, time limits and re-grading against the real server: what runs beside a check never changes
its verdict. Every loop here is bounded in count and time, and talks to the test server on loopback."""

from __future__ import annotations

import json
import threading
import time

import neo4j
import pytest

from linklab import lease
from linklab.errors import LinklabError
from linklab.exercises.catalogue import get
from linklab.grade.batch import grade_class
from linklab.grade.engine import Budget, ScenarioKey, check_answer, check_on_scenarios, graphs_for, summarise
from linklab.grade.loading import ensure_loaded, is_loaded
from linklab.grade.scenarios import scenarios_for
from linklab.grade.guard import Limits, Refused, check_text, run_guarded, terminate
from linklab.grade.loading import load_and_hold
from linklab.load import loaded, observe, reset

from .conftest import SUITE_COURSE

X = ScenarioKey("investigation", "tiny", 501)
Y = ScenarioKey("investigation", "tiny", 502)
HUB = get("hub-messages")
WRONG_HUB = ("MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(q:Person) "
             "RETURN p.name, count(DISTINCT q) AS c ORDER BY c DESC LIMIT 1")
RUNAWAY = "MATCH (a), (b), (c), (d) WHERE a.id + b.id + c.id + d.id <> '' RETURN count(*) AS n"


def in_threads(*targets, timeout: float = 120) -> list:
    """Run the callables at once; their results (or the exception each raised), in order."""
    results: list = [None] * len(targets)

    def wrap(i, target):
        try:
            results[i] = target()
        except BaseException as exc:  # reported to the test, not lost in a thread
            results[i] = exc
    threads = [threading.Thread(target=wrap, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a thread did not finish in time"
    return results


# ---------------------------------------------------------------- leases


def test_two_writers_never_overlap(driver):
    spans = []

    def write(tag):
        for _ in range(3):
            with lease.acquire(driver, "neo4j", "exclusive", tag):
                began = time.monotonic()
                time.sleep(0.05)
                spans.append((began, time.monotonic()))
    assert in_threads(lambda: write("a"), lambda: write("b")) == [None, None]
    spans.sort()
    assert all(end <= nxt for (_, end), (nxt, _) in zip(spans, spans[1:]))


def test_a_check_in_progress_holds_off_a_writer(driver):
    ensure_loaded(driver, X)
    with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        tx = session.begin_transaction()
        state, props = lease.read_under_lock(tx)
        assert state is not None and not state.writer and X.matches(props)
        granted = []
        writer = threading.Thread(target=lambda: granted.append(
            lease.acquire(driver, "neo4j", "exclusive", "test writer")))
        writer.start()
        time.sleep(0.8)
        assert not granted, "a writer got in while a check held the shared lock"
        tx.rollback()
    writer.join(10)
    assert granted
    granted[0].release()


def test_readers_of_the_loaded_world_share_it_and_a_load_waits_for_them(driver):
    """Batches on the world that is loaded (a preparation runs two side by side) each take a shared lease and
    do not wait for each other; a load of another world waits until both are done."""
    ensure_loaded(driver, X)
    first, loaded_now = load_and_hold(driver, X)
    assert not loaded_now
    other = []
    try:
        (second, loaded_now), = in_threads(lambda: load_and_hold(driver, X), timeout=20)
        assert not loaded_now
        loader = threading.Thread(target=lambda: other.append(load_and_hold(driver, Y)))
        loader.start()
        time.sleep(1.0)
        assert not other, "another world was loaded under two readers"
        second.release()
        time.sleep(0.5)
        assert not other, "another world was loaded under a reader"
    finally:
        first.release()
    loader.join(120)
    assert other and other[0][1] and is_loaded(driver, Y)
    other[0][0].release()


def test_a_dead_holders_lease_expires_and_a_waiter_says_so(driver):
    dead = lease.acquire(driver, "neo4j", "exclusive", "a process that dies", ttl_s=1.5)
    dead._stop_heartbeat()  # as if killed: nobody renews it, nobody releases it
    heard = []
    began = time.monotonic()
    with lease.acquire(driver, "neo4j", "exclusive", "next", on_wait=heard.append):
        waited = time.monotonic() - began
    assert 0.5 < waited < 10
    assert len(heard) == 1 and "a process that dies" in heard[0] and "waiting" in heard[0]


def test_a_load_that_lost_its_lease_stays_incomplete(driver):
    held = lease.acquire(driver, "neo4j", "exclusive", "stalls", ttl_s=1.0)
    held._stop_heartbeat()
    time.sleep(1.2)
    thief = lease.acquire(driver, "neo4j", "exclusive", "takes over")  # the lease expired
    with pytest.raises(LinklabError, match="lost its lease"):
        reset(driver, graphs_for(X).scenario, lease=held)
    assert loaded(driver).state == "incomplete"
    thief.release()
    ensure_loaded(driver, X)
    assert is_loaded(driver, X)


# ---------------------------------------------------------------- verdicts while others load


def test_checks_while_resets_run_keep_their_serial_verdicts(driver):
    ensure_loaded(driver, X)
    serial = {(q, k): check_answer(driver, HUB, q, k).status for q in (HUB.solution, WRONG_HUB) for k in (X, Y)}
    assert serial[(HUB.solution, X)] == "passed" and serial[(WRONG_HUB, X)] == "failed"
    stop = time.monotonic() + 25

    def resets():
        n = 0
        while time.monotonic() < stop and n < 6:
            reset(driver, graphs_for(Y if n % 2 == 0 else X).scenario)
            n += 1
        return n

    def checks(query, key):
        seen = []
        while time.monotonic() < stop and len(seen) < 8:
            seen.append(check_answer(driver, HUB, query, key).status)
        return seen

    results = in_threads(resets, lambda: checks(HUB.solution, X), lambda: checks(WRONG_HUB, X),
                         lambda: checks(HUB.solution, Y))
    assert not any(isinstance(r, BaseException) for r in results), results
    assert results[0] >= 2
    for (query, key), seen in zip([(HUB.solution, X), (WRONG_HUB, X), (HUB.solution, Y)], results[1:]):
        assert seen and set(seen) == {serial[(query, key)]}, (key, seen)


def test_concurrent_gds_checks_keep_their_own_graphs(driver):
    exercise = get("betweenness-gds")
    key = ScenarioKey("investigation", "tiny", 503)
    ensure_loaded(driver, key)
    statuses = in_threads(*[lambda: [check_answer(driver, exercise, exercise.solution, key).status
                                     for _ in range(3)] for _ in range(3)])
    assert statuses == [["passed"] * 3] * 3
    left = driver.execute_query("CALL gds.graph.list() YIELD graphName RETURN count(*) AS n").records[0]["n"]
    assert left == 0


@pytest.mark.parametrize("query", [
    "CALL gds.graph.project('mine', 'Account', 'FOLLOWS') YIELD graphName RETURN graphName",
    "CALL gds.graph.drop('linklab-check-0123456789ab') YIELD graphName RETURN graphName",
    "CALL gds.graph.list() YIELD graphName RETURN graphName",
    "RETURN gds.graph.project(\"x\", null, null) AS g",
])
def test_answers_touch_no_graph_but_their_own(query):
    with pytest.raises(Refused, match="GDS graph|gds.graph.list"):
        check_text(query)


# ---------------------------------------------------------------- limits that hold end to end


def test_an_oversized_answer_is_refused_at_once(driver):
    query = "RETURN [" + ",".join(str(i) for i in range(200_000)) + "] AS xs"
    began = time.monotonic()
    results = check_on_scenarios(HUB, query, [X, Y], lambda key: iter([(driver, True)]))
    assert time.monotonic() - began < 1
    assert [r.status for r in results] == ["refused", "skipped"]
    assert results[0].limit == "size" and "characters" in results[0].feedback
    assert summarise(HUB, results).limit == "size"


def test_a_runaway_answer_costs_one_limit_for_the_whole_check(driver):
    for key in (X, Y):
        ensure_loaded(driver, key)
    limits = Limits(timeout_s=2)
    began = time.monotonic()
    results = check_on_scenarios(HUB, RUNAWAY, [X, Y, X], lambda key: iter([(driver, True)]), limits)
    wall = time.monotonic() - began
    assert wall < limits.timeout_s + 1, wall
    assert [r.status for r in results] == ["refused", "skipped", "skipped"]
    assert results[0].limit == "time" and "2 s time limit" in results[0].feedback


def test_one_budget_is_shared_by_the_scenarios_of_a_check(driver):
    ensure_loaded(driver, X)
    budget = Budget(1.0, spent=0.95, worked=0.95)  # earlier worlds' runs worked that long
    result = check_answer(driver, HUB, RUNAWAY, X, Limits(timeout_s=1), budget=budget)
    assert result.status == "refused" and result.limit == "time" and result.seconds < 1.5


def test_the_watchdog_terminates_a_run_by_its_tag(driver):
    errors = []

    def slow():
        try:
            with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
                with session.begin_transaction(metadata={"linklab_check": "tag-under-test"}) as tx:
                    tx.run(RUNAWAY).consume()
        except neo4j.exceptions.Neo4jError as exc:
            errors.append(exc.code)
    thread = threading.Thread(target=slow)
    began = time.monotonic()
    thread.start()
    time.sleep(0.5)
    terminate(driver, "neo4j", "tag-under-test")
    thread.join(10)
    assert time.monotonic() - began < 5 and errors and "Terminated" in errors[0]


def test_the_row_cap_names_its_limit(driver):
    ensure_loaded(driver, X)
    with pytest.raises(Refused) as refused:
        run_guarded(driver, "UNWIND range(1, 20) AS i RETURN i", limits=Limits(max_rows=5))
    assert refused.value.limit == "rows"


# ---------------------------------------------------------------- re-grading


def test_a_changed_answer_is_graded_again(driver, tmp_path):
    out = tmp_path / "results"
    first = grade_class(driver, {"dee": {"hub-messages": WRONG_HUB}}, SUITE_COURSE, out)
    assert not next(v for v in first.verdicts["dee"] if v.exercise == "hub-messages").passed
    fixed = grade_class(driver, {"dee": {"hub-messages": HUB.solution}}, SUITE_COURSE, out)
    scenarios = len(scenarios_for(HUB, SUITE_COURSE, "dee"))  # the course secret chooses how many hidden ones
    assert fixed.checks_run == scenarios
    assert next(v for v in fixed.verdicts["dee"] if v.exercise == "hub-messages").passed
    again = grade_class(driver, {"dee": {"hub-messages": HUB.solution}}, SUITE_COURSE, out)
    assert again.checks_run == 0  # the same text, exercise and linklab: nothing to do
    rows = [json.loads(line) for line in (out / "checks.jsonl").read_text().splitlines()]
    assert len(rows) == 2 * scenarios and all(len(r["answer_sha256"]) == 64 and r["exercise_version"] and r["linklab_version"]
                                  for r in rows)


def test_a_half_written_line_is_never_glued_to_the_next(driver, tmp_path):
    out = tmp_path / "results"
    grade_class(driver, {"eve": {"crews": get("crews").solution}}, SUITE_COURSE, out)
    log = out / "checks.jsonl"
    log.write_text(log.read_text() + '{"job": "cut short by a cra')
    grade_class(driver, {"eve": {"crews": WRONG_HUB}}, SUITE_COURSE, out)
    lines = log.read_text().splitlines()
    scenarios = len(scenarios_for(get("crews"), SUITE_COURSE, "eve"))
    assert lines[scenarios] == '{"job": "cut short by a cra'
    assert [json.loads(line)["exercise"] for line in lines[scenarios + 1:]] == ["crews"] * scenarios


def test_a_refused_answer_is_not_run_on_the_other_scenarios_in_grading(driver, tmp_path):
    result = grade_class(driver, {"fay": {"hub-messages": "MATCH (n RETURN n"}}, SUITE_COURSE, tmp_path / "r")
    verdict = next(v for v in result.verdicts["fay"] if v.exercise == "hub-messages")
    skipped = len(scenarios_for(HUB, SUITE_COURSE, "fay")) - 1
    assert [c.status for c in verdict.checks] == ["refused"] + ["skipped"] * skipped
    assert "Syntax error on line 1" in verdict.feedback


def test_observe_reports_a_load_under_way(driver):
    held = lease.acquire(driver, "neo4j", "exclusive", "observed loader")
    try:
        current = observe(driver)
        assert current.state == "loading" and "observed loader" in current.problem()
    finally:
        held.release()
    assert observe(driver).state in ("complete", "incomplete", "empty")


def test_the_deadline_holds_whatever_the_server_or_client_does(driver):
    """The watchdog's promise, on its own: even a run whose server side never times out (here a stall
    before the answer is sent) comes back within the limit plus the grace, as a time refusal."""
    ensure_loaded(driver, X)
    began = time.monotonic()
    with pytest.raises(Refused) as refused:
        run_guarded(driver, "RETURN 1 AS one", limits=Limits(timeout_s=1), prepare=lambda tx: time.sleep(4))
    assert time.monotonic() - began < 2 and refused.value.limit == "time"


def test_the_explain_verdict_is_remembered_per_server(driver):
    from linklab.grade.guard import EXPLAINED, server_of

    query = "MATCH (p:Person) RETURN count(p) AS people, 'explain cache probe' AS probe"
    run_guarded(driver, query + " // a trailing comment is not sent")
    assert (server_of(driver), "neo4j", query) in EXPLAINED
    assert not any(entry[2] == query and entry[0] != server_of(driver) for entry in EXPLAINED)


def test_loading_a_scenario_is_not_charged_to_the_answer(driver):
    ensure_loaded(driver, X)
    budget = Budget(2.0)
    result = check_answer(driver, HUB, HUB.solution, Y, Limits(timeout_s=2), budget=budget)  # Y must be loaded
    assert result.passed and budget.spent < 1.0


def test_a_scenario_an_older_generator_loaded_is_loaded_again(driver):
    """The same seed from another version of the generator is other data: its answer keys would not fit."""
    ensure_loaded(driver, X)
    from linklab import keys

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "generator_digest", lambda: "an-older-generator")
        assert not is_loaded(driver, X)
    assert is_loaded(driver, X)
