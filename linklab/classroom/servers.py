"""The Neo4j servers of a class session, started and watched by linklab.

Neo4j Community holds one database per server, so a class runs:
- one *exploration* server (engine.class_profiles: the one investigation world holds everything the
  exercises need), holding the course's world. Every trainee reads it through the lab; nobody writes to it
  but linklab. Exercises about one organisation ask each trainee about the organisation their seed picks.
- a pool of *grading* servers for the hidden scenarios, one hidden scenario pinned on each while there are
  servers enough, so that a check loads nothing. LINKLAB_GRADING_URI (comma-separated Bolt URIs) puts the
  pool on other machines or Aura instead.
Memory is sized from the machine and the class; `plan` says what it chose and why.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import neo4j

from .. import lease, server as srv
from ..config import Connection, local_password
from ..db import connect
from ..grade import health, worlds
from ..grade.engine import ScenarioKey
from ..grade.loading import ensure_loaded, load_key
from ..grade.scenarios import class_profile_for, class_scenario, class_profiles
from ..load import warm_up
from ..service import Databases, grading_uris

RESERVE_GB = 3.0  # for the operating system, the lab process and Python
JVM_OVERHEAD_GB = 0.6  # a Neo4j process beyond heap and page cache (metaspace, threads, native memory)


def machine_memory_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30


@dataclass
class Plan:
    course: str
    profiles: tuple[str, ...]
    explore_heap_gb: int
    grading_heap_gb: int
    grading_servers: int  # local ones; 0 when LINKLAB_GRADING_URI names the pool
    hidden_keys: int
    memory_gb: float  # what the local servers take, all told
    first_port: int
    why: list[str] = field(default_factory=list)

    def explore_instance(self, profile: str) -> srv.Instance:
        i = self.profiles.index(profile)
        return srv.instance(f"class-{profile}", self.first_port + 2 * i, self.first_port + 2 * i + 1,
                            heap=f"{self.explore_heap_gb}g", pagecache="512m")

    def grading_instance(self, i: int) -> srv.Instance:
        port = self.first_port + 2 * (len(self.profiles) + i)
        return srv.instance(f"class-grading-{i + 1}", port, port + 1, heap=f"{self.grading_heap_gb}g",
                            pagecache="256m")

    def instances(self) -> list[srv.Instance]:
        return [self.explore_instance(p) for p in self.profiles] + \
            [self.grading_instance(i) for i in range(self.grading_servers)]


def hidden_count(course: str) -> int:
    """How many hidden scenarios the class needs: the prepared choice, else the most there can be."""
    return sum(len(worlds.hidden_keys(course, p)) if worlds.stored_choice(course, p) else worlds.MOST_HIDDEN
               for p in class_profiles())


def plan(course: str, trainees: int = 30, grading_servers: int | None = None, first_port: int = 7710,
         memory_gb: float | None = None) -> Plan:
    """Server sizes for a class of `trainees`: a bigger heap for more queries at once, and as many grading
    servers as hidden scenarios (none to swap) while the machine's memory holds them."""
    memory_gb = memory_gb or machine_memory_gb()
    profiles = class_profiles()
    explore_heap = min(4, 1 + trainees // 50)
    grading_heap = min(2, 1 + trainees // 100)
    needed = hidden_count(course)
    why = []
    explore_gb = len(profiles) * (explore_heap + 0.5 + JVM_OVERHEAD_GB)
    per_grading = grading_heap + 0.25 + JVM_OVERHEAD_GB
    if grading_uris():
        count = 0
        why.append("grading on the servers in LINKLAB_GRADING_URI")
    elif grading_servers is not None:
        count = max(1, grading_servers)
    else:
        room = int((memory_gb - RESERVE_GB - explore_gb) // per_grading)
        count = max(1, min(needed, room))
        if count < needed:
            why.append(f"{count} grading servers for {needed} hidden scenarios: the machine's memory "
                       f"({memory_gb:.0f} GiB) holds no more; checks will load scenarios in turn")
    total = explore_gb + count * per_grading
    if total > memory_gb - RESERVE_GB:
        why.append(f"the servers need about {total:.0f} GiB of this machine's {memory_gb:.0f} GiB")
    return Plan(course, profiles, explore_heap, grading_heap, count, needed, round(total, 1), first_port, why)


class ClassDatabases(Databases):
    """A class session's drivers: the exploration server of each profile (what a trainee's queries read)
    and the grading pool. A check reads the course's scenario on its exploration server and the hidden
    ones on the grading server that holds them."""

    shared = True

    def __init__(self, class_plan: Plan, notify: Callable[[str], None] | None = None):
        self.notify = notify
        self.plan = class_plan
        self.explorers = {p: connect(Connection(class_plan.explore_instance(p).uri, "neo4j", local_password()))
                          for p in class_plan.profiles}
        self.local = self.explorers[class_plan.profiles[0]]
        self.local_uri = class_plan.explore_instance(class_plan.profiles[0]).uri
        self._grading: list[neo4j.Driver] = []
        self._lock = threading.Lock()

    def explorer_for(self, exercise) -> neo4j.Driver:
        return self.explorers[class_profile_for(exercise)]

    def grading_pool(self) -> list[neo4j.Driver]:
        with self._lock:
            if not self._grading:
                uris = grading_uris() or [self.plan.grading_instance(i).uri for i in range(self.plan.grading_servers)]
                self._grading = [connect(Connection(uri, os.environ.get("NEO4J_USER", "neo4j"), local_password()))
                                 for uri in uris]
            return self._grading

    def close(self) -> None:
        for driver in self.explorers.values():
            driver.close()
        for driver in self._grading:
            driver.close()


def start_servers(class_plan: Plan, notify: Callable[[str], None]) -> None:
    """Start every local server of the plan that is not running (warming up the loader of each)."""
    for inst in class_plan.instances():
        if srv.running_pid(inst):
            continue
        notify(f"starting {inst.name} ({inst.uri}, heap {inst.heap})...")
        began = time.perf_counter()
        start_one(inst)
        notify(f"  {inst.name} ready in {time.perf_counter() - began:.0f} s")


def start_one(inst: srv.Instance) -> None:
    """Start one server and warm up its loader (one by one: on two cores, two JVMs starting at once were
    slower than one after the other; bench/starts.py)."""
    srv.start(inst)
    health.started_here(inst.uri)  # cold: its first refusals are tried again once it is warm
    with connect(Connection(inst.uri, "neo4j", local_password())) as driver:
        warm_up(driver)


def stop_servers(class_plan: Plan) -> list[str]:
    """Stop the class's servers: every class server ever started here, since the plan of a later start may
    count fewer grading servers (the hidden scenarios chosen since) than were started."""
    saved = sorted(path.parent.name for path in (srv.state_dir() / "servers").glob("class-*/instance.json"))
    names = [name for name in dict.fromkeys([inst.name for inst in class_plan.instances()] + saved)
             if srv.is_saved(name)]
    # side by side: each waits for its own JVM to write its store and exit (seconds), which the others need not
    with ThreadPoolExecutor(max(1, len(names)), thread_name_prefix="stopping") as pool:
        stopped = list(pool.map(lambda name: srv.stop(srv.instance(name)), names))
    return [name for name, was_running in zip(names, stopped) if was_running]


def load_course_scenarios(databases: "ClassDatabases", course: str, notify: Callable[[str], None]) -> list[str]:
    """The course's scenario of each profile on its exploration server (unless it is there), so that
    trainees can explore from the start."""
    placed = []
    for profile, driver in databases.explorers.items():
        key = class_scenario(profile, course)
        if ensure_loaded(driver, key, on_wait=notify):
            notify(f"loaded the course's {profile} scenario")
        placed.append(f"{profile}: the course's scenario on {databases.plan.explore_instance(profile).name}")
    return placed


@dataclass
class Preparation:
    seconds: float
    scenarios: list[str]  # what is loaded where, in words
    not_separated: list[dict]  # {exercise, mutant, diagnosis}: registered mistakes no scenario of the course tells apart


def prepare(databases: ClassDatabases, course: str, notify: Callable[[str], None]) -> Preparation:
    """Choose the hidden scenarios (once per course), load the course's scenarios on the exploration
    servers and pin the hidden ones on the grading servers; list the mistakes the course cannot separate."""
    began = time.perf_counter()
    pool = databases.grading_pool()
    needed = {(p, "") for p in databases.plan.profiles}
    missing = {w for w in needed if worlds.stored_choice(course, *w) is None}
    if missing:
        notify("choosing the course's hidden worlds against every known mistake (once per course)...")
        worlds.ensure_prepared(pool[0], course, missing, progress=notify)
    placed = load_course_scenarios(databases, course, notify)
    hidden_keys = [key for p in databases.plan.profiles for key in worlds.hidden_keys(course, p)]
    for i, key in enumerate(hidden_keys[:len(pool)]):  # the rest are loaded in turn by the checks
        notify(f"loading hidden scenario {i + 1} of {len(hidden_keys)} on grading server {i + 1}...")
        ensure_loaded(pool[i], key, on_wait=notify)
        placed.append(f"{key.profile}: {key} on grading server {i + 1}")
    survivors = [{"exercise": name.split("/")[0], "mutant": name.split("/")[1], "diagnosis": diagnosis}
                 for p in databases.plan.profiles for name, diagnosis in worlds.written_not_separable(course, p)]
    return Preparation(time.perf_counter() - began, placed, survivors)


def reload(driver: neo4j.Driver, key: ScenarioKey, notify: Callable[[str], None]) -> float:
    """Load `key` again from scratch (a trainee's lab shows "a load is under way" meanwhile)."""
    began = time.perf_counter()
    held = lease.acquire(driver, "neo4j", "exclusive", f"reloading {key}", notify)
    try:
        load_key(driver, key, "neo4j", held)
    finally:
        held.release()
    return time.perf_counter() - began


class Supervisor(threading.Thread):
    """Restarts a local server of the class that stopped (a crash, an out-of-memory kill): the next check
    or load finds it up again. Checks every `every_s` seconds. While one starts again, trainees are told on
    their page (classroom.state's notices, when the course is given)."""

    def __init__(self, class_plan: Plan, notify: Callable[[str], None], every_s: float = 10.0,
                 course: str | None = None):
        super().__init__(daemon=True, name="class-supervisor")
        self.plan, self.notify, self.every_s, self.course = class_plan, notify, every_s, course
        self.stopping = threading.Event()
        self.restarts: list[str] = []

    def run(self) -> None:
        while not self.stopping.wait(self.every_s):
            for inst in self.plan.instances():
                if self.stopping.is_set():
                    return
                if not srv.running_pid(inst):
                    self.restart(inst)

    def restart(self, inst: srv.Instance) -> None:
        from . import state

        self.notify(f"{inst.name} stopped: starting it again")
        subject = inst.name.removeprefix("class-")
        if self.course:
            state.begin(self.course, state.Notice.RESTART, subject)
        try:
            srv.start(inst)
            health.started_here(inst.uri)
            self.restarts.append(inst.name)
        except Exception as exc:  # keep watching the others; say what failed
            self.notify(f"{inst.name} did not start again: {exc}")
        finally:
            if self.course:
                state.end(self.course, state.Notice.RESTART, subject)

    def stop(self) -> None:
        self.stopping.set()
