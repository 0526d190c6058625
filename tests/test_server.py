"""The local server: start/stop/status idempotence, data surviving a restart, and the faults of issue 2.
These use their own instance (ports 7691/7478) so they never disturb the shared test server."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess

import pytest
from neo4j import GraphDatabase

from linklab import server as srv
from linklab.config import local_password

from .conftest import run_cli, shifted_port

pytestmark = pytest.mark.integration  # starts Neo4j servers or linklab processes of its own

NAME, BOLT, HTTP = "pytest-lifecycle", shifted_port(7691), shifted_port(7478)
FLAGS = ["--name", NAME, "--bolt-port", str(BOLT), "--http-port", str(HTTP)]


def processes_of(home) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if srv.ENTRY_POINT in line and str(home) in line]


@pytest.fixture(scope="module")
def lifecycle():
    inst = srv.instance(NAME, BOLT, HTTP, heap="1g", pagecache="256m")
    shutil.rmtree(inst.home, ignore_errors=True)
    srv.write_home(inst)  # remember the small heap for the CLI calls below
    yield inst
    srv.stop(inst)
    shutil.rmtree(inst.home, ignore_errors=True)


def test_start_stop_status_are_idempotent_and_data_survives_restart(lifecycle, monkeypatch, tmp_path):
    first = run_cli("server", "start", *FLAGS)
    assert first.returncode == 0, first.stderr
    assert "started in" in first.stdout and str(lifecycle.log_file) in first.stdout

    again = run_cli("server", "start", *FLAGS)
    assert again.returncode == 0 and "already running" in again.stdout

    status = run_cli("server", "status", "--name", NAME)
    assert status.returncode == 0 and "running (pid" in status.stdout

    with GraphDatabase.driver(lifecycle.uri, auth=("neo4j", local_password())) as driver:
        driver.execute_query("CREATE (:Marker {value: 42})")
        assert driver.execute_query("RETURN 1 AS x").records[0]["x"] == 1
        ranked = driver.execute_query("MATCH (m:Marker) WITH gds.graph.project('marked', m, null) AS g "
                                      "CALL gds.pageRank.stream('marked') YIELD score RETURN count(*) AS n")
        assert ranked.records[0]["n"] == 1
        driver.execute_query("CALL gds.graph.drop('marked') YIELD graphName RETURN graphName")

    stopped = run_cli("server", "stop", "--name", NAME)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    # the server's own log says what happened (its start, its databases) without GDS's progress lines or a line
    # per procedure the allowlist leaves out (linklab.server.SERVER_LOGS)
    debug_log = (lifecycle.home / "logs" / "debug.log").read_text()
    assert "[o.n.i.d.DiagnosticsManager]" in debug_log and "Stopped" in debug_log
    assert "PageRank ::" not in debug_log and "is not on the allowlist" not in debug_log
    assert processes_of(lifecycle.home) == []
    stopped_again = run_cli("server", "stop", "--name", NAME)
    assert stopped_again.returncode == 0 and "not running" in stopped_again.stdout
    status = run_cli("server", "status", "--name", NAME)
    assert status.returncode == 3 and "stopped" in status.stdout

    assert run_cli("server", "start", "--name", NAME).returncode == 0
    with GraphDatabase.driver(lifecycle.uri, auth=("neo4j", local_password())) as driver:
        records = driver.execute_query("MATCH (m:Marker) RETURN m.value AS v").records
    assert [r["v"] for r in records] == [42]
    # a process that points LINKLAB_HOME elsewhere after making the instance (a bench does) still stops it
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "elsewhere"))
    assert srv.stop(lifecycle) and processes_of(lifecycle.home) == []


def test_missing_java_is_a_clear_error(lifecycle):
    env = {**os.environ, "LINKLAB_JAVA": "/nonexistent/java"}
    result = run_cli("server", "start", *FLAGS, env=env)
    assert result.returncode == 1
    assert "Java not found" in result.stderr and "openjdk-17" in result.stderr
    assert "Traceback" not in result.stderr


def test_old_java_is_refused(lifecycle, tmp_path):
    fake = tmp_path / "java"
    fake.write_text('#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    result = run_cli("server", "start", *FLAGS, env={**os.environ, "LINKLAB_JAVA": str(fake)})
    assert result.returncode == 1
    assert "Java 11 found" in result.stderr and "too old" in result.stderr


def test_port_in_use_is_reported_and_leaves_no_process(lifecycle):
    with socket.socket() as blocker:
        # REUSEADDR: the previous test's connections may leave the port in TIME_WAIT; a listener still blocks it
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", BOLT))
        blocker.listen()
        result = run_cli("server", "start", *FLAGS)
    assert result.returncode == 1
    assert f"port {BOLT} (Bolt)" in result.stderr and "already in use" in result.stderr
    assert processes_of(lifecycle.home) == []


def test_failed_start_names_the_log_and_leaves_no_process(lifecycle):
    inst = srv.instance(NAME, BOLT, HTTP)
    inst.heap = "1zz"  # the JVM refuses this heap size (`instance` refuses it up front: set behind its back)
    with pytest.raises(srv.LinklabError) as err:
        srv.start(inst, timeout=60)
    assert "exited with code" in err.value.message and str(inst.log_file) in err.value.message
    assert processes_of(inst.home) == []
    assert srv.running_pid(inst) is None


def test_start_timeout_stops_the_server(lifecycle):
    inst = srv.instance(NAME, BOLT, HTTP, heap="1g")
    with pytest.raises(srv.LinklabError) as err:
        srv.start(inst, timeout=0.5)
    assert "did not answer" in err.value.message and str(inst.log_file) in err.value.message
    assert processes_of(inst.home) == []
    assert not inst.pid_file.exists()


@pytest.mark.parametrize("uri, expected", [
    ("bolt://127.0.0.1:1", "cannot reach Neo4j at bolt://127.0.0.1:1"),
    ("nonsense://x", "invalid NEO4J_URI 'nonsense://x'"),
])
def test_unreachable_or_invalid_uri_is_one_clear_line(uri, expected):
    result = run_cli("doctor", env={**os.environ, "NEO4J_URI": uri})
    assert result.returncode == 1
    assert expected in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_wrong_password_is_one_clear_line(cli_env):
    result = run_cli("doctor", env={**cli_env, "NEO4J_PASSWORD": "definitely-wrong"})
    assert result.returncode == 1
    assert "refused user 'neo4j': wrong password" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_doctor_finds_neo4j_gds_and_apoc(cli_env):
    result = run_cli("doctor", env=cli_env)
    assert result.returncode == 0, result.stdout + result.stderr
    versions = srv.pom_versions()
    assert f"Neo4j {versions['neo4j']} community" in result.stdout
    assert f"GDS {versions['gds']}" in result.stdout
    assert f"APOC {versions['apoc']}" in result.stdout


def test_driver_answers_return_1_gds_and_apoc(driver):
    assert driver.execute_query("RETURN 1 AS x").records[0]["x"] == 1
    assert driver.execute_query("CALL gds.version() YIELD gdsVersion RETURN gdsVersion").records[0][0] \
        == srv.pom_versions()["gds"]
    assert driver.execute_query("RETURN apoc.version() AS v").records[0]["v"] == srv.pom_versions()["apoc"]


def test_server_listens_on_loopback_only_with_safe_settings(lifecycle):
    settings = lifecycle.settings()
    assert settings["server.default_listen_address"] == "127.0.0.1"
    assert settings["server.bolt.listen_address"].startswith("127.0.0.1:")
    assert settings["dbms.security.allow_csv_import_from_file_urls"] == "false"
    assert settings["dbms.usage_report.enabled"] == "false"


def test_a_server_asked_to_stop_is_stopped_within_seconds(lifecycle):
    """A server stops often (a class's servers, every bulk reset, this suite): asked to stop, it is stopped
    within seconds by its own log. Neo4j's Bolt listeners waited 5 s each to stay idle after every connection
    had closed (their "quiet period", off in linklab.server.SHARED_SETTINGS): 10 s more at every stop."""
    import re
    from datetime import datetime

    srv.start(lifecycle)
    with GraphDatabase.driver(lifecycle.uri, auth=("neo4j", local_password())) as driver:
        driver.execute_query("RETURN 1")  # a connection opened and closed, as every user of a server leaves one
    assert srv.stop(lifecycle)
    lines = lifecycle.log_file.read_text().splitlines()
    asked = [line for line in lines if "shutdown initiated" in line][-1]
    stopped = [line for line in lines if line.endswith("INFO  Stopped.")][-1]

    def moment(line: str) -> datetime:
        return datetime.strptime(re.match(r"\S+ [\d:.]+", line).group(0), "%Y-%m-%d %H:%M:%S.%f")

    assert (moment(stopped) - moment(asked)).total_seconds() < 5, (asked, stopped)


def test_a_server_another_process_started_is_stopped_without_waiting_for_it_to_be_reaped(lifecycle):
    """A server started by a long-lived process (a class server, a lab, this suite's fixtures) and stopped by
    another (`linklab server stop`, a bulk reset) has exited as a zombie of its parent: the stop is done then.
    Waiting until the parent reaps it, the stop waited its whole 60 s grace (a bulk reset's "stopping server"
    stage took a minute in the suite)."""
    import time

    srv.start(lifecycle)  # this process is the server's parent, and reaps it only when it waits for it
    pid = srv.running_pid(lifecycle)
    began = time.monotonic()
    stopped = run_cli("server", "stop", "--name", NAME)
    assert stopped.returncode == 0, stopped.stderr
    assert time.monotonic() - began < 30
    assert not srv.alive(pid) and srv.running_pid(lifecycle) is None


def test_a_server_maps_the_class_archive_and_starts_without_a_broken_one(lifecycle, monkeypatch, tmp_path):
    """`linklab server install` (make setup) makes the class archive: a started server maps Neo4j's classes from
    it instead of reading and verifying them from the jars. A broken archive costs only speed: the JVM declines
    it and starts as before."""
    archive, _ = srv.make_class_archive()  # made by `make setup`; made here when a checkout skipped it
    assert srv.archive_accepted(srv.java_executable(), archive)
    assert sorted(srv.dist_dir().glob("classes-*")) == [archive]  # no other Java's, no half-written one
    broken = tmp_path / "broken.jsa"
    broken.write_bytes(b"not a class archive" * 1000)
    assert not srv.archive_accepted(srv.java_executable(), broken)
    with monkeypatch.context() as patched:
        patched.setattr(srv, "class_archive", lambda java: broken)
        started = srv.start(lifecycle)
        assert str(broken) in open(f"/proc/{started.pid}/cmdline").read()
        with GraphDatabase.driver(lifecycle.uri, auth=("neo4j", local_password())) as driver:
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
        srv.stop(lifecycle)
    started = srv.start(lifecycle)
    try:
        assert str(archive) in open(f"/proc/{started.pid}/maps").read()
    finally:
        srv.stop(lifecycle)
