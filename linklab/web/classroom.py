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
from collections.abc import Callable
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..classroom import accounts, exam, servers, sessions, state
from ..classroom.accounts import AccountError, Problem
from ..classroom.sessions import Role
from ..errors import LinklabError
from ..feedback import class_message, notice_message
from ..lti import grades as lti_grades
from . import walls
from .app import CROSS_SITE_PATHS, ERROR_HANDLERS, Guard, Refusal, common_routes, header_map, lab_page
from .console_api import CONSOLE_ROUTES
from .lti import PAGES as LTI_PAGES, lti_routes
from .room import ClassRoom, Limits, room_of
from .trainee_api import TRAINEE_ROUTES, Desk

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
        *CONSOLE_ROUTES,
        *lti_routes(course, public_url, room.instructor_of),
        *TRAINEE_ROUTES,
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
    app.state.desk = Desk(databases, room.trainee_of, room.working, room.rules)  # the trainee's API (trainee_api)
    return app


async def account_refused(request: Request, exc: AccountError) -> Response:
    return JSONResponse({"error": exc.message}, status_code=STATUS.get(exc.problem, 400))


async def exam_refused(request: Request, exc: exam.ExamRefusal) -> Response:
    """An exam's rule refused a check: the sentence the trainee was shown with the exercise."""
    return JSONResponse({"error": exc.message, "exam": True}, status_code=409)


async def busy_refused(request: Request, exc: state.Busy) -> Response:
    return JSONResponse({"error": notice_message("reset_busy"), "busy": True}, status_code=503,
                        headers={"retry-after": "10"})


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
