"""`linklab lab --class COURSE`: one lab process for a whole class, with logins and the instructor's console.

Who may do what:
- anonymous visitors see the join page, the static files and the browser guide, nothing else;
- a trainee (joined with the course code and a name, or with a personal code) uses the lab's API as
  themselves: their own progress and answers only, with runs and checks limited per trainee (so many a
  minute, and so many running at once);
- the instructor (one password, set on first start) sees the console: the live grid, any trainee's
  answers, the common mistakes, answer keys; prepares, resets and exports the course; renames, removes and
  signs out trainees, gives them new codes and sets the places.
Sessions are held in the store (classroom.sessions; the cookie carries a random id only); every request that
changes something needs the session's CSRF token as well as the lab's own header and a same-origin Origin
(app.Guard, which also caps every request body). Failed sign-ins slow the address they come from, and the
instructor's account after a few, with waits that grow but stay short (walls.Backoff); the lab's own machine
is never slowed on the instructor's account. X-Forwarded-For is read only from the proxies named by
--trusted-proxy.
"""

from __future__ import annotations

import hmac
import html
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..classroom import accounts, address as addresses, console, exam, servers, sessions, state
from ..classroom.accounts import AccountError, Problem
from ..classroom.sessions import Role
from ..course import Course
from ..errors import LinklabError
from ..exercises.catalogue import get
from ..feedback import class_message, notice_message
from ..lti import grades as lti_grades, registry as lti_registry
from . import walls
from .app import (CROSS_SITE_PATHS, ERROR_HANDLERS, Guard, Refusal, common_routes, header_map, lab_page,
                  trainee_routes)
from .lti import PAGES as LTI_PAGES, lti_routes, tool_addresses, base_url
from .rules import ClassRules

CONSOLE = Path(__file__).parent / "console"
JOIN = Path(__file__).parent / "join"
SIGN_IN_PATHS = {"/api/join", "/api/signin", "/api/instructor"} | CROSS_SITE_PATHS  # changes without a session
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
                                 b"'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
]
INSTRUCTOR_ACCOUNT = "instructor"  # the key of the instructor's account in the sign-in backoff
# HTTP status of each refused account request
STATUS = {Problem.WRONG_PASSWORD: 403, Problem.CLASS_FULL: 403, Problem.NO_TRAINEE: 404,
          Problem.NAME_HAS_RECORDS: 409}


@dataclass
class Limits:
    runs_per_minute: int = 30
    checks_per_minute: int = 12
    in_flight: int = 2  # runs, checks and loads of one trainee running at once
    # Failed sign-ins from one address: 10 free in 15 minutes (a room behind one address mistypes codes),
    # then a wait that doubles from 1 s to at most 60 s.
    address_free: int = 10
    address_most_s: float = 60.0
    # Wrong instructor's passwords from anywhere but the lab's own machine: 5 free, then 1 s doubling to at
    # most 10 s: a guesser gets one try in 10 s at most, and the instructor waits 10 s at worst.
    account_free: int = 5
    account_most_s: float = 10.0


@dataclass
class Job:
    """The instructor's long task (prepare, reset), run in the background and polled by the console."""
    name: str = ""
    running: bool = False
    messages: list[str] = field(default_factory=list)
    result: dict | None = None
    error: str = ""
    started: float = 0.0


class ClassRoom:
    """What every request of one class shares: the course, its servers, the walls around trainees' work, and
    the instructor's long task. The handlers below read it from the app (`room_of`): each is a function of
    its own, testable with a room over stub servers."""

    def __init__(self, course: str, databases: servers.ClassDatabases, limits: Limits | None = None,
                 listen: tuple[str, int] = ("127.0.0.1", 8000), public_url: str | None = None):
        self.course, self.databases, self.listen, self.public_url = course, databases, listen, public_url
        self.limits = limits = limits or Limits()
        self.rules = ClassRules(course)
        self.join_code = accounts.open_course(course)
        self.buckets = {"run": walls.RateLimit(limits.runs_per_minute),
                        "check": walls.RateLimit(limits.checks_per_minute)}
        self.running = walls.InFlight(limits.in_flight)
        self.by_address = walls.Backoff(limits.address_free, 1.0, limits.address_most_s)
        self.by_account = walls.Backoff(limits.account_free, 1.0, limits.account_most_s)
        self.queued = walls.OneAtATime()
        self.job, self.job_lock = Job(), threading.Lock()

    def library(self, notify=None) -> Course:
        """The instructor's library face for this course, on the class's servers."""
        return Course(self.course, notify, self.databases)

    # ------------------------------------------------------------ who asks

    def session_of(self, request: Request) -> sessions.Session | None:
        session = request.scope.get("session")
        return session if session and session.course == self.course else None

    def trainee_of(self, request: Request) -> tuple[str, str]:
        session = self.session_of(request)
        if session is None:
            raise Refusal(401, class_message("not_signed_in"))
        if session.is_instructor:
            raise Refusal(403, class_message("trainees_lab"))
        return session.name, self.course

    def instructor_of(self, request: Request) -> sessions.Session:
        session = self.session_of(request)
        if session is None:
            raise Refusal(401, class_message("instructor_first"))
        if not session.is_instructor:
            raise Refusal(403, class_message("instructor_only"))
        return session

    @contextmanager
    def working(self, request: Request, kind: str) -> Iterator[None]:
        """A slot for one of the trainee's runs, checks or loads, while the database works for them."""
        name, _ = self.trainee_of(request)
        if not self.running.enter(name):
            raise Refusal(429, class_message("in_flight", limit=self.limits.in_flight))
        try:
            if kind in self.buckets and not self.buckets[kind].allow(name):
                per = self.limits.runs_per_minute if kind == "run" else self.limits.checks_per_minute
                raise Refusal(429, class_message("too_often", per=per, kind=kind))
            yield
        finally:
            self.running.leave(name)

    def signed_in(self, role: Role, name: str, body: dict) -> Response:
        token, _ = sessions.begin(role, self.course, name)
        response = JSONResponse({**body, "role": role.value, "name": name})
        response.headers["set-cookie"] = walls.cookie_header(token, sessions.LIFETIME_S)
        return response

    # ------------------------------------------------------------ the instructor's long task

    def start_job(self, name: str, work: Callable[[Callable[[str], None]], dict]) -> Response:
        """Run `work(say)` in the background (one task at a time); the console polls the course's state."""
        job = self.job
        with self.job_lock:
            if job.running:
                raise Refusal(409, class_message("task_running", name=job.name))
            job.name, job.running, job.messages, job.result, job.error, job.started = \
                name, True, [], None, "", time.time()
        state.task_started(self.course, name)  # kept: after a restart the console still knows what was done

        def runner():
            try:
                job.result = work(job.messages.append)
            except Exception as exc:  # shown in the console in one line
                job.error = str(exc) if isinstance(exc, LinklabError) else f"{type(exc).__name__}: {exc}"
            finally:
                try:
                    state.task_finished(self.course, name, job.result, job.error, job.messages)
                finally:
                    job.running = False

        threading.Thread(target=runner, daemon=True, name=f"console-{name}").start()
        return JSONResponse({"started": name}, status_code=202)


def room_of(request: Request) -> ClassRoom:
    return request.app.state.room


def address(request: Request) -> str:
    return request.client.host if request.client else "?"


async def form(request: Request) -> dict:
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise LinklabError(class_message("form"))
    return body


# ---------------------------------------------------------------- pages and signing in


async def home(request: Request) -> Response:
    session = room_of(request).session_of(request)
    if session is None:
        return RedirectResponse("/join", status_code=303)
    if session.is_instructor:
        return RedirectResponse("/console", status_code=303)
    return await lab_page(request)


async def join_page(request: Request) -> Response:
    page = (JOIN / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("{{course}}", html.escape(room_of(request).course)))


async def console_page(request: Request) -> Response:
    session = room_of(request).session_of(request)
    if session is None:
        return RedirectResponse("/join#instructor", status_code=303)
    if not session.is_instructor:
        return JSONResponse({"error": class_message("instructor_only")}, status_code=403)
    return HTMLResponse((CONSOLE / "index.html").read_text(encoding="utf-8"))


async def attempt(request: Request, work: Callable[[ClassRoom, dict], Response], account: str | None = None) -> Response:
    """A sign-in, slowed after wrong secrets from its address (and, for the instructor's account, from
    anywhere but this machine). One address's sign-ins are taken one at a time, and the instructor's
    too, so that guesses sent at once meet the limit as if sent one by one."""
    room, where = room_of(request), address(request)
    async with room.queued.turn(where), (room.queued.turn(account) if account else nullcontext()):
        if wait := room.by_address.wait(where):
            raise Refusal(429, class_message("wait_address", seconds=wait), retry_after=wait)
        if account and not walls.is_this_machine(where) and (wait := room.by_account.wait(account)):
            raise Refusal(429, class_message("wait_account", seconds=wait), retry_after=wait)
        try:
            response = await run_in_threadpool(work, room, await form(request))
        except AccountError as exc:
            if exc.problem.is_guess:
                room.by_address.failed(where)
                if account:
                    room.by_account.failed(account)
            raise
        if account:
            room.by_account.cleared(account)
        return response


def join_with_code(room: ClassRoom, body: dict) -> Response:
    joined = accounts.join(room.course, body.get("course_code", ""), body.get("name", ""))
    return room.signed_in(Role.TRAINEE, joined.name, {"personal_code": joined.code})


def personal_code(room: ClassRoom, body: dict) -> Response:
    joined = accounts.sign_in(room.course, body.get("code", ""))
    return room.signed_in(Role.TRAINEE, joined.name, {})


def password(room: ClassRoom, body: dict) -> Response:
    if not accounts.instructor_password_matches(body.get("password", "")):
        raise AccountError(Problem.WRONG_PASSWORD)
    return room.signed_in(Role.INSTRUCTOR, "instructor", {})


async def join(request: Request) -> Response:
    return await attempt(request, join_with_code)


async def signin(request: Request) -> Response:
    return await attempt(request, personal_code)


async def instructor(request: Request) -> Response:
    return await attempt(request, password, INSTRUCTOR_ACCOUNT)


async def logout(request: Request) -> Response:
    await run_in_threadpool(sessions.end, request.scope.get("session_token"))
    response = JSONResponse({"signed_out": True})
    response.headers["set-cookie"] = walls.cookie_header("", max_age=0)
    return response


# ---------------------------------------------------------------- the console's API


def instructor_room(request: Request) -> ClassRoom:
    """The room, when the instructor asks (else Refusal: 401 or 403)."""
    room = room_of(request)
    room.instructor_of(request)
    return room


async def course_state(request: Request) -> Response:
    room = room_of(request)
    session = room.instructor_of(request)
    plan, course = room.databases.plan, room.course
    where = addresses.trainees_address(*room.listen, room.public_url, request.headers.get("host"))
    tasks = await run_in_threadpool(state.last_tasks, course)
    return JSONResponse({
        "course": course, "join_code": room.join_code, "csrf": session.csrf, "profiles": list(plan.profiles),
        "servers": [{"name": i.name, "uri": i.uri, "heap": i.heap} for i in plan.instances()],
        "grading_servers": len(room.databases.grading_pool()), "hidden_scenarios": plan.hidden_keys,
        "memory_gb": plan.memory_gb, "notes": plan.why, "job": asdict(room.job),
        "prepared": await run_in_threadpool(room.library().is_prepared), "tasks": tasks,
        "address": where.url, "room_can_reach": where.room_can_reach, "qr": where.qr_svg,
        "notices": [a.message for a in await run_in_threadpool(state.active, course)]})


async def grid(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(instructor_room(request).library().grid))


async def mistakes(request: Request) -> Response:
    return JSONResponse({"exercises": await run_in_threadpool(instructor_room(request).library().common_mistakes)})


async def answers(request: Request) -> Response:
    course = instructor_room(request).library()
    trainee, exercise = request.query_params.get("trainee", ""), request.query_params.get("exercise", "")
    return JSONResponse(await run_in_threadpool(course.answers_of, trainee, exercise))


async def keys(request: Request) -> Response:
    course = instructor_room(request).library()
    return JSONResponse(await run_in_threadpool(course.key_view, request.path_params["exercise_id"]))


async def roster(request: Request) -> Response:
    room = instructor_room(request)
    names = (await json_body(request)).get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise LinklabError("send the names as a JSON list of text")
    added = await run_in_threadpool(accounts.add_to_roster, room.course, names)
    return JSONResponse({"trainees": [{"name": j.name, "code": j.code} for j in added]})


async def trainees(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(accounts.roster, instructor_room(request).course))


async def places(request: Request) -> Response:
    room = instructor_room(request)
    wanted = (await json_body(request)).get("places")
    return JSONResponse({"places": await run_in_threadpool(accounts.set_places, room.course, wanted)})


async def change_trainee(request: Request) -> Response:
    """rename, remove, sign-out and new-code of one trainee, by name."""
    course = instructor_room(request).course
    body = await json_body(request)
    name, action = body.get("name"), request.path_params["action"]
    if not isinstance(name, str) or not isinstance(body.get("new_name", ""), str):
        raise LinklabError("send the trainee's name as JSON text")
    if action == "rename":
        new = await run_in_threadpool(accounts.rename, course, name, body.get("new_name", ""))
        return JSONResponse({"renamed": name, "name": new})
    if action == "remove":
        return JSONResponse({"removed": name, "records": await run_in_threadpool(accounts.remove, course, name)})
    if action == "sign-out":
        return JSONResponse({"signed_out": name, "sessions": await run_in_threadpool(accounts.end_sessions,
                                                                                      course, name)})
    if action == "new-code":
        joined = await run_in_threadpool(accounts.new_personal_code, course, name)
        return JSONResponse({"name": joined.name, "code": joined.code})
    raise LinklabError(f"no trainee action called {action!r}: rename, remove, sign-out or new-code")


async def prepare(request: Request) -> Response:
    room = instructor_room(request)
    return room.start_job("prepare", lambda say: asdict(room.library(say).prepare_class()))


async def reset(request: Request) -> Response:
    room = instructor_room(request)
    profile = (await json_body(request)).get("profile", "")
    room.library().require_profile(profile)  # refused now, not in the background task
    return room.start_job("reset", lambda say: asdict(room.library(say).reset(profile)))


async def regrade(request: Request) -> Response:
    """Every answer in the records checked again with today's grader (or one trainee's, one exercise's);
    the old verdicts stay in the records, superseded."""
    room = instructor_room(request)
    body = await json_body(request)
    trainee, exercise = body.get("trainee") or None, body.get("exercise") or None
    if exercise is not None:
        exercise = get(exercise).id  # an unknown exercise: refused now, in one line
    return room.start_job("regrade", lambda say: asdict(room.library(say).regrade(trainee, exercise)))


async def export(request: Request) -> Response:
    course = instructor_room(request).library()
    name = request.path_params["name"]
    body = await run_in_threadpool(course.export, name)
    return Response(body, media_type=MEDIA_TYPES[name.rsplit(".", 1)[1]], headers=attachment(f"{course.name}-{name}"))


# ---------------------------------------------------------------- exam mode


async def exam_state(request: Request) -> Response:
    course = instructor_room(request).course
    return JSONResponse({**await run_in_threadpool(exam.exam_view, course),
                         "working": await run_in_threadpool(console.working, course)})


async def exam_rules(request: Request) -> Response:
    course = instructor_room(request).course
    body = await json_body(request)
    exercise = body.get("exercise") or exam.COURSE_WIDE
    if exercise != exam.COURSE_WIDE:
        exercise = get(exercise).id
    if body.get("mode") == "inherit" and exercise != exam.COURSE_WIDE:
        await run_in_threadpool(exam.set_rules, course, exercise, None)
    else:
        await run_in_threadpool(exam.set_rules, course, exercise, rules_from(body))
    return JSONResponse(await run_in_threadpool(exam.exam_view, course))


async def exam_release(request: Request) -> Response:
    room = instructor_room(request)
    released = (await json_body(request)).get("released", True) is not False
    await run_in_threadpool(exam.release, room.course, released)
    if released:
        await run_in_threadpool(room.library().queue_scores)
    return JSONResponse(await run_in_threadpool(exam.exam_view, room.course))


# ---------------------------------------------------------------- the LMS (LTI 1.3)


async def lti_state(request: Request) -> Response:
    room = instructor_room(request)

    def view() -> dict:
        return {"tool": tool_addresses(base_url(request, room.public_url)), "grades": lti_grades.grade_mode(room.course),
                "platforms": [asdict(p) for p in lti_registry.platforms()],
                "contexts": [{"title": c.title or c.context_id, "issuer": c.issuer, "scores": c.can_post_scores,
                              "roster": bool(c.memberships_url)} for c in lti_registry.contexts(room.course)],
                "outbox": lti_grades.outbox_view(room.course)}

    return JSONResponse(await run_in_threadpool(view))


async def lti_register(request: Request) -> Response:
    instructor_room(request)
    body = await json_body(request)
    deployments = body.get("deployments", [])
    if isinstance(deployments, str):
        deployments = deployments.replace(",", " ").split()
    if not isinstance(deployments, list) or not all(isinstance(d, str) for d in deployments):
        raise LinklabError("send the deployment IDs as a list of text")
    fields = [str(body.get(k, "")) for k in ("issuer", "client_id")]
    urls = [str(body.get(k, "")) for k in ("auth_url", "token_url", "jwks_url")]
    found = await run_in_threadpool(lti_registry.register, *fields, deployments, *urls, str(body.get("name", "")))
    return JSONResponse(asdict(found))


async def lti_grades_mode(request: Request) -> Response:
    room = instructor_room(request)
    mode = (await json_body(request)).get("mode")
    if mode not in set(lti_grades.GradeMode):
        raise LinklabError("grades go to the LMS per 'exercise' or per 'course'")
    await run_in_threadpool(lti_grades.set_grade_mode, room.course, lti_grades.GradeMode(mode))
    queued = await run_in_threadpool(room.library().queue_scores)
    return JSONResponse({"grades": mode, "queued": queued})


async def lti_retry(request: Request) -> Response:
    course = instructor_room(request).course
    sent, failed = await run_in_threadpool(lti_grades.send_due, course, None, True)
    return JSONResponse({"sent": sent, "failed": failed,
                         "outbox": await run_in_threadpool(lti_grades.outbox_view, course)})


async def lti_roster(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(lti_grades.sync_roster, instructor_room(request).course))


# ---------------------------------------------------------------- what trainees are told about the servers


async def notices(request: Request) -> Response:
    room = room_of(request)
    if room.session_of(request) is None:
        raise Refusal(401, class_message("not_signed_in"))
    return JSONResponse({"notices": [{"kind": a.kind.value, "subject": a.subject, "since": a.since,
                                      "message": a.message} for a in await run_in_threadpool(state.active, room.course)]})


CLASS_ROUTES = [
    Route("/", home),
    Route("/join", join_page),
    Route("/console", console_page),
    Route("/api/join", join, methods=["POST"]),
    Route("/api/signin", signin, methods=["POST"]),
    Route("/api/instructor", instructor, methods=["POST"]),
    Route("/api/logout", logout, methods=["POST"]),
    Route("/api/console/course", course_state),
    Route("/api/console/grid", grid),
    Route("/api/console/mistakes", mistakes),
    Route("/api/console/answers", answers),
    Route("/api/console/keys/{exercise_id}", keys),
    Route("/api/console/roster", roster, methods=["POST"]),
    Route("/api/console/trainees", trainees),
    Route("/api/console/places", places, methods=["POST"]),
    Route("/api/console/trainees/{action}", change_trainee, methods=["POST"]),
    Route("/api/console/prepare", prepare, methods=["POST"]),
    Route("/api/console/reset", reset, methods=["POST"]),
    Route("/api/console/regrade", regrade, methods=["POST"]),
    Route("/api/console/export/{name}", export),
    Route("/api/console/exam", exam_state),
    Route("/api/console/exam", exam_rules, methods=["POST"]),
    Route("/api/console/exam/release", exam_release, methods=["POST"]),
    Route("/api/console/lti", lti_state),
    Route("/api/console/lti/register", lti_register, methods=["POST"]),
    Route("/api/console/lti/grades", lti_grades_mode, methods=["POST"]),
    Route("/api/console/lti/retry", lti_retry, methods=["POST"]),
    Route("/api/console/lti/roster", lti_roster, methods=["POST"]),
    Route("/api/notices", notices),
]


def create_class_app(course: str, databases: servers.ClassDatabases, limits: Limits | None = None,
                     trusted_proxies: list[walls.Network] | None = None, listen: tuple[str, int] = ("127.0.0.1", 8000),
                     public_url: str | None = None, send_scores: bool = True) -> Starlette:
    """The class lab. `listen` (host, port) and `public_url` say where trainees reach it; `send_scores`
    runs the thread that sends scores to the LMS (lti.grades.Outbox) while the app runs."""
    room = ClassRoom(course, databases, limits, listen, public_url)
    routes = [
        *CLASS_ROUTES,
        *lti_routes(course, public_url, room.instructor_of),
        *trainee_routes(room.trainee_of, databases, room.working, room.rules),
        *common_routes(),
        Mount("/console-assets", StaticFiles(directory=CONSOLE), name="console"),
        Mount("/join-assets", StaticFiles(directory=JOIN), name="join"),
        Mount("/lti-assets", StaticFiles(directory=LTI_PAGES), name="lti"),
    ]

    @asynccontextmanager
    async def lifespan(app):
        outbox = lti_grades.Outbox(course) if send_scores else None
        if outbox:
            outbox.start()
        try:
            yield
        finally:
            if outbox:
                outbox.stop()

    app = Starlette(routes=routes, middleware=[Middleware(ClassGuard, trusted_proxies=trusted_proxies or [])],
                    exception_handlers={**ERROR_HANDLERS, AccountError: account_refused,
                                        exam.ExamRefusal: exam_refused, state.Busy: busy_refused},
                    lifespan=lifespan)
    app.state.room = room
    return app


async def account_refused(request: Request, exc: AccountError) -> Response:
    return JSONResponse({"error": exc.message}, status_code=STATUS.get(exc.problem, 400))


async def exam_refused(request: Request, exc: exam.ExamRefusal) -> Response:
    """An exam's rule refused a check: the sentence the trainee was shown with the exercise."""
    return JSONResponse({"error": exc.message, "exam": True}, status_code=409)


async def busy_refused(request: Request, exc: state.Busy) -> Response:
    return JSONResponse({"error": notice_message("reset_busy"), "busy": True}, status_code=503,
                        headers={"retry-after": "10"})


def rules_from(body: dict) -> exam.Rules:
    """Exam rules from the console's form: mode, attempts, cooldown in minutes, due time (epoch seconds)."""
    mode = body.get("mode", "practice")
    if mode not in set(exam.Mode):
        raise LinklabError("the mode is 'practice' or 'exam'")

    def number(key: str, scale: float = 1) -> int | float | None:
        value = body.get(key)
        if value in (None, "", 0):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LinklabError(f"{key} is a number")
        return value * scale

    cooldown = number("cooldown_min", 60)
    attempts = number("attempts")
    return exam.Rules(exam.Mode(mode), int(attempts) if attempts else None, int(cooldown) if cooldown else None,
                      number("due_at"))


async def json_body(request: Request) -> dict:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise LinklabError("send a JSON object")
    return body


MEDIA_TYPES = {"csv": "text/csv", "html": "text/html", "json": "application/json", "xml": "application/xml",
               "zip": "application/zip"}


def attachment(filename: str) -> dict:
    return {"content-disposition": f'attachment; filename="{filename}"'}


class ClassGuard:
    """Who asks (the client's address, through trusted proxies only), their session (scope["session"], from
    the store), the lab's Guard, a CSRF token on every change made in a session, and headers that keep pages
    out of other sites' frames."""

    def __init__(self, app, trusted_proxies: list[walls.Network]):
        self.app, self.trusted_proxies = app, trusted_proxies
        self.guard = Guard(self.checked)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = header_map(scope)
        peer, port = scope.get("client") or ("?", 0)
        scope["client"] = (walls.client_address(peer, headers.get("x-forwarded-for"), self.trusted_proxies), port)
        token = walls.cookie_value(headers.get("cookie", ""))
        scope["session_token"] = token
        scope["session"] = sessions.find(token)
        if scope["session"] is not None:
            sessions.seen(token)  # the console's "still working"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                own = {name.lower() for name, _ in message.get("headers", [])}
                # a page with its own policy (the LMS's return address in form-action) keeps it
                message["headers"] = list(message.get("headers", [])) + [h for h in SECURITY_HEADERS if h[0] not in own]
            await send(message)

        await self.guard(scope, receive, send_with_headers)

    async def checked(self, scope, receive, send):
        """After Guard: a change made in a session carries that session's CSRF token."""
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and scope["path"] not in SIGN_IN_PATHS:
            headers = header_map(scope)
            session = scope.get("session")
            if session is None:
                await JSONResponse({"error": class_message("not_signed_in")}, status_code=401)(scope, receive, send)
                return
            if not hmac.compare_digest(headers.get("x-csrf-token", ""), session.csrf):
                await JSONResponse({"error": class_message("out_of_date")}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
