"""`python -m bench lab`: the lab over HTTP on loopback, as a trainee's browser uses it.

Three local servers of their own: the trainee's database (bench-lab, bolt 7694) and two grading servers
(7695, 7696), so that both hidden scenarios of a profile stay loaded, as LINKLAB_GRADING_URI with two URIs
gives. Measured: a new trainee's first checks while the course is prepared in the background (as after
`make up`); the page and what it asks for when an exercise opens; Run and Check of every reference
solution (GDS exercises apart); then 30 simulated trainees checking at once, every verdict compared with
the same answer checked alone. Bounded: a fixed number of requests, all to 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from linklab import server as srv
from linklab.config import Connection, local_password
from linklab.db import connect
from linklab.exercises.catalogue import catalogue
from linklab.load import warm_up

SERVERS = [dict(name="bench-lab", bolt_port=7694, http_port=7481, heap="2g", pagecache="1g"),
           dict(name="bench-grading-1", bolt_port=7695, http_port=7482, heap="1g", pagecache="512m"),
           dict(name="bench-grading-2", bolt_port=7696, http_port=7483, heap="1g", pagecache="512m")]
TRAINEE, COURSE = "bench-trainee", "bench-course"
WRONG = "MATCH (p:Person) RETURN p.name LIMIT 1"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(values: list[float]) -> str:
    return f"p50 {pct(values, .5) * 1000:.0f} ms, p95 {pct(values, .95) * 1000:.0f} ms ({len(values)} requests)"


class Client:
    """One keep-alive HTTP connection, as a browser tab has."""

    def __init__(self, port: int, timeout: float = 120):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[float, dict | bytes]:
        began = time.perf_counter()
        headers = {"X-Linklab": "1", "Content-Type": "application/json"} if body is not None else {}
        self.connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = self.connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - began
        assert response.status == 200, (path, response.status, data[:200])
        return seconds, json.loads(data) if response.headers.get("content-type", "").startswith("application/json") else data


def bench_lab(args) -> None:
    import uvicorn

    instances = [srv.instance(**spec) for spec in SERVERS]
    started = []
    for inst in instances:
        if not srv.start(inst).already_running:
            started.append(inst)
            with connect(Connection(inst.uri, "neo4j", local_password())) as driver:
                warm_up(driver)
    home = tempfile.mkdtemp(prefix="linklab-bench-lab-")
    os.environ.update(NEO4J_URI=instances[0].uri, NEO4J_PASSWORD=local_password(), LINKLAB_HOME=home,
                      LINKLAB_GRADING_URI=",".join(i.uri for i in instances[1:]))
    from linklab.grade.loading import ensure_loaded
    from linklab.service import Databases, exploring
    from linklab.web.app import create_app

    try:
        with Databases() as databases:
            own = exploring(catalogue()[0], TRAINEE, COURSE)
            ensure_loaded(databases.local, own)
            exercises = [e for e in catalogue() if exploring(e, TRAINEE, COURSE) == own]
            port, = srv.free_ports(1)
            app = create_app(TRAINEE, COURSE, databases, prepare=True)  # as `make up` starts it: preparing at once
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            while not server.started:
                time.sleep(0.05)
            first = first_checks(port, exercises[0])
            warm = measure(port, exercises, own, args)
            print(f"  the first right check's answer against a warm check (p95 {pct(warm, .95):.2f} s): "
                  f"{first / pct(warm, .95):.1f} x (goal: under 5 s)")
            server.should_exit = True
            thread.join(10)
    finally:
        for inst in started:
            srv.stop(inst)


def first_checks(port: int, first) -> float:
    """A new trainee, the moment the lab answers after `make up` (a new course: no hidden world chosen yet):
    a wrong answer to exercise 1, then the right one, told at once (wrong; right so far, pending); then, as the
    page does, exercise 1's readiness polled and the right answer checked again until it passes on the hidden
    worlds, and how long the background takes until every world is ready (the warm figures are measured after)."""
    client = Client(port, timeout=3600)
    began = time.perf_counter()
    wrong_s, wrong = client.call("POST", f"/api/exercises/{first.id}/check", {"query": WRONG})
    right_s, right = client.call("POST", f"/api/exercises/{first.id}/check", {"query": first.solution})
    assert wrong["status"] == "failed" and right["status"] in ("pending", "passed"), (wrong, right)
    while True:
        status = client.call("GET", f"/api/preparation?exercise={first.id}")[1]
        if status.get("exercise_ready") or status["state"] != "preparing":
            confirmed = client.call("POST", f"/api/exercises/{first.id}/check", {"query": first.solution})[1]
            if confirmed["status"] != "pending":
                break
        time.sleep(2)
    assert confirmed["passed"], confirmed
    confirmed_s = time.perf_counter() - began
    while (status := client.call("GET", "/api/preparation")[1])["state"] == "preparing":
        time.sleep(2)
    assert status["state"] == "ready", status
    print(f"first checks after `make up` (new course, preparing in the background): exercise 1 wrong "
          f"{wrong_s:.1f} s (told on your own scenario), right {right_s:.1f} s (told as {right['status']}); "
          f"passed on its hidden worlds {confirmed_s:.0f} s after the lab answered; every world ready "
          f"{time.perf_counter() - began:.0f} s after")
    return right_s


def measure(port: int, exercises: list, own, args) -> list[float]:
    """The warm figures; returns the seconds of the checks of reference answers without GDS."""
    client = Client(port)
    print(f"lab on 127.0.0.1:{port}, trainee's scenario {own}, {len(exercises)} exercises on it "
          f"({sum(e.uses_gds for e in exercises)} with GDS); hidden scenarios on two grading servers")
    for e in exercises:  # warm: answer keys, plans, and the hidden scenarios loaded on the grading servers
        client.call("POST", f"/api/exercises/{e.id}/check", {"query": e.solution})
    page_paths = ["/", "/lab/lab.css", "/lab/lab.js"]
    page = client.call("GET", "/")[1].decode()
    page_paths += [p for p in re.findall(r'(?:src|href)="(/static/[^"]+)"', page)]
    opening = []
    for e in exercises * 3:  # what the page asks for when a trainee opens an exercise (assets cached after the first)
        began = time.perf_counter()
        for path in ["/api/exercises", f"/api/exercises/{e.id}", "/api/schema"]:
            client.call("GET", path)
        opening.append(time.perf_counter() - began)
    first = sum(client.call("GET", p)[0] for p in page_paths)
    print(f"  page and its assets, first visit (nothing cached): {first * 1000:.0f} ms")
    print(f"  opening an exercise (list, exercise, schema): {figures(opening)}")
    plain = [e for e in exercises if not e.uses_gds]
    gds = [e for e in exercises if e.uses_gds]
    warm_checks: list[float] = []
    for label, group in (("without GDS", plain), ("GDS", gds)):
        if not group:
            continue
        runs = [client.call("POST", f"/api/exercises/{e.id}/run", {"query": e.solution})[0]
                for _ in range(args.rounds) for e in group]
        checks = []
        for _ in range(args.rounds):
            for e in group:
                seconds, verdict = client.call("POST", f"/api/exercises/{e.id}/check", {"query": e.solution})
                assert verdict["passed"], (e.id, verdict["feedback"])
                checks.append(seconds)
        print(f"  run {label}: {figures(runs)}")
        print(f"  check {label} (your scenario and 2 hidden ones): {figures(checks)}")
        warm_checks += checks if group is plain else []
    answers = [(e, q) for e in plain for q in (e.solution, WRONG)]
    serial = {(e.id, q): client.call("POST", f"/api/exercises/{e.id}/check", {"query": q})[1]["feedback"]
              for e, q in answers}
    rng = random.Random(1)
    plan = [rng.choice(answers) for _ in range(args.trainees * args.checks)]

    def one(job):
        e, q = job
        seconds, verdict = Client(port).call("POST", f"/api/exercises/{e.id}/check", {"query": q})
        return seconds, verdict["feedback"] == serial[(e.id, q)]

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.trainees) as pool:
        outcomes = list(pool.map(one, plan))
    wall = time.perf_counter() - began
    same = sum(ok for _, ok in outcomes)
    print(f"  {args.trainees} trainees checking at once: {len(plan)} checks in {wall:.1f} s, "
          f"{figures([s for s, _ in outcomes])}; {same} of {len(plan)} verdicts equal to the serial one")
    return warm_checks
