"""One class as its handlers share it (web.classroom, web.console_api): the course, its servers, the walls
around trainees' work and the instructor's long task, read from the app by each handler (`room_of`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..classroom import accounts, servers, sessions, state
from ..classroom.sessions import Role
from ..course import Course
from ..errors import LinklabError
from ..feedback import class_message
from . import walls
from .app import Refusal
from .rules import ClassRules


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
    the instructor's long task. The handlers (web.classroom, web.console_api) read it from the app
    (`room_of`): each is a function of its own, testable with a room over stub servers."""

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
