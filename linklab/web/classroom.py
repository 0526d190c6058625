"""`linklab lab --class COURSE`: one lab process for a whole class, with logins and the instructor's console.

Who may do what:
- anonymous visitors see the join page, the static files and the browser guide, nothing else;
- a trainee (joined with the course code and a name, or with a personal code) uses the lab's API as
  themselves: their own progress and answers only, rate-limited runs and checks;
- the instructor (one password, set on first start) sees the console: the live grid, any trainee's
  answers, the common mistakes, answer keys, and prepares, resets and exports the course.
Sessions are signed cookies (web.sessions); every request that changes something needs the session's
CSRF token as well as the lab's own header and a same-origin Origin (app.Guard).
"""

from __future__ import annotations

import hmac
import html
import io
import json
import tempfile
import threading
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..classroom import accounts, console, regrade as regrading, servers
from ..errors import LinklabError
from ..exercises.catalogue import get
from ..grade.engine import answer_key, class_key, class_scenario
from . import sessions
from .app import ERROR_HANDLERS, Guard, Refusal, common_routes, header_map, lab_page, trainee_routes

CONSOLE = Path(__file__).parent / "console"
JOIN = Path(__file__).parent / "join"
SIGN_IN_PATHS = {"/api/join", "/api/signin", "/api/instructor"}  # the only changes without a session
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
                                 b"'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
]


@dataclass
class Limits:
    runs_per_minute: int = 30
    checks_per_minute: int = 12
    failed_sign_ins_per_minute: int = 10  # per client address: codes and passwords are not guessed at this rate


@dataclass
class Job:
    """The instructor's long task (prepare, reset), run in the background and polled by the console."""
    name: str = ""
    running: bool = False
    messages: list[str] = field(default_factory=list)
    result: dict | None = None
    error: str = ""
    started: float = 0.0


def create_class_app(course: str, databases: servers.ClassDatabases, limits: Limits | None = None) -> Starlette:
    limits = limits or Limits()
    key = accounts.session_key()
    join_code = accounts.open_course(course)
    buckets = {"run": sessions.RateLimit(limits.runs_per_minute), "check": sessions.RateLimit(limits.checks_per_minute)}
    failures = sessions.RateLimit(limits.failed_sign_ins_per_minute)  # a room behind one address joins at once
    job, job_lock = Job(), threading.Lock()

    def session_of(request: Request) -> sessions.Session | None:
        session = request.scope.get("session")
        return session if session and session.course == course else None

    def trainee_of(request: Request) -> tuple[str, str]:
        session = session_of(request)
        if session is None:
            raise Refusal(401, "sign in first: open the lab's address and join the course")
        if session.is_instructor:
            raise Refusal(403, "this is the trainees' lab: the instructor's page is /console")
        return session.name, course

    def instructor_of(request: Request) -> sessions.Session:
        session = session_of(request)
        if session is None:
            raise Refusal(401, "sign in as the instructor first")
        if not session.is_instructor:
            raise Refusal(403, "only the instructor may see this")
        return session

    def throttle(request: Request, kind: str) -> None:
        name, _ = trainee_of(request)
        if not buckets[kind].allow(name):
            per = limits.runs_per_minute if kind == "run" else limits.checks_per_minute
            raise Refusal(429, f"more than {per} {kind}s in a minute: wait a little, then try again")

    def signed_in(session: sessions.Session, body: dict) -> Response:
        response = JSONResponse({**body, "role": session.role, "name": session.name})
        response.headers["set-cookie"] = sessions.cookie_header(sessions.sign(session, key))
        return response

    def address(request: Request) -> str:
        return request.client.host if request.client else "?"

    async def form(request: Request) -> dict:
        if failures.full(address(request)):
            raise Refusal(429, "too many failed sign-ins from here: wait a minute")
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
            raise LinklabError("send the form as JSON text fields")
        return body

    # ------------------------------------------------------------ pages and signing in

    async def home(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse("/join", status_code=303)
        if session.is_instructor:
            return RedirectResponse("/console", status_code=303)
        return await lab_page(request)

    async def join_page(request: Request) -> Response:
        return HTMLResponse((JOIN / "index.html").read_text(encoding="utf-8").replace("{{course}}", html.escape(course)))

    async def console_page(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse("/join#instructor", status_code=303)
        if not session.is_instructor:
            return JSONResponse({"error": "only the instructor may see this"}, status_code=403)
        return HTMLResponse((CONSOLE / "index.html").read_text(encoding="utf-8"))

    async def attempt(request: Request, work) -> Response:
        """A sign-in; a failed one counts against the address (wrong codes and passwords only)."""
        body = await form(request)
        try:
            return await run_in_threadpool(work, body)
        except (LinklabError, Refusal):
            failures.note(address(request))
            raise

    def join_with_code(body: dict) -> Response:
        joined = accounts.join(course, body.get("course_code", ""), body.get("name", ""))
        return signed_in(sessions.new_session("trainee", course, joined.name), {"personal_code": joined.code})

    def personal_code(body: dict) -> Response:
        joined = accounts.sign_in(body.get("code", ""))
        if joined.course != course:
            raise LinklabError("that code belongs to another course")
        return signed_in(sessions.new_session("trainee", course, joined.name), {})

    def password(body: dict) -> Response:
        if not accounts.instructor_password_matches(body.get("password", "")):
            raise Refusal(403, "that is not the instructor's password")
        return signed_in(sessions.new_session("instructor", course, "instructor"), {})

    async def join(request: Request) -> Response:
        return await attempt(request, join_with_code)

    async def signin(request: Request) -> Response:
        return await attempt(request, personal_code)

    async def instructor(request: Request) -> Response:
        return await attempt(request, password)

    async def logout(request: Request) -> Response:
        response = JSONResponse({"signed_out": True})
        response.headers["set-cookie"] = sessions.cookie_header("", max_age=0)
        return response

    # ------------------------------------------------------------ the console's API

    async def course_state(request: Request) -> Response:
        session = instructor_of(request)
        plan = databases.plan
        return JSONResponse({
            "course": course, "join_code": join_code, "csrf": session.csrf, "profiles": list(plan.profiles),
            "servers": [{"name": i.name, "uri": i.uri, "heap": i.heap} for i in plan.instances()],
            "grading_servers": len(databases.grading_pool()), "hidden_scenarios": plan.hidden_keys,
            "memory_gb": plan.memory_gb, "notes": plan.why, "job": asdict(job)})

    async def grid(request: Request) -> Response:
        instructor_of(request)
        return JSONResponse(await run_in_threadpool(console.grid, course))

    async def mistakes(request: Request) -> Response:
        instructor_of(request)
        return JSONResponse({"exercises": await run_in_threadpool(console.common_mistakes, course)})

    async def answers(request: Request) -> Response:
        instructor_of(request)
        trainee, exercise = request.query_params.get("trainee", ""), request.query_params.get("exercise", "")
        return JSONResponse(await run_in_threadpool(console.answers_of, course, trainee, exercise))

    async def keys(request: Request) -> Response:
        instructor_of(request)
        exercise = get(request.path_params["exercise_id"])
        scenario = class_key(exercise, course)
        answer = await run_in_threadpool(answer_key, exercise, scenario)
        view = {"exercise": exercise.id, "title": exercise.title, "scenario": str(scenario),
                "solution": exercise.solution, "parameters": answer.params,
                "rows": [list(row) for row in answer.expected.rows[:100]], "total_rows": len(answer.expected.rows)}
        return JSONResponse(json.loads(json.dumps(view, default=str)))

    async def roster(request: Request) -> Response:
        instructor_of(request)
        names = (await json_body(request)).get("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise LinklabError("send the names as a JSON list of text")
        added = await run_in_threadpool(accounts.add_to_roster, course, names)
        return JSONResponse({"trainees": [{"name": j.name, "code": j.code} for j in added]})

    def start_job(name: str, work) -> Response:
        with job_lock:
            if job.running:
                raise Refusal(409, f"the instructor's task '{job.name}' is still running")
            job.name, job.running, job.messages, job.result, job.error, job.started = \
                name, True, [], None, "", time.time()

        def runner():
            try:
                job.result = work(job.messages.append)
            except Exception as exc:  # shown in the console in one line
                job.error = str(exc) if isinstance(exc, LinklabError) else f"{type(exc).__name__}: {exc}"
            finally:
                job.running = False

        threading.Thread(target=runner, daemon=True, name=f"console-{name}").start()
        return JSONResponse({"started": name}, status_code=202)

    async def prepare(request: Request) -> Response:
        instructor_of(request)
        return start_job("prepare", lambda say: asdict(servers.prepare(databases, course, say)))

    async def reset(request: Request) -> Response:
        instructor_of(request)
        profile = (await json_body(request)).get("profile", "")
        if profile not in databases.plan.profiles:
            raise LinklabError(f"no exploration server for profile {profile!r}: "
                               f"one of {', '.join(databases.plan.profiles)}")

        def work(say):
            scenario = class_scenario(profile, course)
            say(f"loading the course's {profile} scenario again...")
            seconds = servers.reload(databases.explorers[profile], scenario, say)
            return {"profile": profile, "seconds": round(seconds, 1)}

        return start_job("reset", work)

    async def regrade(request: Request) -> Response:
        """Every answer in the records checked again with today's grader (or one trainee's, one exercise's);
        the old verdicts stay in the records, superseded."""
        instructor_of(request)
        body = await json_body(request)
        trainee, exercise = body.get("trainee") or None, body.get("exercise") or None
        if exercise is not None:
            exercise = get(exercise).id
        return start_job("regrade", lambda say: asdict(regrading.regrade(databases, course, say, trainee, exercise)))

    async def export(request: Request) -> Response:
        instructor_of(request)
        name = request.path_params["name"]
        if name not in EXPORTS:
            raise LinklabError(f"no export called {name!r}: one of {', '.join(EXPORTS)}")
        body = await run_in_threadpool(exported, course, name)
        return Response(body, media_type=MEDIA_TYPES[name.rsplit(".", 1)[1]], headers=attachment(f"{course}-{name}"))

    routes = [
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
        Route("/api/console/prepare", prepare, methods=["POST"]),
        Route("/api/console/reset", reset, methods=["POST"]),
        Route("/api/console/regrade", regrade, methods=["POST"]),
        Route("/api/console/export/{name}", export),
        *trainee_routes(trainee_of, databases, throttle),
        *common_routes(),
        Mount("/console-assets", StaticFiles(directory=CONSOLE), name="console"),
        Mount("/join-assets", StaticFiles(directory=JOIN), name="join"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(ClassGuard, key=key)], exception_handlers=ERROR_HANDLERS)


EXPORTS = {"gradebook.csv": "gradebook", "report.html": "report", "results.json": "json", "junit.xml": "junit",
           "gradescope.zip": "gradescope"}


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


def exported(course: str, name: str) -> bytes:
    """One export file, made from the records in a folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="linklab-export-") as folder:
        paths = console.export(course, Path(folder))
        if name != "gradescope.zip":
            return paths[EXPORTS[name]].read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for file in sorted(paths["gradescope"].rglob("*.json")):
                archive.write(file, file.relative_to(paths["gradescope"]))
        return buffer.getvalue()


def attachment(filename: str) -> dict:
    return {"content-disposition": f'attachment; filename="{filename}"'}


class ClassGuard:
    """The session from its cookie (scope["session"]), the lab's Guard, a CSRF token on every change made
    in a session, and headers that keep pages out of other sites' frames."""

    def __init__(self, app, key: bytes):
        self.app, self.key = app, key
        self.guard = Guard(self.checked)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = header_map(scope)
        scope["session"] = sessions.read(cookie_value(headers.get("cookie", "")), self.key)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.guard(scope, receive, send_with_headers)

    async def checked(self, scope, receive, send):
        """After Guard: a change made in a session carries that session's CSRF token."""
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and scope["path"] not in SIGN_IN_PATHS:
            headers = header_map(scope)
            session = scope.get("session")
            if session is None:
                await JSONResponse({"error": "sign in first"}, status_code=401)(scope, receive, send)
                return
            if not hmac.compare_digest(headers.get("x-csrf-token", ""), session.csrf):
                await JSONResponse({"error": "this page is out of date: reload it"}, status_code=403)(
                    scope, receive, send)
                return
        await self.app(scope, receive, send)


def cookie_value(header: str) -> str | None:
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == sessions.COOKIE:
            return value
    return None
