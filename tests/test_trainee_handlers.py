"""The trainee's API alone (web.trainee_api): its handlers are functions of the request over the `Desk` the app
holds, so they are tested here over stub databases that no request may reach (unit tier: no Java, no Neo4j).
What must be refused before any database is asked is refused so, in one line; what a lab does on a real server
is tests/test_lab.py's and tests/test_class.py's."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from linklab.feedback import class_message, refusal
from linklab.web.app import ERROR_HANDLERS, Refusal
from linklab.web.trainee_api import TRAINEE_ROUTES, Desk

CHANGE = {"x-linklab": "1"}


class UnreachableDatabases:
    """Databases no handler may ask for here: asking fails the request with a 500, which the tests would see."""

    def __init__(self, shared: bool):
        self.shared = shared

    def explorer_for(self, exercise):
        raise AssertionError(f"a database was asked for ({exercise.id})")

    @property
    def local(self):
        raise AssertionError("a database was asked for")


def client_for(shared: bool, identify=lambda request: ("ana", "handlers-course")) -> TestClient:
    app = Starlette(routes=TRAINEE_ROUTES, exception_handlers=ERROR_HANDLERS)
    app.state.desk = Desk(UnreachableDatabases(shared), identify)
    return TestClient(app, base_url="http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINKLAB_CASES", str(tmp_path / "cases"))


@pytest.mark.parametrize("shared", [False, True], ids=["own-lab", "class"])
def test_what_is_refused_before_the_database_is_refused_in_one_line(shared):
    client = client_for(shared)
    empty = client.post("/api/exercises/crews/check", json={"query": "  // nothing but a comment\n"}, headers=CHANGE)
    assert empty.status_code == 400 and empty.json() == {"error": refusal("empty")}
    for body in (b"not json", b'{"query": 42}', b"[]"):
        bad = client.post("/api/exercises/crews/run", content=body, headers=CHANGE)
        assert bad.status_code == 400 and bad.json() == {"error": class_message("not_json")}, body
    for body in (b"not json", b"[]", b'"a run id"'):  # a body with no query in it: said as such
        not_an_object = client.post("/api/exercises/crews/stop", content=body, headers=CHANGE)
        assert not_an_object.status_code == 400 and not_an_object.json() == {"error": class_message("json_object")}
    unknown = client.get("/api/exercises/no-such-exercise")
    assert unknown.status_code == 404 and "\n" not in unknown.json()["error"]


def test_a_case_exercise_is_no_exercise_of_a_class_and_needs_a_case_in_one_s_own_lab():
    in_class = client_for(shared=True).post("/api/exercises/case-degree/run", json={"query": "RETURN 1"},
                                             headers=CHANGE)
    assert in_class.status_code == 404 and "unknown exercise 'case-degree'" in in_class.json()["error"]
    own = client_for(shared=False).post("/api/exercises/case-degree/run", json={"query": "RETURN 1"}, headers=CHANGE)
    assert own.status_code == 400 and "case" in own.json()["error"]  # choose a case network first


def test_whoever_the_desk_refuses_gets_nothing():
    def nobody(request):
        raise Refusal(401, "sign in first")

    client = client_for(shared=True, identify=nobody)
    for method, path in [("get", "/api/me"), ("get", "/api/exercises"), ("get", "/api/exercises/crews"),
                         ("post", "/api/exercises/crews/check"), ("get", "/api/schema"), ("get", "/api/briefing")]:
        answered = getattr(client, method)(path, **({"json": {"query": "RETURN 1"}, "headers": CHANGE}
                                                    if method == "post" else {}))
        assert answered.status_code == 401 and answered.json() == {"error": "sign in first"}, path
