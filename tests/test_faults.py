"""Grading never reads outside the submission and never keeps a wrong verdict; every fault tells the truth
and loses nothing (issue 17, sections 5 and 6).

Servers are lost on purpose through a loopback proxy in front of the real test server (tests/proxy.py),
cut the moment a command sends a given query, so "in the middle" is one known point. Full disks are real
ones where the machine lets a test mount a tiny tmpfs in a namespace of its own (`unshare`); elsewhere the
same command meets an injected ENOSPC. Every loop is bounded; everything talks to loopback only."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from linklab.config import Connection, state_dir
from linklab.exercises.catalogue import catalogue, get
from linklab.grade import batch, health
from linklab.grade.batch import grade_class
from linklab.grade.engine import ScenarioKey, check_answer, check_on_scenarios, summarise
from linklab.grade.loading import ensure_loaded
from linklab.grade.guard import Limits
from linklab.keys import course_secret
from linklab.grade.records import read_records
from linklab.grade.status import Status
from linklab.load import observe, reset
from linklab.scenario.generate import generate

from .conftest import ROOT, SUITE_COURSE, answer_of, run_cli, run_cli_here
from .proxy import Proxy

X = ScenarioKey("investigation", "tiny", 501)
HUB, CREWS = get("hub-messages"), get("crews")
RUNAWAY = "MATCH (a), (b), (c), (d) WHERE a.id + b.id + c.id + d.id <> '' RETURN count(*) AS n"
COURSE = SUITE_COURSE
LEASE_TEXT = b"MERGE (l:Scenario {id: 'lease'})"  # what every load sends first (lease.LOCK_LEASE)


def port_of(uri: str) -> int:
    return int(uri.rsplit(":", 1)[1])


def one_line_error(result, code: int = 1) -> str:
    """The error: one line, the last one (a command may have said what it was doing before), no traceback,
    none of the driver's retry log."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "retried" not in result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error")]
    assert len(errors) == 1 and lines[-1] == errors[0] and lines[-1].startswith("error: "), result.stderr
    assert not [line for line in lines if line.startswith((" ", "\t"))], result.stderr
    return lines[-1]


def tagged(query: str, tag: str) -> str:
    """The query with a comment the proxy waits for: the server is lost when this answer is sent. (A leading
    comment: the guard sends the statement without what trails it.)"""
    return f"// {tag}\n{query}"


# ---------------------------------------------------------------- only plain files inside the submission


@pytest.fixture
def tricky_submissions(tmp_path) -> tuple[Path, list[str]]:
    """A class folder where every way of reaching outside it is tried, beside answers that are fine; and
    the secrets that must never show up anywhere."""
    secret_file, password_file = state_dir() / "course-secret", state_dir() / "password"
    if not os.environ.get("LINKLAB_COURSE_SECRET"):
        course_secret()  # made on first use: the link below must point at a real secret
    secrets_ = [p.read_text().strip() for p in (secret_file, password_file) if p.exists()]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hub-messages.cypher").write_text("RETURN 'OUTSIDE-CANARY-1' AS name, 1 AS n")
    (outside / "crews.cypher").write_text("RETURN 'OUTSIDE-CANARY-2' AS name, 1 AS n")
    folder = tmp_path / "submissions"
    alice, bob, carol = folder / "alice", folder / "bob", folder / "carol"
    for who in (alice, bob, carol):
        who.mkdir(parents=True)
    (alice / "hub-messages.cypher").symlink_to(secret_file)  # a link to the course secret
    (alice / "crews.cypher").symlink_to(password_file)  # and to the server's password
    (alice / "progress.json").symlink_to(password_file)
    (alice / "alias-unmask.cypher").write_text(get("alias-unmask").solution)  # a real answer
    os.link(outside / "crews.cypher", bob / "crews.cypher")  # the same file as one outside the folder
    os.mkfifo(bob / "hub-messages.cypher")  # would block a reader for ever
    (bob / "alias-unmask.cypher").mkdir()  # a folder named like an answer
    (carol / "hub-messages.cypher").write_text(HUB.solution)
    (folder / "mallory").symlink_to(outside, target_is_directory=True)  # a trainee folder elsewhere
    return folder, secrets_ + ["OUTSIDE-CANARY"]


def test_links_devices_and_files_elsewhere_are_refused_by_name_and_never_read(tricky_submissions, cli_env, tmp_path):
    folder, secrets_ = tricky_submissions
    out = tmp_path / "out"
    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"]}
    graded = run_cli("grade", str(folder), "--out", str(out), "--course", COURSE, env=env)
    assert graded.returncode == 0, graded.stderr
    warnings = [line for line in graded.stderr.splitlines() if line.startswith("warning:")]
    for name, why in (("alice/hub-messages.cypher", "symbolic link"), ("alice/crews.cypher", "symbolic link"),
                      ("alice/progress.json", "symbolic link"), ("bob/crews.cypher", "hard link"),
                      ("bob/hub-messages.cypher", "not a plain file"), ("bob/alias-unmask.cypher", "a folder"),
                      ("mallory", "a link to a folder elsewhere")):
        assert sum(name in line and why in line for line in warnings) == 1, (name, warnings)
    results = json.loads((out / "results.json").read_text())
    assert set(results["trainees"]) == {"alice", "bob", "carol"}  # mallory's folder is elsewhere: not read
    alice = {e["exercise"]: e for e in results["trainees"]["alice"]["exercises"]}
    assert alice["alias-unmask"]["status"] == "passed"
    assert alice["hub-messages"]["status"] == "refused" and "not a plain file" in alice["hub-messages"]["feedback"]
    assert results["trainees"]["alice"]["hints"] == {}
    assert {e["exercise"]: e["status"] for e in results["trainees"]["carol"]["exercises"]}["hub-messages"] == "passed"
    ET.parse(out / "junit.xml")
    single = run_cli("grade", str(folder / "alice"), "--single", "alice", "--out", str(tmp_path / "one"),
                     "--course", COURSE, "--gradescope", str(tmp_path / "gs.json"), env=env)
    assert single.returncode == 0, single.stderr
    written = [p for p in list(out.rglob("*")) + list((tmp_path / "one").rglob("*")) + [tmp_path / "gs.json"]
               if p.is_file()]
    shown = "".join(p.read_text(errors="replace") for p in written) + graded.stdout + graded.stderr + \
        single.stdout + single.stderr
    assert written and all(secret and secret not in shown for secret in secrets_)


def test_a_trainee_name_given_to_single_cannot_be_a_path(tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "crews.cypher").write_text(CREWS.solution)
    line = one_line_error(run_cli_here("grade", str(folder), "--single", "../../escape", "--out", str(tmp_path / "o")))
    assert "cannot be a path" in line and not (tmp_path.parent / "escape").exists()


@pytest.mark.parametrize("layout, args, why", [
    ({"alice/crews.cypher": CREWS.solution, "bob/crews.cypher": CREWS.solution}, ["--single", "alice"],
     "leave out --single"),
    ({"alice/case-degree.cypher": "MATCH (p:Person) RETURN p.name, 1"}, [], "grade them with --case"),
    ({"alice/notes.md": "my answers", "bob/README": "x"}, [], "is named after an exercise"),
    ({"crews.cypher": CREWS.solution}, [], "grade one trainee's folder with --single"),
])
def test_a_grade_that_would_check_nothing_exits_non_zero_and_says_why(tmp_path, layout, args, why):
    folder = tmp_path / "submissions"
    for name, text in layout.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    line = one_line_error(run_cli_here("grade", str(folder), *args, "--out", str(tmp_path / "out")))
    assert "nothing to grade" in line and why in line, line
    assert not (tmp_path / "out" / "results.json").exists()


# ---------------------------------------------------------------- full disks


def can_mount_tmpfs() -> bool:
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True) if shutil.which("unshare") else None
    return probe is not None and probe.returncode == 0


FULL_DISK = can_mount_tmpfs()  # a real full filesystem, or an injected ENOSPC where none can be mounted
INJECT_ENOSPC = textwrap.dedent("""
    # As on a full filesystem under FULL_UNDER: files can be made, but no byte can be written to them, and
    # SQLite cannot add a row.
    import builtins, errno, os, sqlite3, sys
    under = os.environ["FULL_UNDER"]
    real_open, real_connect = builtins.open, sqlite3.connect

    def no_space(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        if any(m in mode for m in "wax+") and os.path.abspath(str(path)).startswith(under):
            handle.write = lambda data: no_space() if data else 0
        return handle

    class FullStore(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                full = sqlite3.OperationalError("database or disk is full")
                full.sqlite_errorcode, full.sqlite_errorname = sqlite3.SQLITE_FULL, "SQLITE_FULL"
                raise full
            return super().execute(sql, *args)

    def full_connect(path, *args, **kwargs):
        if os.path.abspath(str(path)).startswith(under):
            kwargs["factory"] = FullStore
        return real_connect(path, *args, **kwargs)

    builtins.open, sqlite3.connect = full_open, full_connect
    sys.argv = ["linklab", *sys.argv[1:]]
    from linklab.cli import main
    main()
""")


def on_a_full_disk(mount: Path, size: str, before: str, command: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run `before` (shell) with `mount` as a tmpfs of `size`, fill it, then run the linklab `command` there;
    where no tmpfs can be mounted, `command` meets ENOSPC on every write under `mount` instead."""
    linklab = " ".join([sys.executable, "-m", "linklab", *(f"'{c}'" for c in command)])
    if FULL_DISK:
        script = (f"set -e; mount -t tmpfs -o size={size} tmpfs '{mount}'; {before}; "
                  f"dd if=/dev/zero of='{mount}/filler' bs=4k 2>/dev/null || true; set +e; {linklab}; code=$?; "
                  f"rm -f '{mount}/filler'; ls -A '{mount}' > '{mount.parent}/after-listing'; exit $code")
        return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=600)
    subprocess.run(["sh", "-c", f"set -e; {before}"], check=True, env=env, cwd=ROOT, timeout=600)
    result = subprocess.run([sys.executable, "-c", INJECT_ENOSPC, *command], capture_output=True, text=True,
                            env={**env, "FULL_UNDER": str(mount)}, cwd=ROOT, timeout=600)
    (mount.parent / "after-listing").write_text("\n".join(os.listdir(mount) if mount.exists() else []))
    return result


def test_a_full_disk_during_grade_out_names_the_file_and_keeps_the_last_good_results(cli_env, tmp_path):
    folder, out = tmp_path / "submissions", tmp_path / "out"
    (folder / "ann").mkdir(parents=True)
    (folder / "ann" / "crews.cypher").write_text(CREWS.solution)
    (folder / "ann" / "progress.json").write_text(json.dumps({"exercises": {"crews": {"hints": 1}}}))
    out.mkdir()
    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"]}
    grade = ["grade", str(folder), "--out", str(out), "--course", COURSE]
    linklab = " ".join([sys.executable, "-m", "linklab", *grade])
    # the first run fits; then the trainee hands in a new progress.json (no new check, other results) on a full disk
    before = (f"{linklab} >/dev/null 2>&1; cp '{out}/results.json' '{tmp_path}/first.json'; "
              f"echo '{json.dumps({'exercises': {'crews': {'hints': 2}}})}' > '{folder}/ann/progress.json'")
    result = on_a_full_disk(out, "2m", before, grade, env)
    line = one_line_error(result)
    assert f"cannot write {out / 'results.json'}" in line and "No space left on device" in line, line
    assert "last complete results.json is kept" in line
    first = (tmp_path / "first.json").read_text()
    assert json.loads(first)["trainees"]["ann"]["hints"] == {"crews": 1}
    if FULL_DISK:  # the tmpfs is gone with its namespace: what was on it is read back from the listing
        listing = (tmp_path / "after-listing").read_text().split()
    else:
        listing = os.listdir(out)
        assert (out / "results.json").read_text() == first  # the last good results, as they were
    assert not [name for name in listing if name.endswith(".tmp")], listing  # no half-written leftovers


def test_a_full_linklab_home_keeps_the_records_and_never_says_move_them_away(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LINKLAB_")}, "LINKLAB_HOME": str(home),
           "LINKLAB_TRAINEE": "iris", "LINKLAB_COURSE": "full-course"}
    linklab = f"{sys.executable} -m linklab"
    before = f"{linklab} hint crews > /dev/null"  # the store exists and holds one hint
    result = on_a_full_disk(home, "4m", before, ["hint", "crews"], env)
    line = one_line_error(result)
    assert "is full" in line and "intact" in line and "move" not in line, line
    if not FULL_DISK:  # the records are on this disk: still one hint, nothing lost
        shown = run_cli("progress", env=env)
        assert shown.returncode == 0 and "1 hint(s) used" in shown.stdout


def test_sqlite_full_is_told_apart_from_a_damaged_store(tmp_path, monkeypatch):
    """The same judgement on SQLite's own "full" (a page limit), and on a file that is not a database."""
    from linklab.recordstore import connect as open_store, store_error

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path))
    db = open_store()
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError) as full:
        db.executemany("INSERT INTO events (trainee, course, exercise, kind, at, answer) VALUES ('t', 'c', 'e', "
                       "'check', 0, ?)", [("x" * 4000,)] * 50)
    db.close()
    said = store_error(full.value).message
    assert "is full" in said and "intact" in said and "move" not in said
    (tmp_path / "linklab.db").unlink()
    for leftover in tmp_path.glob("linklab.db-*"):
        leftover.unlink()
    (tmp_path / "linklab.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(Exception) as damaged:
        open_store()
    assert "damaged" in str(damaged.value) and "move it away" in str(damaged.value)


# ---------------------------------------------------------------- servers lost and cold


def via(proxy: Proxy, conn: Connection, quick_retries: bool = True):
    """A driver that reaches the server through `proxy` (its transaction functions retry for 1 s, not 30)."""
    return GraphDatabase.driver(proxy.uri, auth=(conn.user, conn.password), notifications_min_severity="OFF",
                                max_transaction_retry_time=1.0 if quick_retries else 30.0)


def test_a_server_that_stops_answering_costs_a_check_seconds_not_minutes(conn, driver):
    """A server that keeps its connections open but answers nothing (hung, or a network that drops what it
    says) leaves the driver reading for two minutes, the connection's receive timeout. A check waits for the
    answer up to its time limit and for each glance after it (how much of that time was on a CPU, whether the
    server is well) seconds only: it comes back not graded, never failed, and never minutes later."""
    from linklab.db import close_after_workers

    ensure_loaded(driver, X)
    with Proxy(port_of(conn.uri)) as proxy, via(proxy, conn) as hung:
        assert check_answer(hung, HUB, HUB.solution, X).passed  # seen well and warm
        proxy.silence()
        began = time.monotonic()
        state = health.probe(hung)
        probed = time.monotonic() - began
        began = time.monotonic()
        result = check_answer(hung, HUB, tagged(HUB.solution, "hung"), X, Limits(timeout_s=1.5), patience_s=5)
        checked = time.monotonic() - began
        proxy.speak()
        close_after_workers(hung, lambda: None)  # what was held back reaches the threads still reading
    assert not state.usable and probed < 2 * health.PROBE_TIMEOUT_S + 5, probed
    assert result.status is Status.NOT_GRADED, result
    assert checked < 60, checked  # the time limit, then the glances (seconds each), not the 120 s read


def test_a_server_lost_during_a_check_and_back_soon_gives_the_answers_own_verdict(conn, driver):
    ensure_loaded(driver, X)
    answer = tagged(HUB.solution, "lost-and-back")
    with Proxy(port_of(conn.uri), trigger=b"lost-and-back", then_down_for=1.5) as proxy, via(proxy, conn) as lossy:
        said: list[str] = []
        result = check_answer(lossy, HUB, answer, X, on_wait=said.append, patience_s=30)
    assert proxy.triggered.is_set()
    assert result.status is Status.PASSED, result
    assert any("not answering" in m for m in said) and any("warming it up" in m for m in said), said


def test_a_server_that_stays_lost_gives_not_graded_never_failed(conn, driver):
    ensure_loaded(driver, X)
    answer = tagged(HUB.solution, "lost-for-good")
    with Proxy(port_of(conn.uri), trigger=b"lost-for-good") as proxy, via(proxy, conn) as lossy:
        began = time.monotonic()
        results = check_on_scenarios(HUB, answer, [X, X], lambda key: iter([(lossy, True)]), patience_s=1)
        wall = time.monotonic() - began
    assert proxy.triggered.is_set() and wall < 15, wall
    assert [r.status for r in results] == [Status.NOT_GRADED, Status.NOT_GRADED]
    verdict = summarise(HUB, results)
    assert verdict.status is Status.NOT_GRADED and not verdict.passed and verdict.mistake == ""
    assert "Not graded" in verdict.feedback and "does not count" in verdict.feedback


def test_a_driver_that_fails_in_another_way_gives_not_graded_never_an_error(conn, driver):
    """Not only a lost connection: any failure of the driver itself (here, one that was closed; under a room's
    load, a pool or a transaction the server closed) is no verdict on the answer, and not an error page."""
    ensure_loaded(driver, X)
    closed = GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password))
    closed.close()
    results = check_on_scenarios(HUB, HUB.solution, [X, X], lambda key: iter([(closed, True)]), patience_s=1)
    assert [r.status for r in results] == [Status.NOT_GRADED, Status.NOT_GRADED]
    assert summarise(HUB, results).status is Status.NOT_GRADED


def test_a_refusal_by_a_server_started_here_is_tried_again_once_it_is_warm(conn, driver):
    """A runaway answer on a cold server: warmed with the reference solution, tried again, and refused for
    time (two limits); the next runaway on the now warm server costs one limit."""
    ensure_loaded(driver, X)
    with Proxy(port_of(conn.uri)) as proxy, via(proxy, conn) as fresh:
        health.started_here(proxy.uri)
        said: list[str] = []
        limits = Limits(timeout_s=1.5)
        began = time.monotonic()
        first = check_answer(fresh, HUB, RUNAWAY, X, limits, on_wait=said.append)
        first_wall = time.monotonic() - began
        began = time.monotonic()
        second = check_answer(fresh, HUB, RUNAWAY, X, limits)
        second_wall = time.monotonic() - began
        for thread in threading.enumerate():  # the watchdog's terminations, before the proxy goes
            if thread.name.endswith("(terminate)"):
                thread.join(10)
    assert (first.status, first.limit, second.status, second.limit) == (Status.REFUSED, "time", Status.REFUSED, "time")
    assert any("warming it up" in m for m in said), said
    assert first_wall > 2 * limits.timeout_s and second_wall < 2 * limits.timeout_s, (first_wall, second_wall)


def test_grading_stops_with_one_line_when_its_server_stays_lost_and_finishes_later(conn, driver, tmp_path,
                                                                                   monkeypatch):
    monkeypatch.setattr(batch, "PATIENCE_S", 1.0)
    answers = {"gus": {"crews": CREWS.solution}, "hal": {"hub-messages": tagged(HUB.solution, "grading-lost")}}
    out = tmp_path / "results"
    with Proxy(port_of(conn.uri), trigger=b"grading-lost") as proxy, via(proxy, conn) as lossy:
        with pytest.raises(Exception) as stopped:
            grade_class(lossy, answers, COURSE, out)
    said = str(stopped.value)
    assert "stopped answering during grading" in said and "checks.jsonl" in said and "not written" in said
    assert "\n" not in said
    records = read_records(out / "checks.jsonl")
    lost = [r for r in records if r.result.status is Status.NOT_GRADED]
    assert len(lost) == 1 and lost[0].answer[0] == "hal"
    recorded = len(records) - 1
    finished = grade_class(driver, answers, COURSE, out)
    total = sum(len(batch.answer_scenarios(answers, catalogue(), COURSE)[(t, e)]) for t in answers for e in answers[t])
    assert finished.checks_run == total - recorded  # what was recorded is not graded again
    passed = {t: [v.exercise for v in vs if v.passed] for t, vs in finished.verdicts.items()}
    assert passed == {"gus": ["crews"], "hal": ["hub-messages"]}


def test_a_load_lost_before_it_touched_the_data_leaves_it_as_it_was(conn, driver):
    ensure_loaded(driver, X)
    before = observe(driver)
    with Proxy(port_of(conn.uri), trigger=LEASE_TEXT) as proxy, via(proxy, conn) as lossy:
        with pytest.raises(Exception) as lost:  # the lease is asked for first: lost right there
            reset(lossy, generate("investigation", "tiny", 7))
    assert "stopped answering" in str(lost.value) and "was not changed" in str(lost.value), lost.value
    after = observe(driver)
    assert after.state == "complete" and after.props["hash"] == before.props["hash"]


def lost_cli(conn: Connection, cli_env: dict, trigger: bytes, args: list[str], extra: dict | None = None):
    """A linklab command whose server is lost when it sends `trigger` (and stays lost)."""
    with Proxy(port_of(conn.uri), trigger=trigger) as proxy:
        env = {**cli_env, "NEO4J_URI": proxy.uri, **(extra or {})}
        result = run_cli(*args, env=env)
        assert proxy.triggered.is_set(), result.stderr
    return result


def test_a_reset_lost_in_the_middle_says_what_it_left_and_what_to_run(conn, cli_env, driver):
    result = lost_cli(conn, cli_env, b"CREATE (n:Person)", ["reset", "--profile", "investigation", "--size", "tiny",
                                                                  "--seed", "8"])
    line = one_line_error(result)
    assert "stopped answering during the reset" in line and "incomplete scenario" in line, line
    assert "run `linklab reset --profile investigation --size tiny --seed 8` again" in line
    assert observe(driver).state == "incomplete"
    told = run_cli("scenario", env=cli_env)
    assert told.returncode == 1 and "did not finish" in told.stderr


def test_an_import_lost_in_the_middle_says_what_it_left_and_what_to_run(conn, cli_env, driver, tmp_path):
    edges = tmp_path / "ring.csv"
    edges.write_text("source,target\n" + "".join(f"p{i},p{(i + 1) % 30}\n" for i in range(30)))
    result = lost_cli(conn, cli_env, b"CREATE (p:Person)", ["import", str(edges), "--name", "lostring"],
                      {"LINKLAB_CASES": str(tmp_path / "cases")})
    line = one_line_error(result)
    assert "stopped answering during the import of case lostring" in line and "incomplete" in line, line
    assert f"run `linklab import {edges} --name lostring` again" in line
    current = observe(driver)
    assert current.state == "incomplete" and "import of case 'lostring' did not finish" in current.problem()


def test_a_check_whose_grading_server_is_lost_is_not_graded_and_not_counted(conn, cli_env, driver):
    from linklab.progress import Progress

    import uuid

    trainee = f"faults-ivy-{uuid.uuid4().hex[:6]}"  # the records are the checkout's: a trainee of this run's own
    answer = tagged(CREWS.solution, "check-lost")
    env = {**cli_env, "LINKLAB_TRAINEE": trainee, "LINKLAB_COURSE": COURSE, "LINKLAB_SERVER_PATIENCE": "1"}
    with Proxy(port_of(conn.uri), trigger=b"check-lost") as proxy:
        result = run_cli("check", "crews", "--query", answer, env={**env, "LINKLAB_GRADING_URI": proxy.uri})
        assert proxy.triggered.is_set()
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert result.stdout.startswith("NOT GRADED crews: Not graded: the grading server was not available")
    assert "Traceback" not in result.stderr and "retried" not in result.stderr
    record = Progress.load(trainee, COURSE)
    assert record.status("crews") == "new" and record.exercises["crews"]["attempts"] == 0


# ---------------------------------------------------------------- re-grading


def test_a_changed_grader_or_exercise_grades_again_and_says_why(driver, tmp_path, monkeypatch):
    answers = {"joy": {"crews": CREWS.solution, "hub-messages": HUB.solution}}
    out = tmp_path / "results"
    first = grade_class(driver, answers, COURSE, out)
    assert first.checks_run > 0 and grade_class(driver, answers, COURSE, out).checks_run == 0
    monkeypatch.setattr(batch, "grader_digest", lambda: "a-newer-grader")
    again = grade_class(driver, answers, COURSE, out)
    assert again.checks_run == first.checks_run and again.out_of_date == {"the grader": first.checks_run}
    real_version = batch.exercise_version
    monkeypatch.setattr(batch, "exercise_version", lambda e: "edited" if e.id == "crews" else real_version(e))
    edited = grade_class(driver, answers, COURSE, out)
    crews_checks = len(batch.answer_scenarios(answers, catalogue(), COURSE)[("joy", "crews")])
    assert edited.checks_run == crews_checks and edited.out_of_date == {"exercise crews": crews_checks}
    assert len(read_records(out / "checks.jsonl")) == 2 * first.checks_run + crews_checks  # nothing rewritten
    real_scenarios = batch.scenarios_for  # the course's hidden scenarios chosen again (other seeds)

    def rechosen(*args, **kwargs):
        own, *hidden = real_scenarios(*args, **kwargs)
        return [own] + [replace(key, seed=key.seed + 1) for key in hidden]
    monkeypatch.setattr(batch, "scenarios_for", rechosen)
    moved = grade_class(driver, answers, COURSE, out)
    hidden = first.checks_run - len(answers["joy"])  # all but each answer's own scenario
    assert moved.checks_run == hidden and moved.out_of_date == {"the course's scenarios": hidden}


def test_a_regrade_keeps_the_old_verdicts_and_the_newest_wins(driver, cli_env, tmp_path):
    folder, out = tmp_path / "submissions", tmp_path / "out"
    for who in ("kim", "lou"):
        (folder / who).mkdir(parents=True)
        (folder / who / "crews.cypher").write_text(CREWS.solution)
    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"]}
    grade = ["grade", str(folder), "--out", str(out), "--course", COURSE]
    assert run_cli(*grade, env=env).returncode == 0
    log = out / "checks.jsonl"
    # a wrong verdict on record, as a cold server once gave: kim's right answer "failed" on their scenario
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    stale = next(r for r in rows if r["trainee"] == "kim")
    log.write_text(log.read_text() + json.dumps({**stale, "status": "refused", "limit": "time",
                                                 "feedback": "Stopped: the query ran longer than the limit."}) + "\n")
    kept = run_cli(*grade, env=env)
    assert kept.returncode == 0 and "kim" in kept.stdout and " 0/25 passed" in kept.stdout.split("kim")[1].splitlines()[0]
    assert run_cli(*grade, "--regrade", "--trainee", "nobody", env=env).returncode == 1
    regraded = run_cli(*grade, "--regrade", "--trainee", "kim", env=env)
    assert regraded.returncode == 0, regraded.stderr
    scenarios = sum(r["trainee"] == "kim" for r in rows)
    assert f"Re-graded {scenarios} recorded check(s)" in regraded.stderr
    assert " 1/25 passed" in regraded.stdout.split("kim")[1].splitlines()[0]
    results = json.loads((out / "results.json").read_text())
    assert [e["status"] for e in results["trainees"]["kim"]["exercises"] if e["exercise"] == "crews"] == ["passed"]
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == len(rows) + 1 + scenarios  # the first verdicts, the stale one and the re-grade: all kept
    assert sum(r["why"] == "regrade" for r in records) == scenarios and all(r["trainee"] == "kim" for r in records
                                                                          if r["why"] == "regrade")


def test_the_lab_shows_not_graded_and_counts_nothing_when_the_grading_server_is_lost(cli_env, driver, browser):
    """In real Chromium: the hidden scenarios' server is lost while the answer runs there; the page says NOT
    GRADED (not NOT YET), the exercise's status and the progress stay as they were; once the server is back
    the same answer passes."""
    import urllib.request
    import uuid

    from selenium.webdriver.common.by import By

    from linklab.service import exploring

    from .browser import console_errors, open_page
    from .test_lab import free_port, wait_for

    trainee = f"faults-lab-{uuid.uuid4().hex[:6]}"  # no progress yet, in a course whose hidden scenarios are chosen
    ensure_loaded(driver, exploring(CREWS, trainee, COURSE))
    answer = tagged(answer_of(CREWS), "lab-lost")
    with Proxy(port_of(cli_env["NEO4J_URI"]), trigger=b"lab-lost") as proxy:
        port = free_port()
        env = {**cli_env, "LINKLAB_GRADING_URI": proxy.uri, "LINKLAB_SERVER_PATIENCE": "1"}
        lab = subprocess.Popen([sys.executable, "-m", "linklab", "lab", "--trainee", trainee, "--course", COURSE,
                                "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "api/exercises", timeout=2)
                    break
                except OSError:
                    assert lab.poll() is None and time.monotonic() < deadline
                    time.sleep(0.3)
            assert open_page(browser, url, "document.body.dataset.ready") == []
            browser.find_element(By.CSS_SELECTOR, 'nav a[data-id="crews"]').click()
            wait_for(browser, "document.getElementById('title').textContent.includes('crews')")
            browser.execute_script("linklabLab.editor.setValue(arguments[0])", answer)
            browser.find_element(By.ID, "check").click()
            wait_for(browser, "document.getElementById('verdict').textContent.startsWith('NOT GRADED')", timeout=120)
            verdict = browser.find_element(By.ID, "verdict")
            assert "not-graded" in verdict.get_attribute("class") and "does not count" in verdict.text
            assert proxy.triggered.is_set()
            assert browser.find_element(By.ID, "progress-text").text.startswith("0 of")
            assert "not yet" not in browser.find_element(By.CSS_SELECTOR, 'nav a[data-id="crews"] .badge').text
            proxy.restore()
            browser.find_element(By.ID, "check").click()
            wait_for(browser, "document.getElementById('verdict').textContent.startsWith('PASSED')", timeout=120)
            wait_for(browser, "document.getElementById('progress-text').textContent.startsWith('1 of')")
            assert console_errors(browser) == []
        finally:
            lab.terminate()
            lab.wait(10)


def test_a_grade_whose_server_is_lost_says_in_one_line_what_is_kept_and_what_to_run(conn, cli_env, tmp_path):
    folder, out = tmp_path / "submissions", tmp_path / "out"
    (folder / "max").mkdir(parents=True)
    (folder / "max" / "crews.cypher").write_text(tagged(CREWS.solution, "grade-cli-lost"))
    with Proxy(port_of(conn.uri), trigger=b"grade-cli-lost") as proxy:
        env = {**cli_env, "LINKLAB_GRADING_URI": proxy.uri, "LINKLAB_SERVER_PATIENCE": "1"}
        result = run_cli("grade", str(folder), "--out", str(out), "--course", COURSE, env=env)
        assert proxy.triggered.is_set()
    line = one_line_error(result)
    assert "stopped answering during grading" in line and "run the same `linklab grade` to finish" in line, line
    assert not (out / "results.json").exists()
    assert [r.result.status for r in read_records(out / "checks.jsonl")] == [Status.NOT_GRADED]
