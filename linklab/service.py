"""What trainees do, for the CLI and the lab alike: who they are, their exercises and parameters, running a
query under the guards, checking an answer on their scenario and the hidden ones, hints and progress.
Everything returns data (dataclasses and dicts); nothing prints. `notify` callbacks hear, in words, about
waits and servers being started."""

from __future__ import annotations

import getpass
import hashlib
import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterator

import neo4j
import neo4j.graph
import neo4j.spatial

from . import cypher, progress, server as srv
from .config import Connection, local_password
from .db import connect
from .errors import LinklabError
from .exercises.catalogue import Exercise, case_catalogue, catalogue
from .grade import health, worlds
from .grade.compare import STABLE_KEY
from .grade.engine import (CaseKey, ExerciseVerdict, ScenarioKey, answer_key, check_and_judge, ensure_loaded,
                           is_loaded, run_answer, scenarios_for)
from .grade.scenarios import worlds_for
from .grade.guard import Limits, Refused
from .load import warm_up

DEFAULT_COURSE = "linklab-101"


def identity(trainee: str | None = None, course: str | None = None) -> tuple[str, str]:
    return (trainee or os.environ.get("LINKLAB_TRAINEE") or getpass.getuser(),
            course or os.environ.get("LINKLAB_COURSE") or DEFAULT_COURSE)


def grading_instance() -> srv.Instance:
    """The local grading server: as it was last started, or 2g heap and 1g page cache the first time."""
    return srv.instance("grading") if srv.is_saved("grading") else srv.instance("grading", heap="2g", pagecache="1g")


def grading_uris() -> list[str]:
    return [u.strip() for u in os.environ.get("LINKLAB_GRADING_URI", "").split(",") if u.strip()]


def grading_connections(notify: Callable[[str], None] | None = None) -> list[Connection]:
    """Where hidden scenarios are loaded: the servers in LINKLAB_GRADING_URI (comma-separated: several
    servers keep several hidden scenarios loaded at once), or a second local server started on demand, so
    that checking never replaces the scenario a trainee is exploring. A local grading server keeps the heap
    and page cache it was last given (`linklab server start --name grading --heap ...`), 2g and 1g at first."""
    uris = grading_uris()
    if uris:
        return [Connection(uri, os.environ.get("NEO4J_USER", "neo4j"), local_password()) for uri in uris]
    inst = grading_instance()
    if not srv.running_pid(inst) and notify:
        notify(f"starting the grading server ({inst.uri}) for hidden scenarios...")
    conn = Connection(inst.uri, "neo4j", local_password())
    if not srv.start(inst).already_running:
        health.started_here(conn.uri)  # cold: its first refusals are tried again once it is warm
        with connect(conn) as driver:
            warm_up(driver)  # its first scenario loads as fast as later ones
    return [conn]


def grading_connection(notify: Callable[[str], None] | None = None) -> Connection:
    """The first grading server (grading a class and selftest use one)."""
    return grading_connections(notify)[0]


class Databases:
    """The trainee's database, and the grading servers once a check needs them: one driver each, shared
    by every request of a process (drivers are thread-safe). A class session (classroom.servers) has the
    course's world on an exploration server instead (`shared`)."""

    shared = False

    def __init__(self, notify: Callable[[str], None] | None = None):
        self.notify = notify
        self.local = connect()
        self._grading: list[neo4j.Driver] = []
        self._lock = threading.Lock()

    def explorer_for(self, exercise: Exercise) -> neo4j.Driver:
        """The database that holds the scenario a trainee explores for this exercise."""
        return self.local

    def grading_pool(self) -> list[neo4j.Driver]:
        with self._lock:
            if not self._grading:
                self._grading = [connect(conn) for conn in grading_connections(self.notify)]
            return self._grading

    def grading_for(self, key: ScenarioKey | CaseKey, others: list) -> neo4j.Driver:
        """The grading server for `key`: one that holds it already; else, starting from a stable choice,
        one that holds none of the check's other scenarios, so that a check never pushes out what it needs."""
        pool = self.grading_pool()
        if len(pool) == 1:
            return pool[0]
        for driver in pool:
            if is_loaded(driver, key):
                return driver
        start = int(hashlib.sha256(str(key).encode()).hexdigest(), 16) % len(pool)
        ordered = pool[start:] + pool[:start]
        return next((d for d in ordered if not any(is_loaded(d, other) for other in others)), ordered[0])

    def close(self) -> None:
        self.local.close()
        for driver in self._grading:
            driver.close()

    def __enter__(self) -> "Databases":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def check(exercise: Exercise, query: str, trainee: str, course: str, case: str | None = None,
          notify: Callable[[str], None] | None = None, databases: Databases | None = None) -> ExerciseVerdict:
    """Check an answer on the trainee's scenario and the hidden ones: on the trainee's own database where
    that scenario is loaded, else on a grading server (which loads what it needs)."""
    owned = databases is None
    databases = databases or Databases(notify)
    prepare_hidden(exercise, trainee, course, case, databases, notify)
    keys = scenarios_for(exercise, course, trainee, case=case, shared=databases.shared)

    def drivers_for(key) -> Iterator[tuple[neo4j.Driver, bool]]:
        yield databases.explorer_for(exercise), False
        yield databases.grading_for(key, [k for k in keys if k != key]), True

    try:
        return check_and_judge(exercise, query, keys, drivers_for, on_wait=notify)
    finally:
        if owned:
            databases.close()


def prepare_hidden(exercise: Exercise, trainee: str, course: str, case: str | None, databases: Databases,
                   notify: Callable[[str], None] | None = None) -> None:
    """The course's hidden worlds for this exercise's world, chosen once (grade.worlds) on a grading server."""
    needed = worlds_for([exercise], course, [trainee], case, shared=databases.shared)
    missing = {w for w in needed if worlds.stored_choice(course, *w) is None}
    if missing and databases.shared:  # a class: the instructor prepares the course once, from the console
        raise LinklabError("checking opens once the instructor has prepared the course: you can run queries "
                           "meanwhile")
    if missing:
        if notify:
            notify("choosing this course's hidden scenarios (once per course)...")
        worlds.ensure_prepared(databases.grading_pool()[0], course, missing, progress=notify)


def check_and_record(exercise: Exercise, query: str, trainee: str, course: str, case: str | None = None,
                     notify: Callable[[str], None] | None = None, databases: Databases | None = None
                     ) -> ExerciseVerdict:
    verdict = check(exercise, query, trainee, course, case, notify, databases)
    progress.record_check(trainee, course, exercise.id, verdict.passed, verdict.feedback, query, verdict.mistake,
                          verdict.status)
    return verdict


def exploring(exercise: Exercise, trainee: str, course: str, case: str | None = None,
              shared: bool = False) -> ScenarioKey | CaseKey:
    return scenarios_for(exercise, course, trainee, case=case, shared=shared)[0]


def parameters(exercise: Exercise, key: ScenarioKey | CaseKey) -> dict:
    """The exercise's parameters for the trainee's scenario ($graph: a name of their choice in Browser;
    the lab and the grader give their own)."""
    values = answer_key(exercise, key).params
    return {name: ("my-graph" if name == "graph" else values[name]) for name in exercise.parameters}


# ---------------------------------------------------------------- what the lab shows


def exercise_list(trainee: str, course: str, shared: bool = False) -> list[dict]:
    """The exercises with the trainee's status (a class session: those on generated scenarios only)."""
    record = progress.Progress.load(trainee, course)
    return [{"id": e.id, "number": e.number, "title": e.title, "level": e.level, "points": e.points,
             "skills": list(e.skills), "on_case": e.on_case, "status": record.status(e.id)}
            for e in catalogue() + (() if shared else case_catalogue())]


def exercise_view(exercise: Exercise, trainee: str, course: str, driver: neo4j.Driver | None = None,
                  case: str | None = None, shared: bool = False) -> dict:
    """An exercise as a trainee sees it: the task, their parameters, the hints taken so far, their
    scenario and whether it is loaded."""
    key = exploring(exercise, trainee, course, case, shared)
    record = progress.Progress.load(trainee, course)
    shown = int(record.exercises.get(exercise.id, {}).get("hints", 0))
    return {"id": exercise.id, "number": exercise.number, "title": exercise.title, "level": exercise.level,
            "points": exercise.points, "skills": list(exercise.skills), "prompt": exercise.prompt.strip(),
            "parameters": parameters(exercise, key), "hints": list(exercise.hints[:shown]),
            "hints_total": len(exercise.hints), "scenario": str(key),
            "loaded": bool(driver) and is_loaded(driver, key),
            "status": record.status(exercise.id)}


def next_hint(exercise: Exercise, trainee: str, course: str) -> dict:
    number = progress.take_hint(trainee, course, exercise.id, len(exercise.hints))
    return {"number": number, "total": len(exercise.hints),
            "text": exercise.hints[number - 1] if number else None, "all": list(exercise.hints)}


def load_for(exercise: Exercise, trainee: str, course: str, driver: neo4j.Driver, case: str | None = None,
             notify: Callable[[str], None] | None = None, shared: bool = False) -> str:
    """Load the trainee's scenario for this exercise into their database (unless it is there)."""
    key = exploring(exercise, trainee, course, case, shared)
    ensure_loaded(driver, key, on_wait=notify)
    return str(key)


@dataclass
class RunOutcome:
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)  # JSON-ready cells
    graph: dict = field(default_factory=lambda: {"nodes": [], "edges": []})
    seconds: float = 0.0
    refused: str = ""  # why the query did not run, in words
    limit: str = ""
    loaded: bool = True  # False: the trainee's scenario for this exercise is not in their database


def run(exercise: Exercise, query: str, trainee: str, course: str, driver: neo4j.Driver,
        case: str | None = None, limits: Limits | None = None, shared: bool = False) -> RunOutcome:
    """Run a query on the trainee's own scenario, under the same guards as a check, with the exercise's
    parameters bound; the result as a table and as the graph of the nodes and relationships it returns."""
    key = exploring(exercise, trainee, course, case, shared)
    try:
        result = run_answer(driver, exercise, query, key, limits, load=False)
    except Refused as exc:
        return RunOutcome(refused=str(exc), limit=exc.limit)
    if result is None:
        return RunOutcome(loaded=False)
    graph = GraphCollector()
    rows = [[graph.cell(value) for value in row] for row in result.rows]
    return RunOutcome(result.columns, rows, graph.data(), result.seconds)


class GraphCollector:
    """Nodes and relationships found anywhere in a result (also inside paths and lists), captioned by
    their human key (a Person's name, an Account's handle), as the graph view draws them."""

    def __init__(self):
        self.nodes: dict[str, dict] = {}
        self.edges: dict[str, dict] = {}

    def node(self, node: neo4j.graph.Node) -> str:
        label = next(iter(sorted(node.labels)), "")
        caption = str(node.get(STABLE_KEY.get(label, "id"), node.get("id", "")))
        self.nodes.setdefault(node.element_id, {"id": node.element_id, "label": caption, "group": label})
        return caption

    def cell(self, value):
        if isinstance(value, neo4j.graph.Node):
            return {"node": self.node(value), "label": next(iter(sorted(value.labels)), "")}
        if isinstance(value, neo4j.graph.Relationship):
            start, end = self.node(value.start_node), self.node(value.end_node)
            self.edges.setdefault(value.element_id, {"id": value.element_id, "source": value.start_node.element_id,
                                                     "target": value.end_node.element_id, "label": value.type})
            return {"relationship": value.type, "from": start, "to": end}
        if isinstance(value, neo4j.graph.Path):
            for rel in value.relationships:
                self.cell(rel)
            return {"path": [self.node(n) for n in value.nodes]}
        if isinstance(value, (list, tuple)):
            return [self.cell(v) for v in value]
        if isinstance(value, dict):
            return {k: self.cell(v) for k, v in value.items()}
        if hasattr(value, "iso_format"):
            return value.iso_format()
        if isinstance(value, neo4j.spatial.Point):
            return {"latitude": value.y, "longitude": value.x}
        return value

    def data(self) -> dict:
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values())}


def verdict_view(verdict: ExerciseVerdict) -> dict:
    """A verdict as the lab shows it: hidden scenarios by number only."""
    checks = []
    for i, check_result in enumerate(verdict.checks):
        where = "your scenario" if i == 0 else f"hidden scenario {i}"
        checks.append({"scenario": where, "status": check_result.status,
                       "feedback": "" if check_result.passed else check_result.feedback})
    return {"exercise": verdict.exercise, "passed": verdict.passed, "status": verdict.status,
            "points": verdict.points, "max_points": verdict.max_points, "feedback": verdict.feedback,
            "limit": verdict.limit, "checks": checks}


def progress_view(trainee: str, course: str) -> dict:
    record = progress.Progress.load(trainee, course)
    exercises = catalogue()
    passed = [e for e in exercises if record.status(e.id) == "passed"]
    return {"trainee": trainee, "course": course, "passed": len(passed), "total": len(exercises),
            "points": sum(e.points for e in passed), "max_points": sum(e.points for e in exercises),
            "hints": sum(entry["hints"] for entry in record.exercises.values())}


SCHEMA_NOTES = {
    "Person": "someone in the network (name, born, nationality)",
    "Account": "a social-media account (handle, platform, created)",
    "Phone": "a phone number", "Email": "an e-mail address",
    "Location": "a place: city, address, venue or prison (name, type, latitude, longitude)",
    "Post": "a post (text, time, sometimes a location)", "Organization": "an organisation or crew (name, kind)",
    "Market": "a darknet market (name, status seized or active)", "Wallet": "a crypto wallet (address, chain)",
    "Term": "a slang term and its meaning (the glossary)",
    "USES": "a person uses an account", "HAS_PHONE": "a person has a phone", "HAS_EMAIL": "a person has an e-mail",
    "MEMBER_OF": "a person belongs to an organisation or crew", "PART_OF": "a crew is part of an organisation",
    "FAMILY_OF": "relatives (relation)", "LIVES_AT": "where a person lives", "DETAINED_AT": "in prison (since)",
    "REGISTERED_WITH": "an account registered with a phone or e-mail", "FOLLOWS": "an account follows another",
    "MESSAGED": "messages between accounts (count, first, last)", "CALLED": "calls between phones (count)",
    "POSTED": "an account posted a post", "TAGGED_AT": "a post is geotagged at a location",
    "MENTIONS": "a post mentions an account", "VENDOR_ON": "an account sells on a market (pgp, since, until)",
    "CONTROLS": "an account controls a wallet", "SENT": "a payment between wallets (amount, time)",
}


def schema(driver: neo4j.Driver) -> dict:
    """Labels, relationship types and property keys of the loaded data, with what each means."""
    with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        labels = [r["label"] for r in session.run(cypher.SCHEMA_LABELS)]
        types = [r["t"] for r in session.run(cypher.SCHEMA_TYPES)]
        keys = [r["k"] for r in session.run(cypher.SCHEMA_KEYS)]
    return {"labels": [{"name": l, "meaning": SCHEMA_NOTES.get(l, "")} for l in labels if l != "Scenario"],
            "relationshipTypes": [{"name": t, "meaning": SCHEMA_NOTES.get(t, "")} for t in types],
            "propertyKeys": [k for k in keys if k not in LEASE_KEYS]}


LEASE_KEYS = {"writer", "writer_until", "waiting", "waiting_until", "readers", "readers_until", "locked_at",
              "complete", "status", "started_at", "loaded_at", "generator_version", "faker_version"}
