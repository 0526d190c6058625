"""The trainee's API, the same in a trainee's own lab (web.app) and in a class (web.classroom): the exercises,
one exercise with the trainee's parameters, hints, loading, running (and stopping) a query, the graph view's
neighbours and paths, checking an answer, the schema and the briefing. Each handler is a function of the
request; what differs between the two labs is the `Desk` the app holds: who asks, the walls around the
database's work, a class's rules, and whether a right answer is told as pending while hidden worlds are prepared."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import service
from ..cases.network import current_name
from ..lab import Lab
from ..errors import LinklabError, NotFound
from ..exercises.catalogue import Exercise, catalogue, get
from ..feedback import class_message, lab_message, refusal
from . import schema as lab_schema
from .rules import LabRules


def no_walls(request: Request, kind: str) -> AbstractContextManager:
    return nullcontext()


def never() -> bool:
    return False


@dataclass
class Desk:
    """What the trainee's API needs of the lab it runs in. `identify(request)` says who asks (trainee,
    course) or raises web.app.Refusal; `working(request, "run" | "check" | "load")` holds a slot while the
    database works for them, or raises Refusal when they ask too often or have too much running already;
    `rules` (web.rules) is what a class changes: exam rules and withheld results, scores for the LMS;
    `provisional()`: whether a check that is right on the trainee's own scenario is told at once as pending
    instead of waiting for hidden worlds."""
    databases: service.Databases
    identify: Callable[[Request], tuple[str, str]]
    working: Callable[[Request, str], AbstractContextManager] = no_walls
    rules: LabRules = field(default_factory=LabRules)
    provisional: Callable[[], bool] = never

    @property
    def shared(self) -> bool:
        return self.databases.shared

    def lab(self, request: Request) -> Lab:
        """The lab (library face) of whoever asks."""
        return Lab(*self.identify(request), self.databases)


def desk_of(request: Request) -> Desk:
    return request.app.state.desk


def exercise_of(desk: Desk, request: Request, working: bool = False) -> Exercise:
    """The exercise a request names; `working`: one to run or check, whose world must exist."""
    exercise = get(request.path_params["exercise_id"])  # LinklabError for an unknown id: 404 (web.app)
    if desk.shared and exercise.on_case:
        raise NotFound(f"unknown exercise {exercise.id!r} in this class")
    if working and exercise.on_case and current_name() is None:
        raise LinklabError(lab_message("needs_case"))
    return exercise


def shown_progress(desk: Desk, lab: Lab) -> dict:
    return desk.rules.shown_progress(lab.trainee, lab.course, lab.progress())


async def me(request: Request) -> Response:
    desk = desk_of(request)
    lab = desk.lab(request)
    session = request.scope.get("session")
    return JSONResponse({"trainee": lab.trainee, "course": lab.course, "mode": "class" if desk.shared else "local",
                         "csrf": session.csrf if session else "",
                         "name": await run_in_threadpool(lab.display_name)})


async def exercises(request: Request) -> Response:
    desk = desk_of(request)
    lab = desk.lab(request)
    listed = await run_in_threadpool(lab.exercises)
    return JSONResponse({"exercises": await run_in_threadpool(desk.rules.shown_list, lab.trainee, lab.course, listed),
                         "progress": await run_in_threadpool(shown_progress, desk, lab)})


async def exercise(request: Request) -> Response:
    desk = desk_of(request)
    lab = desk.lab(request)
    chosen = exercise_of(desk, request)
    await run_in_threadpool(desk.rules.before_work, lab.course, chosen)
    view = await run_in_threadpool(lab.exercise, chosen)
    return JSONResponse(await run_in_threadpool(desk.rules.shown_exercise, lab.trainee, lab.course, view))


async def hint(request: Request) -> Response:
    desk = desk_of(request)
    lab = desk.lab(request)
    return JSONResponse(await run_in_threadpool(lab.hint, exercise_of(desk, request)))


async def load(request: Request) -> Response:
    desk = desk_of(request)
    lab = desk.lab(request)
    chosen = exercise_of(desk, request, working=True)
    await run_in_threadpool(desk.rules.before_work, lab.course, chosen)
    with desk.working(request, "load"):
        key = await run_in_threadpool(lab.load, chosen)
    return JSONResponse({"scenario": key, "loaded": True})


async def run(request: Request) -> Response:
    desk = desk_of(request)
    lab = desk.lab(request)
    chosen, query = exercise_of(desk, request, working=True), await answer_text(request)
    run_id = str((await json_body(request)).get("run") or "")
    await run_in_threadpool(desk.rules.before_work, lab.course, chosen)
    with desk.working(request, "run"):
        outcome = await run_in_threadpool(lab.run, chosen, query, None, run_id)
    return JSONResponse(asdict(outcome))


async def stop(request: Request) -> Response:
    desk = desk_of(request)
    lab = desk.lab(request)
    chosen = exercise_of(desk, request)
    run_id = str((await json_body(request)).get("run") or "")
    return JSONResponse({"stopped": await run_in_threadpool(lab.stop, chosen, run_id)})


async def look_around(request: Request) -> Response:
    """The graph view's double-click (a node's neighbours) and shortest path (with `other`)."""
    desk = desk_of(request)
    lab = desk.lab(request)
    chosen, body = exercise_of(desk, request, working=True), await json_body(request)
    node, other = body.get("node"), body.get("other")
    if not isinstance(node, str) or not (other is None or isinstance(other, str)):
        raise LinklabError(class_message("not_json"))
    with desk.working(request, "run"):
        outcome = await run_in_threadpool(lab.around, chosen, node, other)
    return JSONResponse(asdict(outcome))


async def check(request: Request) -> Response:
    desk = desk_of(request)
    lab = desk.lab(request)
    chosen, query = exercise_of(desk, request, working=True), await answer_text(request)
    await run_in_threadpool(desk.rules.before_work, lab.course, chosen)
    if service.is_empty(query):  # refused before the grader: not an attempt
        raise LinklabError(refusal("empty"))
    if not desk.shared and not await run_in_threadpool(lab.is_loaded, chosen):
        # Run would refuse on this database: Check says the same, and counts nothing
        return JSONResponse({"loaded": False, "error": lab_message("not_loaded")}, status_code=409)
    with desk.working(request, "check"):
        verdict = await run_in_threadpool(checked, desk, lab, chosen, query)
    if verdict.status.is_verdict:
        await run_in_threadpool(desk.rules.after_check, lab.trainee, lab.course, chosen, verdict.passed)
    view = await run_in_threadpool(desk.rules.shown_verdict, lab.trainee, lab.course, chosen,
                                   service.verdict_view(verdict))
    return JSONResponse({**view, "progress": await run_in_threadpool(shown_progress, desk, lab)})


def checked(desk: Desk, lab: Lab, chosen: Exercise, query: str):
    """A check within the rules (an exam's attempt is held while it runs), recorded (unless pending)."""
    with desk.rules.check_slot(lab.trainee, lab.course, chosen):
        return lab.check(chosen, query, wait=not desk.provisional())


async def schema(request: Request) -> Response:
    desk = desk_of(request)
    desk.identify(request)
    return JSONResponse(await run_in_threadpool(lab_schema.read, desk.databases.local))


async def briefing(request: Request) -> Response:
    """The briefing: what the data names (organisations, places, markets, platforms) and the first task."""
    desk = desk_of(request)
    desk.identify(request)
    first = catalogue()[0]
    facts = await run_in_threadpool(lab_schema.briefing_facts, desk.databases.explorer_for(first))
    return JSONResponse({**facts, "first": {"id": first.id, "number": first.number, "title": first.title}})


TRAINEE_ROUTES = [
    Route("/api/me", me),
    Route("/api/exercises", exercises),
    Route("/api/exercises/{exercise_id}", exercise),
    Route("/api/exercises/{exercise_id}/hint", hint, methods=["POST"]),
    Route("/api/exercises/{exercise_id}/load", load, methods=["POST"]),
    Route("/api/exercises/{exercise_id}/run", run, methods=["POST"]),
    Route("/api/exercises/{exercise_id}/check", check, methods=["POST"]),
    Route("/api/exercises/{exercise_id}/stop", stop, methods=["POST"]),
    Route("/api/exercises/{exercise_id}/around", look_around, methods=["POST"]),
    Route("/api/schema", schema),
    Route("/api/briefing", briefing),
]


async def json_body(request: Request) -> dict:
    """A request's JSON object (an empty body: an empty object), for every route of the lab, the class server
    and LTI's pages; anything else is refused in one line."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise LinklabError(class_message("json_object"))
    return body


async def answer_text(request: Request) -> str:
    try:
        body = json.loads(await request.body())
        query = body["query"]
    except (ValueError, KeyError, TypeError):
        raise LinklabError(class_message("not_json")) from None
    if not isinstance(query, str):
        raise LinklabError(class_message("not_json"))
    if not is_text(query):
        raise LinklabError(class_message("not_text"))
    return query


def is_text(text: str) -> bool:
    """Text that can be stored and shown: no lone surrogate (JSON's "\\ud800" decodes to one; it has no
    UTF-8 form) and no NUL. Other control characters reach Neo4j, which says where they are."""
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)
