"""What trainees do, for the CLI and the lab alike: who they are, their exercises and parameters, running a
query under the guards, checking an answer on their scenario and the hidden ones, hints and progress.
Everything returns data (dataclasses and dicts); nothing prints. `notify` callbacks hear, in words, about
waits and servers being started."""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Callable, Iterator

import neo4j
import neo4j.graph
import neo4j.spatial

from . import cypher, progress, recordstore, server as srv
from .config import Connection, connection, local_password
from .cases.network import CaseNetwork, current_name, imported, make_current, save as save_case, stored
from .cases.read import read_case
from .cases.shipped import shipped, shipped_case
from .db import connect, first_line
from .errors import LinklabError
from .exercises.catalogue import Exercise, case_catalogue, catalogue
from .grade import health, worlds
from .grade.compare import STABLE_KEY
from .grade.status import Status
from .grade.engine import CaseKey, ExerciseVerdict, ScenarioKey, answer_key, check_and_judge, run_answer
from .grade.guard import Limits, Refused, inspect, run_guarded, terminate
from .grade.loading import NotReady, ensure_loaded, is_loaded, require_key
from .grade.scenarios import scenarios_for, worlds_for
from . import feedback as words
from .feedback import lab_message, neo4j_detail, refusal
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


def same_server(uri: str) -> str:
    """A Bolt address as one server is named (`localhost` and 127.0.0.1 alike, no trailing slash)."""
    return uri.strip().rstrip("/").replace("://localhost", "://127.0.0.1").replace("neo4j://", "bolt://")


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


def stop_local_grading() -> bool:
    """Stop the local grading server that checks start on demand (the lab's background preparation does, at
    `make up`), if one runs; never a server named in LINKLAB_GRADING_URI. Its store stays on disk: the next
    check starts it again with the hidden worlds already loaded."""
    if grading_uris() or not srv.running_pid(grading_instance()):
        return False
    return srv.stop(grading_instance())


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
        self.local_uri = connection().uri
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
          notify: Callable[[str], None] | None = None, databases: Databases | None = None,
          wait: bool = True) -> ExerciseVerdict:
    """Check an answer on the trainee's scenario and the hidden ones: on the trainee's own database where
    that scenario is loaded, else on a grading server (which loads what it needs). While the course's hidden
    worlds are still being prepared, the answer is tried on the trainee's own world first: wrong there, it is
    wrong, and the trainee hears it at once; right there, the check waits for the hidden worlds, or, without
    `wait` (a lab that prepares them in the background), says so at once: a PENDING verdict, not recorded."""
    owned = databases is None
    databases = databases or Databases(notify)

    def drivers_for(key) -> Iterator[tuple[neo4j.Driver, bool]]:
        yield databases.explorer_for(exercise), False
        yield databases.grading_for(key, [k for k in keys if k != key]), True

    try:
        if not prepared(exercise, trainee, course, case, databases):
            keys = scenarios_for(exercise, course, trainee, case=case, shared=databases.shared)[:1]
            first = check_and_judge(exercise, query, keys, drivers_for, on_wait=notify)
            if not first.passed:
                return first
            if not wait:
                return pending(exercise, first)
        prepare_hidden(exercise, trainee, course, case, databases, notify)
        keys = scenarios_for(exercise, course, trainee, case=case, shared=databases.shared)
        return check_and_judge(exercise, query, keys, drivers_for, on_wait=notify)
    finally:
        if owned:
            databases.close()


def pending(exercise: Exercise, on_own: ExerciseVerdict) -> ExerciseVerdict:
    """Right on the trainee's own world, hidden worlds not ready: no verdict yet (no points, nothing counts)."""
    return ExerciseVerdict(exercise.id, False, 0, exercise.points, words.PENDING, checks=on_own.checks,
                           status=Status.PENDING)


def prepared(exercise: Exercise, trainee: str, course: str, case: str | None, databases: Databases) -> bool:
    needed = worlds_for([exercise], course, [trainee], case, shared=databases.shared)
    return all(worlds.stored_choice(course, *w) is not None for w in needed)


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
            notify("preparing this course's hidden worlds (once per course): your answer is checked on them "
                   "when they are ready")
        worlds.ensure_prepared(databases.grading_pool()[0], course, missing, progress=notify)


class PreparationState(str, Enum):
    READY = "ready"
    PREPARING = "preparing"
    FAILED = "failed"
    AT_FIRST_CHECK = "at-first-check"  # the grading server is the trainee's own: nothing is loaded behind their back


@dataclass
class Preparation:
    """The course's hidden worlds as a trainee's lab sees them: ready, being prepared (how far, how long
    still), or failed (why)."""
    state: PreparationState
    message: str = ""
    fraction: float = 0.0
    seconds_left: float | None = None


class BackgroundPreparation:
    """Prepares a trainee's course (every world their exercises use) in a thread, as soon as the lab starts:
    the grading server is started and the hidden worlds chosen before the first check needs them."""

    def __init__(self, trainee: str, course: str, databases: Databases, exercises: tuple[Exercise, ...] = ()):
        self.trainee, self.course, self.databases = trainee, course, databases
        self.error = ""
        # in the order the exercises first need them: a trainee starting at exercise 1 waits for its world only
        self.order: list[tuple[str, str]] = []
        for exercise in exercises or catalogue():
            for world in sorted(worlds_for([exercise], course, [trainee])):
                if world not in self.order:
                    self.order.append(world)
        self.needed = set(self.order)
        self.thread = threading.Thread(target=self.work, name="preparing-hidden-worlds", daemon=True)

    def start(self) -> "BackgroundPreparation":
        self.thread.start()
        return self

    def work(self) -> None:
        if self.grades_on_own_database():
            return  # preparing would load hidden worlds where the trainee explores: the first check does it, and says so
        try:
            for world in self.order:
                if worlds.stored_choice(self.course, *world) is None:
                    worlds.ensure_prepared(self.databases.grading_pool()[0], self.course, {world})
        except Exception as exc:  # noqa: BLE001  (shown on the lab's page; a check will try again and say why)
            self.error = first_line(exc)

    def grades_on_own_database(self) -> bool:
        own = same_server(self.databases.local_uri)
        return any(same_server(uri) == own for uri in grading_uris())

    def status(self) -> Preparation:
        if self.grades_on_own_database():
            return Preparation(PreparationState.AT_FIRST_CHECK, "Your course's hidden scenarios are prepared at your "
                               "first check: they are graded on your own database, and preparing them now would "
                               "replace the scenario you explore.")
        missing = [w for w in self.order if worlds.stored_choice(self.course, *w) is None]
        if not missing:
            return Preparation(PreparationState.READY, "The hidden scenarios of your course are ready.", 1.0)
        if self.error:
            return Preparation(PreparationState.FAILED, f"Preparing the hidden scenarios failed: {self.error}")
        under = worlds.underway(self.course, missing[0][0])
        done = (len(self.needed) - len(missing)) / max(1, len(self.needed))
        if under is None:
            return Preparation(PreparationState.PREPARING, "Starting the grading server to prepare your course's hidden "
                               "scenarios...", done)
        fraction = done + under.fraction / max(1, len(self.needed))
        left = under.eta if len(missing) == 1 else None
        return Preparation(PreparationState.PREPARING, "Preparing your course's hidden scenarios: " + under.message, fraction, left)


def check_and_record(exercise: Exercise, query: str, trainee: str, course: str, case: str | None = None,
                     notify: Callable[[str], None] | None = None, databases: Databases | None = None,
                     wait: bool = True) -> ExerciseVerdict:
    verdict = check(exercise, query, trainee, course, case, notify, databases, wait)
    if verdict.status is Status.PENDING:  # not a verdict: the lab checks again when the hidden worlds are ready
        return verdict
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
            for e in offered(shared)]


def offered(shared: bool = False) -> tuple[Exercise, ...]:
    """The exercises a trainee is offered: all of them on their own, those on generated scenarios in a class
    (a class's case exercises would need the instructor's case on every exploration server)."""
    return catalogue() + (() if shared else case_catalogue())


def exercise_view(exercise: Exercise, trainee: str, course: str, driver: neo4j.Driver | None = None,
                  case: str | None = None, shared: bool = False) -> dict:
    """An exercise as a trainee sees it: the task, their parameters, the hints taken so far, their
    scenario and whether it is loaded."""
    record = progress.Progress.load(trainee, course)
    shown = int(record.exercises.get(exercise.id, {}).get("hints", 0))
    if exercise.on_case and case is None and current_name() is None:
        key = None  # no case network chosen yet: the page offers the choice instead of a scenario
    else:
        key = exploring(exercise, trainee, course, case, shared)
    return {"id": exercise.id, "number": exercise.number, "title": exercise.title, "level": exercise.level,
            "points": exercise.points, "skills": list(exercise.skills), "prompt": exercise.prompt.strip(),
            "parameters": parameters(exercise, key) if key else {}, "hints": list(exercise.hints[:shown]),
            "hints_total": len(exercise.hints), "scenario": str(key) if key else None,
            "loaded": bool(driver and key) and is_loaded(driver, key),
            "on_case": exercise.on_case, "needs_case": key is None,
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
    limit: str = ""  # the limit that stopped it (time, rows, size, memory), or "stopped": the trainee's Stop
    loaded: bool = True  # False: the trainee's scenario for this exercise is not in their database
    plan: dict | None = None  # EXPLAIN's plan as a tree, when the trainee asked to explain the query


TAG_FORM = re.compile(r"[0-9a-f]{16,64}")
_STOPPED: set[str] = set()  # tags of runs the trainee asked to stop (the lab is one process)
_STOPPED_LOCK = threading.Lock()


def run_tag(trainee: str, course: str, run_id: str) -> str | None:
    """The transaction tag of a trainee's run, from the id their page gave it: scoped to the trainee, so no
    one can stop a run of somebody else's by guessing its id. None for an id that is not hex."""
    if not TAG_FORM.fullmatch(run_id or ""):
        return None
    return "lab-" + hashlib.sha256(f"{course}\x00{trainee}\x00{run_id}".encode()).hexdigest()[:32]


def stop(driver: neo4j.Driver, trainee: str, course: str, run_id: str) -> bool:
    """End a trainee's run on the server (its transaction, found by its tag). False for a malformed id."""
    tag = run_tag(trainee, course, run_id)
    if tag is None:
        return False
    with _STOPPED_LOCK:
        if len(_STOPPED) > 1000:
            _STOPPED.clear()
        _STOPPED.add(tag)
    terminate(driver, "neo4j", tag)
    return True


def run(exercise: Exercise, query: str, trainee: str, course: str, driver: neo4j.Driver,
        case: str | None = None, limits: Limits | None = None, shared: bool = False, run_id: str = "") -> RunOutcome:
    """Run a query on the trainee's own scenario, under the same guards as a check, with the exercise's
    parameters bound; the result as a table and as the graph of the nodes and relationships it returns.
    A query that starts with EXPLAIN is planned, not run: the outcome holds the plan. `run_id` (hex, from
    the page) lets the trainee stop it (`stop`)."""
    key = exploring(exercise, trainee, course, case, shared)
    explained = explain_prefix(query)
    if explained is not None:
        return explain_plan(exercise, explained, key, driver, limits)
    if PROFILE_WORD.match(query):
        return RunOutcome(refused=lab_message("profile"))
    if is_empty(query):
        return RunOutcome(refused=refusal("empty"))
    limits = limits or Limits()
    tag = run_tag(trainee, course, run_id)
    began = time.monotonic()
    try:
        result = run_answer(driver, exercise, query, key, limits, load=False, tag=tag)
    except Refused as exc:
        with _STOPPED_LOCK:
            stopped = tag in _STOPPED
            _STOPPED.discard(tag)
        if stopped and exc.limit == "time":
            return RunOutcome(refused=lab_message("stopped", seconds=time.monotonic() - began), limit="stopped")
        if exc.code == "time_busy":
            return RunOutcome(refused=lab_message("time_busy", seconds=time.monotonic() - began), limit="time")
        if exc.limit == "time":
            advice = time_advice(exercise, query, key, driver)
            return RunOutcome(refused=lab_message("time", seconds=time.monotonic() - began,
                                                  limit=limits.timeout_s, advice=lab_message(advice)),
                              limit="time")
        return RunOutcome(refused=str(exc), limit=exc.limit)
    finally:
        with _STOPPED_LOCK:
            _STOPPED.discard(tag)
    if result is None:
        return RunOutcome(loaded=False)
    graph = GraphCollector()
    rows = [[graph.cell(value) for value in row] for row in result.rows]
    return RunOutcome(result.columns, rows, graph.data(), result.seconds)


def is_empty(query: str) -> bool:
    """Nothing but spaces and comments: refused before it reaches the grader, so it is no attempt."""
    try:
        inspect(query)
    except Refused as exc:
        return exc.code == "empty"
    return False


EXPLAIN_WORD = re.compile(r"\s*EXPLAIN\b", re.IGNORECASE)
PROFILE_WORD = re.compile(r"\s*PROFILE\b", re.IGNORECASE)


def explain_prefix(query: str) -> str | None:
    """The query after a leading EXPLAIN (Run shows its plan), or None."""
    found = EXPLAIN_WORD.match(query)
    return query[found.end():] if found else None


def explain_plan(exercise: Exercise, query: str, key, driver: neo4j.Driver, limits: Limits | None = None
                 ) -> RunOutcome:
    """Neo4j's plan of a query as a tree (EXPLAIN runs nothing), after the same parse as an answer. The
    plan is read in a READ transaction with the exercise's parameters; GDS calls are planned, not run."""
    limits = limits or Limits()
    params = dict(answer_key(exercise, key).params)
    if "graph" in exercise.parameters:
        params["graph"] = "linklab-explain"
    try:
        inspected = inspect(query, params, limits)
        with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
            with session.begin_transaction(timeout=limits.timeout_s) as tx:
                summary = tx.run(cypher.explain(inspected.query), params).consume()
    except Refused as exc:
        return RunOutcome(refused=str(exc), limit=exc.limit)
    except neo4j.exceptions.ClientError as exc:
        return RunOutcome(refused=refusal("not_accepted", detail=neo4j_detail(first_line(exc),
                                                                               len(cypher.explain("")))))
    return RunOutcome(plan=plan_tree(summary.plan))


def plan_tree(plan: dict | None) -> dict | None:
    """A plan as the lab draws it: operator, details, estimated rows, children."""
    if not plan:
        return None
    args = plan.get("args", {})
    return {"operator": plan.get("operatorType", "").split("@")[0], "details": str(args.get("Details", "")),
            "rows": round(float(args.get("EstimatedRows", 0) or 0), 1),
            "children": [plan_tree(child) for child in plan.get("children", [])]}


def time_advice(exercise: Exercise, query: str, key, driver: neo4j.Driver) -> str:
    """What most likely made a query slow, from what it uses and Neo4j's plan of it: GDS on a busy machine,
    everything matched with everything, paths without an upper bound; else the general advice."""
    try:
        if "graph" in exercise.parameters or inspect(query).shape.uses_gds:
            return "advice_gds"
        plan = explain_plan(exercise, query, key, driver, Limits(timeout_s=3)).plan
    except (Refused, neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError):
        return "advice_general"
    operators, stack = set(), [plan] if plan else []
    while stack:
        node = stack.pop()
        operators.add(node["operator"])
        stack.extend(node["children"])
    if any(op.startswith("CartesianProduct") for op in operators):
        return "advice_cartesian"
    if any(op.startswith(("VarLengthExpand", "ShortestPath", "StatefulShortestPath")) for op in operators):
        return "advice_paths"
    return "advice_general"


def look_around(exercise: Exercise, trainee: str, course: str, driver: neo4j.Driver, node: str,
                other: str | None = None, case: str | None = None, shared: bool = False,
                limit: int = 40) -> RunOutcome:
    """For the graph view: a node's neighbours (the best connected first, at most `limit`), or with `other`
    a shortest path between the two, read from the trainee's own scenario under the guard like a run.
    Nodes are given by the element ids an earlier result carried."""
    key = exploring(exercise, trainee, course, case, shared)
    query = cypher.LAB_SHORTEST_PATH if other else cypher.LAB_EXPAND
    params = {"node": node, "other": other} if other else {"node": node, "limit": limit}
    try:
        result = run_guarded(driver, query, params, Limits(timeout_s=5, max_rows=limit + 1),
                             prepare=require_key(key))
    except Refused as exc:
        return RunOutcome(refused=str(exc), limit=exc.limit)
    except NotReady:
        return RunOutcome(loaded=False)
    graph = GraphCollector()
    rows = [[graph.cell(value) for value in row] for row in result.rows]
    return RunOutcome(result.columns, rows, graph.data(), result.seconds)


def json_value(value):
    """A property value as JSON: datetimes as ISO text, points as latitude and longitude."""
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, neo4j.spatial.Point):
        return {"latitude": value.y, "longitude": value.x}
    return value


class GraphCollector:
    """Nodes and relationships found anywhere in a result (also inside paths and lists), captioned by
    their human key (a Person's name, an Account's handle), with their labels and properties, as the graph
    view, the timeline and the map draw them."""

    def __init__(self):
        self.nodes: dict[str, dict] = {}
        self.edges: dict[str, dict] = {}

    def node(self, node: neo4j.graph.Node) -> str:
        label = next(iter(sorted(node.labels)), "")
        caption = str(node.get(STABLE_KEY.get(label, "id"), node.get("id", "")))
        if node.element_id not in self.nodes:
            self.nodes[node.element_id] = {
                "id": node.element_id, "label": caption, "group": label, "labels": sorted(node.labels),
                "properties": {k: json_value(v) for k, v in sorted(node.items())}}
        return caption

    def relationship(self, rel: neo4j.graph.Relationship) -> None:
        self.node(rel.start_node)
        self.node(rel.end_node)
        self.edges.setdefault(rel.element_id, {
            "id": rel.element_id, "source": rel.start_node.element_id, "target": rel.end_node.element_id,
            "label": rel.type, "properties": {k: json_value(v) for k, v in sorted(rel.items())}})

    def cell(self, value):
        if isinstance(value, neo4j.graph.Node):
            return {"node": self.node(value), "label": next(iter(sorted(value.labels)), ""), "id": value.element_id}
        if isinstance(value, neo4j.graph.Relationship):
            self.relationship(value)
            return {"relationship": value.type, "from": self.node(value.start_node), "to": self.node(value.end_node),
                    "id": value.element_id}
        if isinstance(value, neo4j.graph.Path):
            hops, at = [], value.start_node
            for rel in value.relationships:
                self.relationship(rel)
                forward = rel.start_node.element_id == at.element_id
                hops.append({"type": rel.type, "forward": forward})
                at = rel.end_node if forward else rel.start_node
            return {"path": [self.node(n) for n in value.nodes], "hops": hops,
                    "ids": [n.element_id for n in value.nodes]}
        if isinstance(value, (list, tuple)):
            return [self.cell(v) for v in value]
        if isinstance(value, dict):
            return {k: self.cell(v) for k, v in value.items()}
        return json_value(value)

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


def progress_view(trainee: str, course: str, shared: bool = False) -> dict:
    """Exercises passed, points and hints over every exercise the trainee is offered: the lab and
    `linklab progress` count the same (a class offers the generated scenarios' exercises only)."""
    record = progress.Progress.load(trainee, course)
    exercises = offered(shared)
    passed = [e for e in exercises if record.status(e.id) == "passed"]
    return {"trainee": trainee, "course": course, "passed": len(passed), "total": len(exercises),
            "points": sum(e.points for e in passed), "max_points": sum(e.points for e in exercises),
            "hints": sum(entry["hints"] for entry in record.exercises.values())}


# ---------------------------------------------------------------- case networks in the lab

UPLOAD_EXTENSIONS = (".csv", ".tsv", ".txt", ".graphml", ".gexf")


class CaseLayout(str, Enum):
    """How an uploaded CSV file is laid out (GraphML and GEXF say it themselves)."""
    EDGES = "edges"  # source, target, optional weight, with a header line
    EDGES_NO_HEADER = "edges-no-header"
    MATRIX = "matrix"  # an adjacency matrix: names in the first row and column


@dataclass
class CaseChoice:
    """The case network the case exercises now use, loaded into the trainee's database."""
    name: str
    title: str
    people: int
    contacts: int
    rel_type: str
    weighted: bool
    notes: list[str] = field(default_factory=list)  # what reading the file repaired


def case_shelf(driver: neo4j.Driver | None = None) -> dict:
    """What the lab's Cases page offers: the case in use (and whether it is in the trainee's database), the
    networks that ship with linklab, and those imported here before."""
    current = current_name()
    in_use = None
    if current is not None:
        network = stored(current)
        in_use = {**case_summary(network), "loaded": bool(driver) and is_loaded(driver, case_key(network))}
    return {"current": in_use,
            "shipped": [{"name": c.name, "title": c.title, "about": c.about, "source": c.source,
                         "rel_type": c.rel_type} for c in shipped()],
            "imported": [name for name in imported() if shipped_case(name) is None]}


def case_summary(network: CaseNetwork) -> dict:
    shipped_as = shipped_case(network.name)
    return {"name": network.name, "title": shipped_as.title if shipped_as else network.name,
            "people": len(network.people), "contacts": len(network.contacts), "rel_type": network.rel_type,
            "weighted": network.weighted}


def use_case(name: str, driver: neo4j.Driver, notify: Callable[[str], None] | None = None) -> CaseChoice:
    """Make a shipped or an imported case the one the case exercises use, and load it into `driver`. A
    shipped case is read from its file every time (the file is the truth; an edited catalogue shows)."""
    chosen = shipped_case(name)
    if chosen is not None:
        network = chosen.read()
        save_case(network)
    else:
        network = stored(name)
        make_current(network.name)
    return loaded_choice(network, driver, [], notify)


def upload_case(name: str, file_name: str, data: bytes, layout: CaseLayout, driver: neo4j.Driver,
                notify: Callable[[str], None] | None = None) -> CaseChoice:
    """Read a network the trainee uploads (its bytes as sent, checked in full first: text that is not UTF-8
    is refused with its line, never read with replaced characters), save it as case NAME and load it."""
    if shipped_case(name) is not None:
        raise LinklabError(lab_message("case_name_shipped", name=name))
    base = Path(file_name or "").name
    if not base or Path(base).suffix.lower() not in UPLOAD_EXTENSIONS:
        raise LinklabError(lab_message("case_file_kind", kinds=", ".join(UPLOAD_EXTENSIONS)))
    with tempfile.TemporaryDirectory(prefix="linklab-upload-") as folder:
        path = Path(folder) / base  # read_case's messages name the file as the trainee knows it
        path.write_bytes(data)
        network, notes = read_case(path, name, no_header=layout is CaseLayout.EDGES_NO_HEADER,
                                   matrix=layout is CaseLayout.MATRIX)
    save_case(network)
    return loaded_choice(network, driver, notes, notify)


def loaded_choice(network: CaseNetwork, driver: neo4j.Driver, notes: list[str],
                  notify: Callable[[str], None] | None) -> CaseChoice:
    ensure_loaded(driver, case_key(network), on_wait=notify)
    return CaseChoice(**case_summary(network), notes=notes)


def case_key(network: CaseNetwork) -> CaseKey:
    return CaseKey(network.name, 0, network.digest)


# ---------------------------------------------------------------- the trainee's name on the lab's pages

SYSTEM_ACCOUNTS = {"root", "admin", "user", "ubuntu", "debian", "vagrant", "codespace", "runner", "jovyan"}
NAME_FORM = re.compile(r"[^\W_][\w .'-]{0,39}")


def display_name(trainee: str, course: str) -> str:
    """What the lab calls the trainee: the name they gave it, else their linklab name unless that is a
    system account's ("root"): then "" (the briefing asks for it). Records stay under `trainee`."""
    with closing(recordstore.connect()) as db:
        row = db.execute("SELECT name FROM display_names WHERE trainee = ? AND course = ?", (trainee, course)).fetchone()
    if row:
        return row[0]
    return "" if trainee.lower() in SYSTEM_ACCOUNTS else trainee


def set_display_name(trainee: str, course: str, name: str) -> str:
    name = " ".join(name.split())
    if not NAME_FORM.fullmatch(name):
        raise LinklabError(lab_message("name_form"))
    with closing(recordstore.connect()) as db:
        db.execute("INSERT INTO display_names (trainee, course, name, at) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (trainee, course) DO UPDATE SET name = excluded.name, at = excluded.at",
                   (trainee, course, name, time.time()))
    return name
