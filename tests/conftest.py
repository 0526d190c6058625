"""Shared fixtures. Database tests use a real Neo4j: a separate local `test` server (bolt 7689), so the
suite never wipes the scenario a trainee explores on 7687. LINKLAB_TEST_URI points them elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

import pytest

from linklab import server as srv
from linklab.config import Connection, local_password
from linklab.db import connect
from linklab.scenario.generate import generate
from linklab.scenario.model import Scenario

from .browser import browser, shots  # noqa: F401  a headless Chromium and a screenshot folder, for browser tests

ROOT = Path(__file__).resolve().parent.parent
# A course's preparation tries fewer varied candidate worlds in the suite than in a class (grade.worlds): the
# tests that measure what a full pool kills set their own.
os.environ.setdefault("LINKLAB_CANDIDATES", "2")
os.environ.setdefault("LINKLAB_EQUIVALENCE_POOL", "0")
os.environ.setdefault("LINKLAB_CASE_CANDIDATES", "4")
# Every fixed port the tests use is shifted by LINKLAB_TEST_PORT_OFFSET, so that two checkouts on one machine
# (a worktree beside main) can run their suites at once without reaching each other's servers.
PORT_OFFSET = int(os.environ.get("LINKLAB_TEST_PORT_OFFSET", "0"))


# Test tiers (`pytest -m unit`, `-m integration`, `-m browser`; `make test` runs them all). A test's tier follows
# from what it asks for: the `conn` fixture (the real Neo4j test server, and every fixture built on it) makes it
# an integration test, the `browser` fixture a browser test; a module or a parameter can say so itself
# (pytestmark, pytest.param(..., marks=...)). The rest are unit tests: no Java, no Neo4j, no browser, and all
# of them within a minute; a pure check that is heavier (more seeds, a larger size) than that allows runs its
# extra cases in the integration tier, and keeps the same check on a smaller input in the unit tier.
TIERS = {
    "unit": "needs no Java, no Neo4j and no browser (pytest -m unit: under a minute)",
    "integration": "runs against the real Neo4j test server (and the extra cases of heavier pure checks)",
    "browser": "drives a real Chromium against a real server",
}


def pytest_configure(config) -> None:
    for name, what in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")


# Under xdist (`make test` runs the unit tier a file per worker), the unit tier's two longest files start first,
# one on each worker: sorted last by name, test_variation.py was the tier's tail, alone on one worker.
LONGEST_FIRST = ("test_mutation.py", "test_variation.py")


def pytest_collection_modifyitems(config, items) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):  # (every worker sorts alike: xdist needs one order)
        items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("browser") or "browser" in fixtures:
            item.add_marker("browser")
        elif item.get_closest_marker("integration") or "conn" in fixtures:
            item.add_marker("integration")
        else:
            item.add_marker("unit")


@cache
def generated(profile: str, size: str, seed: int) -> Scenario:
    """generate(profile, size, seed), once per test session: tests/test_truth.py and tests/test_variation.py
    read the same tiny scenarios. Only for tests that read a scenario without changing it (vary copies
    what it reads: test_vary_changes_no_generated_scenario); a test of generation itself calls generate."""
    return generate(profile, size, seed)


def shifted_port(port: int) -> int:
    return port + PORT_OFFSET


TEST_SERVER = dict(name="test", bolt_port=shifted_port(7689), http_port=shifted_port(7476), heap="3g", pagecache="1g")


@pytest.fixture(scope="session")
def conn() -> Connection:
    uri = os.environ.get("LINKLAB_TEST_URI")
    if uri:
        yield Connection(uri, os.environ.get("NEO4J_USER", "neo4j"), local_password())
        return
    with running(TEST_SERVER) as started:
        yield started


@contextmanager
def running(spec: dict) -> Iterator[Connection]:
    """A local server of the suite's, started if it is not running, and stopped afterwards if it was started here."""
    inst = srv.instance(**spec)
    started = srv.start(inst)
    try:
        yield Connection(inst.uri, "neo4j", local_password())
    finally:
        if not started.already_running:
            srv.stop(inst)


@pytest.fixture(scope="session")
def driver(conn):
    with connect(conn) as drv:
        yield drv


# A second local server, for what needs two (grading beside exploring, a pool of grading servers): small, started
# once per session when a test first asks for it.
SECOND_SERVER = dict(name="pool-test", bolt_port=shifted_port(7780), http_port=shifted_port(7781), heap="1g",
                     pagecache="512m")


@pytest.fixture(scope="session")
def second_conn(conn) -> Connection:
    with running(SECOND_SERVER) as started:
        yield started


@pytest.fixture(scope="session")
def second_driver(second_conn):
    with connect(second_conn) as drv:
        yield drv


@pytest.fixture
def cli_env(conn) -> dict:
    """Environment for running the `linklab` command against the test server."""
    return {**os.environ, "NEO4J_URI": conn.uri, "NEO4J_USER": conn.user, "NEO4J_PASSWORD": conn.password}


def run_cli(*args: str, env: dict | None = None, timeout: float = 600, input: str | None = None):
    """Run the real console script; returns CompletedProcess with text output."""
    return subprocess.run([sys.executable, "-m", "linklab", *args], capture_output=True, text=True,
                          env=env or dict(os.environ), timeout=timeout, cwd=ROOT, input=input)


def run_cli_here(*args: str, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """The `linklab` command run in this process, as the console script runs it (cli.main: its exit codes, its
    one-line errors), with `env` as the whole environment and the checkout as the working folder for the run
    only. The suite's way to run a command (docs/contributing.md says when a test needs run_cli): no new
    Python to start (about a second each), and an error that escapes cli.main fails the test with its traceback
    instead of hiding in a child's stderr."""
    import io
    import logging
    import threading
    from contextlib import redirect_stderr, redirect_stdout

    from linklab import cli

    env = dict(os.environ if env is None else env)  # (linklab reads every setting when it is used: config)
    saved = (dict(os.environ), os.getcwd(), sys.argv, sys.stdin, threading.excepthook,
             list(logging.getLogger("neo4j").handlers), logging.getLogger("neo4j").propagate)
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(ROOT)
        sys.argv, sys.stdin = ["linklab", *args], io.StringIO(input or "")
        with redirect_stdout(out), redirect_stderr(err):
            try:
                cli.main()
            except SystemExit as stopped:
                code = stopped.code
    finally:
        environ, cwd, sys.argv, sys.stdin, threading.excepthook, handlers, propagate = saved
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(cwd)
        logging.getLogger("neo4j").handlers[:] = handlers
        logging.getLogger("neo4j").propagate = propagate
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): Python prints it and exits 1
        err.write(f"{code}\n")
        code = 1
    return subprocess.CompletedProcess(["linklab", *args], code, out.getvalue(), err.getvalue())


def answer_of(exercise) -> str:
    """An exercise's reference as a trainee would paste it: without its comment lines."""
    return "\n".join(line for line in exercise.solution.splitlines() if not line.startswith("//"))


def without_named_mistake(feedback: str) -> str:
    """A known mistake is named only where it is proven on the loads the answer ran on; where a LIMIT cuts
    among ties, which loads prove it may depend on the server (storage order), never the verdict."""
    return feedback.split(" It gives exactly the results of a known mistake")[0]


# The course most tests grade on, under the suite's course secret (.linklab/course-secret, made on first use): its
# hidden worlds are prepared once per run, by the first test that needs them (every exercise offered), and the
# mutant tests, the browser walk and the class grading tests reuse them.
SUITE_COURSE = "test-course"


@contextmanager
def suite_course() -> Iterator[str]:
    """The suite's course, with the content digests computed afresh (they read the candidate pools, which a
    test before may have changed)."""
    from linklab.grade import worlds

    worlds.digest_of_content.cache_clear()
    try:
        yield SUITE_COURSE
    finally:
        worlds.digest_of_content.cache_clear()
