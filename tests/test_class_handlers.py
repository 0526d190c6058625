"""The class server's handlers alone: each is a function of the request that reads the class (web.classroom.
ClassRoom) from the app and asks the instructor's library face (course.Course) for the work. Here the room's
servers and its library are stubs, so these are unit tests (no Java, no Neo4j); the sign-in, the session and
the walls around it are the real ones (what the class tier checks on real servers: tests/test_class.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from starlette.testclient import TestClient

from linklab.classroom import accounts
from linklab.errors import LinklabError
from linklab.web.classroom import create_class_app

COURSE, PASSWORD = "handlers-course", "handlers-pass-1"
CHANGE = {"x-linklab": "1"}  # the lab's own header, which every change carries (web.app.Guard)


@dataclass
class StubPlan:
    profiles: tuple[str, ...] = ("investigation",)
    hidden_keys: int = 3
    memory_gb: float = 8.0
    why: list[str] = field(default_factory=list)

    def instances(self) -> list:
        return []


class StubServers:
    """The class's servers as the handlers see them: a plan and no database (nothing here reaches one)."""
    shared = True
    plan = StubPlan()
    explorers: dict = {}

    def grading_pool(self) -> list:
        return []


@dataclass
class Prepared:
    seconds: float
    scenarios: list[str]


class StubLibrary:
    """course.Course's class methods, answering at once and noting what was asked (and what it said)."""

    def __init__(self, asked: list, notify=None, release=None):
        self.asked, self.notify, self.release = asked, notify or (lambda _: None), release
        self.name = COURSE

    def grid(self) -> dict:
        self.asked.append("grid")
        return {"trainees": ["ana"], "exercises": ["crews"]}

    def prepare_class(self) -> Prepared:
        self.asked.append("prepare")
        self.notify("choosing the hidden worlds...")
        if self.release is not None:
            assert self.release.wait(10), "the test never let the task finish"
        return Prepared(1.5, ["investigation: on the exploration server"])

    def require_profile(self, profile: str) -> None:
        if profile != "investigation":
            raise LinklabError(f"no exploration server for profile {profile!r}: one of investigation")

    def export(self, name: str) -> bytes:
        self.asked.append(f"export {name}")
        return b"name,score\nana,10\n"

    def is_prepared(self) -> bool:
        return False


@pytest.fixture
def console(tmp_path, monkeypatch):
    """(client, the room, what the library was asked): the class app over stub servers, its library a stub."""
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    accounts.set_instructor_password(PASSWORD)
    app = create_class_app(COURSE, StubServers(), send_scores=False)
    room, asked = app.state.room, []
    room.release = None
    monkeypatch.setattr(room, "library", lambda notify=None: StubLibrary(asked, notify, room.release))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client, room, asked


def sign_in_instructor(client) -> dict:
    """The headers of the instructor's changes (the session's CSRF token); the cookie stays in the client."""
    assert client.post("/api/instructor", json={"password": PASSWORD}, headers=CHANGE).status_code == 200
    csrf = client.get("/api/console/course").json()["csrf"]
    return {**CHANGE, "x-csrf-token": csrf}


def test_a_console_view_is_the_library_s_answer_for_the_instructor_only(console):
    client, room, asked = console
    assert client.get("/api/console/grid").status_code == 401 and asked == []
    trainee = client.post("/api/join", json={"course_code": room.join_code, "name": "Ana"}, headers=CHANGE)
    assert trainee.status_code == 200
    assert client.get("/api/console/grid").status_code == 403 and asked == []
    client.cookies.clear()
    sign_in_instructor(client)
    grid = client.get("/api/console/grid")
    assert grid.status_code == 200 and grid.json() == {"trainees": ["ana"], "exercises": ["crews"]}
    assert asked == ["grid"]


def test_a_console_task_runs_the_library_in_the_background_one_at_a_time(console):
    import threading

    client, room, asked = console
    headers = sign_in_instructor(client)
    room.release = threading.Event()
    started = client.post("/api/console/prepare", headers=headers)
    assert started.status_code == 202 and started.json() == {"started": "prepare"}
    second = client.post("/api/console/reset", json={"profile": "investigation"}, headers=headers)
    assert second.status_code == 409 and "prepare" in second.json()["error"]  # one task at a time
    room.release.set()
    deadline = time.monotonic() + 10
    while (job := client.get("/api/console/course").json()["job"])["running"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not job["running"] and job["error"] == ""
    assert job["result"] == {"seconds": 1.5, "scenarios": ["investigation: on the exploration server"]}
    assert job["messages"] == ["choosing the hidden worlds..."] and asked == ["prepare"]


def test_a_request_the_library_refuses_is_one_line_and_starts_nothing(console):
    client, room, asked = console
    headers = sign_in_instructor(client)
    refused = client.post("/api/console/reset", json={"profile": "nowhere"}, headers=headers)
    assert refused.status_code == 400 and refused.json()["error"].startswith("no exploration server for profile")
    assert "\n" not in refused.json()["error"] and not room.job.running and room.job.name == ""
    no_token = client.post("/api/console/prepare", headers=CHANGE)  # a change without the session's token
    assert no_token.status_code == 403 and asked == []


def test_an_export_is_the_library_s_bytes_as_an_attachment(console):
    client, _, asked = console
    sign_in_instructor(client)
    got = client.get("/api/console/export/gradebook.csv")
    assert got.status_code == 200 and got.content == b"name,score\nana,10\n"
    assert got.headers["content-disposition"] == f'attachment; filename="{COURSE}-gradebook.csv"'
    assert asked == ["export gradebook.csv"]
