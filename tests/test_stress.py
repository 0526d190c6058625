"""The class at once: concurrent `linklab check` processes, a `linklab grade` and two `linklab reset`s
against one local server (loopback, bounded in count and time). Every verdict equals the one the same
answer gets alone; what `scenario` reports is what is loaded; checks.jsonl loses and repeats nothing."""

from __future__ import annotations

import pytest

import json
import subprocess
import sys
import time
from collections import Counter

import neo4j

from linklab import lease
from linklab.exercises.catalogue import get
from linklab.grade.batch import answer_digest, plan

from .conftest import ROOT, without_named_mistake

pytestmark = pytest.mark.integration  # starts Neo4j servers or linklab processes of its own

COURSE = "stress-course"
WRONG = {
    "crews": "MATCH (o:Organization) RETURN o.name",  # organisations as well as crews
    "hub-messages": ("MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]->(:Account)<-[:USES]-(q:Person) "
                     "RETURN p.name, count(DISTINCT q) AS c ORDER BY c DESC LIMIT 1"),
    "alias-unmask": "MATCH (p:Person) RETURN p.name LIMIT 1",
}
ANSWERS = {  # trainee -> exercise -> answer: right and wrong ones, and one the guard refuses
    "ana": {"crews": get("crews").solution, "hub-messages": WRONG["hub-messages"]},
    "ben": {"hub-messages": get("hub-messages").solution, "alias-unmask": WRONG["alias-unmask"]},
    "cy": {"crews": WRONG["crews"], "alias-unmask": "MATCH (n) DETACH DELETE n"},
}
RESETS = [("investigation", "tiny", "11"), ("investigation", "tiny", "22")]


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "linklab", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def check_args(trainee: str, exercise: str, folder) -> list[str]:
    return ["check", exercise, str(folder / trainee / f"{exercise}.cypher"), "--json", "--trainee", trainee]


def verdict_of(stdout: str) -> tuple:
    verdict = json.loads(stdout)
    return verdict["passed"], without_named_mistake(verdict["feedback"])


def counts_under_lock(driver: neo4j.Driver) -> tuple[dict, dict] | None:
    """(recorded counts, counts of the data) read in one transaction under the shared lock; None while
    a load is under way or the data is incomplete."""
    def work(tx):
        state, props = lease.read_under_lock(tx)
        if state is None or state.writer or not props or not props.get("complete") or "counts" not in props:
            return None  # (a hidden world's marker says nothing of what it holds: nothing to compare)
        labels = {r["l"]: r["c"] for r in tx.run("MATCH (n) WHERE NOT n:Scenario RETURN labels(n)[0] AS l, count(*) AS c")}
        types = {r["t"]: r["c"] for r in tx.run("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c")}
        return json.loads(props["counts"]), {**labels, **types}
    with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        return session.execute_read(work)


def test_checks_grade_and_resets_at_once_keep_every_verdict(driver, cli_env, tmp_path, monkeypatch):
    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"], "LINKLAB_COURSE": COURSE,
           "LINKLAB_HOME": str(tmp_path / "home"), "LINKLAB_COURSE_SECRET": "stress-secret",
           "LINKLAB_EXERCISES": ",".join(WRONG)}  # a course of the exercises answered here: prepared in a minute
    for name in ("LINKLAB_HOME", "LINKLAB_COURSE_SECRET", "LINKLAB_EXERCISES"):  # this process plans the same
        monkeypatch.setenv(name, env[name])
    # as an instructor does before class: the course's hidden scenarios chosen once
    prepared = subprocess.run([sys.executable, "-m", "linklab", "prepare", "--course", COURSE], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=900)
    assert prepared.returncode == 0, prepared.stderr
    folder = tmp_path / "submissions"
    for trainee, answers in ANSWERS.items():
        (folder / trainee).mkdir(parents=True)
        for exercise, text in answers.items():
            (folder / trainee / f"{exercise}.cypher").write_text(text)
    pairs = [(t, e) for t, answers in ANSWERS.items() for e in answers]

    deadline = time.monotonic() + 600
    began = time.monotonic()
    running = [start(check_args(t, e, folder), env) for t, e in pairs]
    finished: dict[int, float] = {}
    grading = start(["grade", str(folder), "--out", str(tmp_path / "together"), "--course", COURSE], env)
    resets = [start(["reset", "--profile", p, "--size", s, "--seed", seed], env) for p, s, seed in RESETS]
    observed = 0
    while any(p.poll() is None for p in running + [grading] + resets):
        assert time.monotonic() < deadline, "the stress run did not finish in 10 minutes"
        finished.update({i: time.monotonic() - began for i, p in enumerate(running)
                         if p.poll() is not None and i not in finished})
        seen = counts_under_lock(driver)
        if seen is not None:
            recorded, actual = seen
            assert actual == recorded, "the marker names a scenario that is not the one loaded"
            observed += 1
        shown = subprocess.run([sys.executable, "-m", "linklab", "scenario", "--json"], capture_output=True,
                               text=True, env=env, cwd=ROOT, timeout=60)
        assert "Traceback" not in shown.stderr
        time.sleep(0.2)
    assert observed > 0
    together = {}
    for (trainee, exercise), proc in zip(pairs, running):
        out, err = proc.communicate()
        assert proc.returncode in (0, 2) and "Traceback" not in err, err
        together[(trainee, exercise)] = verdict_of(out)
        answer_seconds = max(c["seconds"] for c in json.loads(out)["checks"])
        assert answer_seconds < 11, (trainee, exercise, answer_seconds)  # the limit plus one second
    print(f"\nstress: slowest check process {max(finished.values(), default=0):.1f} s wall "
          f"(loads by others included), {observed} consistent observations")
    for proc in [grading] + resets:
        _, err = proc.communicate()
        assert proc.returncode == 0, err

    # the same answers, one at a time
    for trainee, exercise in pairs:
        alone = subprocess.run([sys.executable, "-m", "linklab", *check_args(trainee, exercise, folder)],
                               capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
        assert verdict_of(alone.stdout) == together[(trainee, exercise)], (trainee, exercise)
    assert together[("ana", "crews")][0] and not together[("ana", "hub-messages")][0]
    assert "read-only" in together[("cy", "alias-unmask")][1]
    serial = subprocess.run([sys.executable, "-m", "linklab", "grade", str(folder), "--out",
                             str(tmp_path / "alone"), "--course", COURSE], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=600)
    assert serial.returncode == 0, serial.stderr

    def verdicts(name: str) -> dict:
        data = json.loads((tmp_path / name / "results.json").read_text())
        return {(t, e["exercise"]): (e["passed"], without_named_mistake(e["feedback"]))
                for t, d in data["trainees"].items()
                for e in d["exercises"]}
    assert verdicts("together") == verdicts("alone")
    for pair, verdict in together.items():
        assert verdicts("alone")[pair] == verdict, pair  # check = grade, also under load

    # nothing lost, nothing twice
    from linklab.exercises.catalogue import catalogue
    jobs = plan(ANSWERS, catalogue(), COURSE)
    rows = [json.loads(line) for line in (tmp_path / "together" / "checks.jsonl").read_text().splitlines()]
    assert Counter(r["job"] for r in rows) == Counter(j.ident for j in jobs)
    assert all(r["answer_sha256"] == answer_digest(ANSWERS[r["job"].split("\t")[0]][r["exercise"]]) for r in rows)
