"""The neo4j-admin route: the same scenario as the UNWIND route (hash, counts, every value), an import
killed half-way detected and recovered, and the route chosen by server and size.

These tests stop and start a server, so they run on a throwaway one of their own (`pytest-bulk`, Bolt
7697), started and stopped here: the shared test server is never touched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from linklab import bulk, cypher, server as srv
from linklab.config import Connection, local_password
from linklab.db import connect
from linklab.load import database_counts, loaded, observe
from linklab.scenario.admin_csv import TYPES
from linklab.scenario.generate import generate
from linklab.scenario.profiles import profile_names

from .conftest import ROOT, run_cli, shifted_port

pytestmark = pytest.mark.integration  # starts Neo4j servers or linklab processes of its own

BULK_SERVER = dict(name="pytest-bulk", bolt_port=shifted_port(7697), http_port=shifted_port(7698), heap="1g", pagecache="512m")


@pytest.fixture(scope="module")
def bulk_server():
    inst = srv.instance(**BULK_SERVER)
    started = srv.start(inst)
    yield inst
    if not started.already_running:
        srv.stop(inst)


@pytest.fixture
def bulk_driver(bulk_server):
    with connect(Connection(bulk_server.uri, "neo4j", local_password())) as driver:
        yield driver


def contents(driver) -> tuple[list, list]:
    """Every node and relationship with its properties and their Neo4j types, in a stable order."""
    def typed(props: dict) -> list:
        return sorted((k, type(v).__name__, repr(v)) for k, v in props.items())
    nodes = sorted((r["label"], typed(r["props"])) for r in driver.execute_query(cypher.EXPORT_NODES).records)
    rels = sorted((r["sl"], r["s"], r["type"], r["el"], r["e"], typed(r["props"]))
                  for r in driver.execute_query(cypher.EXPORT_RELS).records)
    return nodes, rels


def schema(driver) -> set[str]:
    return {r["name"] for r in driver.execute_query(cypher.SHOW_CONSTRAINTS).records} | {
        r["name"] for r in driver.execute_query(cypher.SHOW_INDEXES).records}


def test_the_import_types_match_every_generated_value():
    """A property missing from TYPES would be imported as a string where UNWIND stores a number."""
    python_type = {"long": int, "double": float, "datetime": str}
    for profile in profile_names():
        for chunk in generate(profile, "class", 3).chunks():
            rows = [r for rows in chunk.nodes.values() for r in rows] + [
                r["p"] for rows in chunk.rels.values() for r in rows]
            for row in rows:
                for prop, value in row.items():
                    assert isinstance(value, python_type.get(TYPES.get(prop), str)), (profile, prop, value)


def test_both_routes_load_the_same_scenario(bulk_server, bulk_driver):
    scenario = generate("investigation", "class", 3)  # markets, wallets, posts with and without a location
    unwind = bulk.reset(bulk_driver, scenario, bulk.Route(False, bulk_server))
    first, first_schema, first_marker = contents(bulk_driver), schema(bulk_driver), observe(bulk_driver).props
    stages = []
    imported = bulk.reset(bulk_driver, scenario, bulk.Route(True, bulk_server), on_stage=stages.append)
    assert "neo4j-admin database import" in stages
    marker = observe(bulk_driver)
    assert marker.state == "complete"
    assert imported.meta["hash"] == unwind.meta["hash"] == marker.props["hash"]
    assert imported.meta["counts"] == unwind.meta["counts"] == marker.counts == database_counts(bulk_driver)
    assert contents(bulk_driver) == first
    assert schema(bulk_driver) == first_schema
    times = {"started_at", "loaded_at"}
    assert {k: v for k, v in marker.props.items() if k not in times} == {
        k: v for k, v in first_marker.items() if k not in times}
    assert not bulk_server.replacing_file.exists()


def test_a_killed_bulk_import_is_detected_and_recovered(bulk_server):
    env = {**os.environ, "NEO4J_URI": bulk_server.uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": local_password()}
    process = subprocess.Popen([sys.executable, "-m", "linklab", "reset", "--size", "3000", "--seed", "4", "--bulk"],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        importer, deadline = None, time.monotonic() + 180
        while importer is None and process.poll() is None and time.monotonic() < deadline:
            try:  # the record names neo4j-admin's pid once the import runs
                importer = json.loads(bulk_server.replacing_file.read_text()).get("importer")
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        assert importer, "the import never started"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    deadline = time.monotonic() + 30  # the importer dies with its parent
    while os.path.exists(f"/proc/{importer}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert srv.running_pid(bulk_server) is None and bulk_server.replacing_file.exists()

    started = run_cli("server", "start", "--name", "pytest-bulk", env=env)
    assert started.returncode == 0, started.stderr
    shown = run_cli("scenario", env=env)
    assert shown.returncode == 1 and "did not finish" in shown.stderr and "Traceback" not in shown.stderr
    assert not bulk_server.replacing_file.exists()

    recovered = run_cli("reset", "--size", "tiny", "--seed", "4", env=env)  # any reset: here, UNWIND's
    assert recovered.returncode == 0, recovered.stderr
    shown = run_cli("scenario", env=env)
    assert shown.returncode == 0 and "investigation / size tiny" in shown.stdout


def test_the_route_depends_on_the_server_and_the_size(bulk_server):
    local = bulk_server.uri
    assert bulk.choose_route(local, 100_000).bulk and not bulk.choose_route(local, 800).bulk
    assert bulk.choose_route(local, 800, bulk=True).bulk and not bulk.choose_route(local, 100_000, bulk=False).bulk
    remote = bulk.choose_route("neo4j+s://abcd.databases.neo4j.io", 1_000_000)
    assert not remote.bulk and "UNWIND" in remote.note
    assert bulk.choose_route("bolt://127.0.0.1:1", 1_000_000).note  # no local server of ours there


def test_a_big_database_is_wiped_by_replacing_its_store(bulk_server, bulk_driver, monkeypatch):
    bulk.reset(bulk_driver, generate("investigation", "tiny", 2), bulk.Route(False, bulk_server))
    monkeypatch.setattr(bulk, "WIPE_BY_STORE_FROM", 100)  # the tiny scenario counts as big here
    stages = []
    report = bulk.reset(bulk_driver, generate("investigation", "tiny", 2), bulk.Route(False, bulk_server),
                        on_stage=stages.append)
    assert any(s.startswith("replacing the store") for s in stages)
    assert loaded(bulk_driver).state == "complete" and database_counts(bulk_driver) == report.meta["counts"]


def test_a_bulk_reset_that_fails_before_touching_the_server_leaves_what_was_loaded(bulk_server, bulk_driver,
                                                                                    monkeypatch):
    """The import files do not fit on the disk: the server is never stopped, and the scenario it holds stays
    loaded and complete (not "the last reset did not finish")."""
    from .test_faults import FULL_DISK, on_a_full_disk, one_line_error

    bulk.reset(bulk_driver, generate("investigation", "tiny", 2), bulk.Route(False, bulk_server))
    before, pid = observe(bulk_driver), srv.running_pid(bulk_server)
    folder = bulk_server.home / "bulk-import"
    folder.mkdir(exist_ok=True)
    env = {**os.environ, "NEO4J_URI": bulk_server.uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": local_password()}
    result = on_a_full_disk(folder, "256k", "true", ["reset", "--size", "3000", "--seed", "5", "--bulk"], env)
    line = one_line_error(result)
    assert f"cannot write the import files in {folder}" in line and "was not touched" in line, line
    assert FULL_DISK or "No space left on device" in line
    after = observe(bulk_driver)
    assert after.state == "complete" and after.props["hash"] == before.props["hash"]
    assert srv.running_pid(bulk_server) == pid  # never stopped


def test_after_the_server_restarts_a_refusal_is_tried_again_on_a_warm_server(bulk_server, bulk_driver):
    """The issue's fault: a grading server killed and restarted. A refusal on the restarted (cold) server is
    not the verdict until the exercise's reference solution warmed it and the answer ran again; right
    answers pass, and once warm a runaway answer costs one limit again."""
    from linklab.exercises.catalogue import get
    from linklab.grade import health
    from linklab.grade.engine import ScenarioKey, check_answer
    from linklab.grade.loading import ensure_loaded
    from linklab.grade.guard import Limits
    from linklab.grade.status import Status

    from .test_faults import RUNAWAY

    hub, key, limits = get("hub-messages"), ScenarioKey("investigation", "tiny", 611), Limits(timeout_s=1.5)
    ensure_loaded(bulk_driver, key)
    assert check_answer(bulk_driver, hub, hub.solution, key).passed  # this process has seen the server warm
    started = health.probe(bulk_driver).started
    os.kill(srv.running_pid(bulk_server), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while (srv.running_pid(bulk_server) or not srv.port_free(bulk_server.bolt_port)) and time.monotonic() < deadline:
        time.sleep(0.2)
    srv.start(bulk_server)
    assert health.probe(bulk_driver).started != started
    said: list[str] = []
    began = time.monotonic()
    refused = check_answer(bulk_driver, hub, RUNAWAY, key, limits, on_wait=said.append)
    assert time.monotonic() - began > 2 * limits.timeout_s and any("warming it up" in m for m in said), said
    assert refused.status is Status.REFUSED and refused.limit == "time"
    assert check_answer(bulk_driver, hub, hub.solution, key).passed
    began = time.monotonic()
    assert check_answer(bulk_driver, hub, RUNAWAY, key, limits).limit == "time"
    assert time.monotonic() - began < 2 * limits.timeout_s  # warm now: one limit
