"""`python -m bench class`: a class server under a room's load, over loopback.

The real `linklab lab --class` command, in a state folder of its own (.linklab/bench-class) with its own
Neo4j servers from port 7740 (--first-port): the instructor prepares the course and makes room for this
run's trainees (a course admits --trainees; earlier runs' trainees keep their places), then N simulated
trainees join and,
for the given minutes, open exercises, run and check answers (the reference or one of its registered
mistakes) with a few seconds of thought between requests, as people do. Printed: p50/p95 of run and
check, every verdict compared with the same trainee checking the same answer again alone, the records
compared with the checks made, and the memory of the servers and of the lab process. Bounded in trainees,
minutes and requests."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx

from linklab import server as srv
from linklab.config import PROJECT_ROOT
from linklab.exercises.catalogue import catalogue

from .lab import figures

PASSWORD = "bench-instructor-1"
NOT_GRADED = "not graded"  # a check the busy server could not judge: no verdict, nothing counted
EXERCISES = ("crews", "member-accounts", "hub-messages", "hub-calls", "family-ties", "common-contacts",
             "second-degree", "crew-triangles")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def answer_of(exercise) -> str:
    return "\n".join(line for line in exercise.solution.splitlines() if not line.startswith("//"))


class Room:
    """The class server process and its address."""

    def __init__(self, course: str, trainees: int, grading_servers: int | None, port: int, first_port: int):
        self.home = PROJECT_ROOT / ".linklab" / "bench-class"
        self.home.mkdir(parents=True, exist_ok=True)
        srv.install()
        dist = self.home / "neo4j-dist"
        if not dist.exists():
            dist.symlink_to(srv.dist_dir())
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "LINKLAB_"))}
        self.env |= {"LINKLAB_HOME": str(self.home), "LINKLAB_INSTRUCTOR_PASSWORD": PASSWORD}
        self.command = [sys.executable, "-m", "linklab", "lab", "--class", course, "--port", str(port),
                        "--trainees", str(trainees), "--first-port", str(first_port)]
        if grading_servers:
            self.command += ["--grading-servers", str(grading_servers)]
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(self.home / "class.log", "w+")

    def __enter__(self) -> "Room":
        began = time.perf_counter()
        self.process = subprocess.Popen(self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        while True:
            try:
                urllib.request.urlopen(self.url + "/join", timeout=2)
                break
            except OSError:
                if self.process.poll() is not None:
                    self.log.seek(0)
                    raise SystemExit(f"the class server stopped:\n{self.log.read()}")
                time.sleep(1)
        self.log.seek(0)
        self.code = self.log.read().split("course code ")[1].split(")")[0]
        print(f"class server up in {time.perf_counter() - began:.0f} s at {self.url} (course code {self.code})")
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(30)
        subprocess.run(self.command + ["--stop"], env=self.env, capture_output=True, timeout=300)
        self.log.close()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-Linklab": "1", "Origin": self.url}, timeout=300)

    def servers(self) -> dict[str, float]:
        """Each running class server's resident memory, in MiB."""
        found = {}
        for inst_file in sorted((self.home / "servers").glob("class-*/instance.json")):
            pid_file = inst_file.parent / "run" / "neo4j.pid"
            pid = int(pid_file.read_text()) if pid_file.exists() else 0
            if pid and rss_mb(pid):
                found[inst_file.parent.name] = rss_mb(pid)
        return found

    def memory(self) -> str:
        parts = [f"{name} {mb / 1024:.2f} GiB" for name, mb in self.servers().items()]
        parts.append(f"lab process {rss_mb(self.process.pid):.0f} MiB")
        return ", ".join(parts)


def per_trainee(servers: dict[str, float], trainees: int) -> tuple[float, float, int]:
    """(the servers' memory in GiB, MiB per trainee, trainees that this machine's memory holds at that rate,
    less what a class plan keeps for the system)."""
    from linklab.classroom.servers import RESERVE_GB, machine_memory_gb

    total_mb = sum(servers.values())
    each = total_mb / trainees
    return total_mb / 1024, each, int((machine_memory_gb() - RESERVE_GB) * 1024 // each)


def bench_class(args) -> None:
    course = f"bench-class-{args.trainees}"
    run = time.strftime("%H%M%S")  # names of this run's trainees: a course's earlier runs keep theirs
    with Room(course, args.trainees, args.grading_servers, args.port, args.first_port) as room:
        boss = room.client()
        assert boss.post("/api/instructor", json={"password": PASSWORD}).status_code == 200
        csrf = boss.get("/api/console/course").json()["csrf"]
        joined = boss.get("/api/console/trainees").json()["joined"]
        assert boss.post("/api/console/places", json={"places": joined + args.trainees + 1},
                         headers={"X-CSRF-Token": csrf}).status_code == 200
        began = time.perf_counter()
        boss.post("/api/console/prepare", json={}, headers={"X-CSRF-Token": csrf})
        while (job := boss.get("/api/console/course").json()["job"])["running"]:
            time.sleep(2)
        assert not job["error"], job["error"]
        print(f"  prepare (hidden scenarios chosen, course scenarios loaded): {time.perf_counter() - began:.0f} s; "
              f"{len(job['result']['not_separated'])} registered mistakes not separated")
        exercises = [e for e in catalogue() if e.id in EXERCISES]
        answers = [(e, answer_of(e)) for e in exercises] + [(e, m.query) for e in exercises for m in e.mutants[:2]]
        runs, checks, limited = [], [], [0]
        verdicts = {}  # (trainee, exercise, query) -> the verdicts its checks got under load
        clients = {}
        lock = threading.Lock()
        peak = {"memory": "", "servers": {}}

        def trainee(i: int) -> int:
            rng = random.Random(i)
            who = clients[i] = room.client()
            assert who.post("/api/join", json={"course_code": room.code, "name": f"trainee {i:03d} {run}"}).status_code == 200
            token = who.get("/api/me").json()["csrf"]
            made, deadline = 0, time.monotonic() + args.minutes * 60
            while time.monotonic() < deadline:
                exercise, query = rng.choice(answers)
                who.get(f"/api/exercises/{exercise.id}")
                t = time.perf_counter()
                ran = who.post(f"/api/exercises/{exercise.id}/run", json={"query": query},
                               headers={"X-CSRF-Token": token})
                seconds = time.perf_counter() - t
                with lock:
                    (runs.append(seconds) if ran.status_code == 200 else limited.__setitem__(0, limited[0] + 1))
                time.sleep(rng.uniform(args.think / 2, args.think * 1.5))
                t = time.perf_counter()
                reply = who.post(f"/api/exercises/{exercise.id}/check", json={"query": query},
                                 headers={"X-CSRF-Token": token})
                seconds = time.perf_counter() - t
                with lock:
                    if reply.status_code == 429:
                        limited[0] += 1
                    else:
                        checks.append(seconds)
                        verdict = reply.json()
                        seen = as_seen(verdict)
                        made += seen != NOT_GRADED  # a check not graded is no attempt: nothing is recorded
                        verdicts.setdefault((i, exercise.id, query), []).append(seen)
                time.sleep(rng.uniform(args.think / 2, args.think * 1.5))
            return made

        def watch_memory(stop: threading.Event) -> None:
            while not stop.wait(10):
                peak["memory"], peak["servers"] = room.memory(), room.servers()

        stop = threading.Event()
        threading.Thread(target=watch_memory, args=(stop,), daemon=True).start()
        began = time.perf_counter()
        with ThreadPoolExecutor(args.trainees) as pool:
            made = list(pool.map(trainee, range(args.trainees)))
        wall = time.perf_counter() - began
        stop.set()
        grid = boss.get("/api/console/grid").json()
        recorded = {row["trainee"]: sum(c["attempts"] for c in row["cells"]) for row in grid["rows"]}
        lost = sum(made[i] != recorded.get(f"trainee {i:03d} {run}", 0) for i in range(args.trainees))
        print(f"  {args.trainees} trainees for {wall / 60:.1f} min (about {args.think:.0f} s of thought between "
              f"requests): {len(runs) + len(checks)} requests")
        print(f"  run: {figures(runs)}")
        print(f"  check (the course's scenario and its hidden ones): {figures(checks)}")
        unequal = alone_again(clients, verdicts)
        ungraded = sum(verdict == NOT_GRADED for seen in verdicts.values() for verdict in seen)
        differ = [item for item in unequal if item[1] != NOT_GRADED]
        verdict_differs = [item for item in differ if alone_verdict(item[2]) != item[1][0]]
        print(f"  {len(checks) - ungraded - len(differ)} of {len(checks) - ungraded} verdicts equal to the same "
              f"trainee's answer checked again alone; {len(verdict_differs)} passed where the other failed or the "
              f"other way; {len(differ) - len(verdict_differs)} with the same verdict and other feedback; "
              f"{ungraded} checks not graded under load (no verdict, nothing counted); {limited[0]} requests over "
              f"the per-trainee limit; records: {lost} trainees with a check missing")
        shown = verdict_differs + [item for item in differ if item not in verdict_differs]
        for (i, exercise, query), under_load, alone in shown[:10]:
            print(f"    differs: trainee {i}, {exercise}: under load {under_load}, alone {alone}; {query[:80]!r}")
        print(f"  memory near the end: {peak['memory'] or room.memory()}")
        total, each, fit = per_trainee(peak["servers"] or room.servers(), args.trainees)
        print(f"  the {len(peak['servers'] or room.servers())} servers: {total:.2f} GiB for {args.trainees} trainees = "
              f"{each:.0f} MiB per trainee; at that rate this machine holds about {fit} trainees")
        if args.screenshot:
            print(f"  console screenshot: {screenshot(room, Path(args.screenshot))}")
        print(json.dumps({"trainees": args.trainees, "run_p95_ms": round(1000 * sorted(runs)[int(.95 * len(runs))]),
                          "check_p95_ms": round(1000 * sorted(checks)[int(.95 * len(checks))]),
                          "servers_gib": round(total, 2), "mib_per_trainee": round(each), "trainees_fit": fit}))


def as_seen(verdict: dict):
    """A check's reply as compared: NOT_GRADED, or (passed, feedback)."""
    return NOT_GRADED if verdict["status"] == "not_graded" else (verdict["passed"], verdict["feedback"])


def alone_verdict(alone) -> bool | None:
    return None if alone == NOT_GRADED else alone[0]


def alone_again(clients: dict, verdicts: dict) -> list:
    """Each trainee's answers checked again, one at a time with nothing else running, as the same trainee (an
    exercise about one organisation asks each trainee about the one their seed picks, so only the same
    trainee's verdict is comparable). Returns
    [((trainee, exercise, query), verdict under load, verdict alone)] for every check under load whose verdict
    differs. Round-robin over trainees keeps each under its check limit."""
    pending = sorted(verdicts, key=lambda key: (key[1], key[2], key[0]))  # one trainee's checks spread out
    unequal = []
    while pending:
        waiting = []
        for key in pending:
            i, exercise, query = key
            who = clients[i]
            reply = who.post(f"/api/exercises/{exercise}/check", json={"query": query},
                             headers={"X-CSRF-Token": who.get("/api/me").json()["csrf"]})
            if reply.status_code == 429:
                waiting.append(key)
                continue
            alone = as_seen(reply.json())
            unequal += [(key, under_load, alone) for under_load in verdicts[key] if under_load != alone]
        if waiting:
            time.sleep(20)
        pending = waiting
    return unequal


def screenshot(room: Room, path: Path) -> Path:
    """The console as the instructor sees it after the session, drilled into one trainee's answers."""
    import tempfile

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser import start_browser

    with tempfile.TemporaryDirectory() as profile:
        driver = start_browser(Path(profile))
        try:
            driver.set_window_size(1400, 1000)
            driver.get(room.url + "/join")
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.CSS_SELECTOR, "#instructor-form button").click()
            WebDriverWait(driver, 60).until(lambda d: d.execute_script(
                "return location.pathname === '/console' && document.body.dataset.ready === '1'"))
            driver.execute_script("(document.querySelector('td.cell.trying') || document.querySelector('td.cell.passed')).click()")
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(
                "return !document.getElementById('drill').hidden"))
            driver.execute_script("window.scrollTo(0, 0)")
            path.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(path))
        finally:
            driver.quit()
    return path
