"""The trainee's side of the library face alone (linklab.lab.Lab), in the unit tier: who a lab is for, which
databases it opens and closes, and what it does from the records without any database (the exercises offered,
hints, progress). Running and checking on a real server are tests/test_lab.py's and tests/test_grader.py's;
`linklab show|hint|check|progress` go through the same object
(tests/test_grader.py::test_show_hint_check_progress_flow)."""

from __future__ import annotations

import pytest

from linklab import lab as lab_module
from linklab.exercises.catalogue import case_catalogue, catalogue, get
from linklab.lab import Lab


class StubDatabases:
    """Databases that are opened and closed, and never reached (a request for a driver fails the test)."""
    opened: list["StubDatabases"] = []

    def __init__(self, notify=None, shared: bool = False):
        self.shared, self.closed = shared, False
        StubDatabases.opened.append(self)

    def explorer_for(self, exercise):
        raise AssertionError(f"a database was asked for ({exercise.id})")

    def close(self):
        self.closed = True


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LINKLAB_TRAINEE", raising=False)
    monkeypatch.delenv("LINKLAB_COURSE", raising=False)
    monkeypatch.setattr(lab_module.service, "Databases", StubDatabases)
    StubDatabases.opened.clear()


def test_a_lab_is_for_the_trainee_and_course_given_else_those_of_the_environment(monkeypatch):
    assert (Lab.of("ana", "spring").trainee, Lab.of("ana", "spring").course) == ("ana", "spring")
    monkeypatch.setenv("LINKLAB_TRAINEE", "bo")
    monkeypatch.setenv("LINKLAB_COURSE", "autumn")
    assert (Lab.of().trainee, Lab.of().course) == ("bo", "autumn")
    assert Lab.of("cy").course == "autumn"


def test_a_lab_opens_databases_only_when_asked_and_closes_only_its_own():
    with Lab.of("ana", "spring") as lab:
        lab.exercises(), lab.progress(), lab.hint(get("crews"))
        assert StubDatabases.opened == []  # records only: no database opened
        own = lab.databases
        assert lab.databases is own and StubDatabases.opened == [own]
    assert own.closed and lab.owned is None

    given = StubDatabases(shared=True)
    with Lab.of("ana", "spring", given) as lab:
        assert lab.databases is given and lab.shared
    assert not given.closed  # the process's databases outlive a request's lab


def test_hints_and_progress_are_the_trainee_s_own_and_count_what_is_offered():
    ana, bo = Lab.of("ana", "spring"), Lab.of("bo", "spring")
    crews = get("crews")
    first, second = ana.hint(crews), ana.hint(crews)
    assert (first["number"], second["number"]) == (1, 2) and first["text"] == crews.hints[0]
    assert ana.progress()["hints"] == 2 and bo.progress()["hints"] == 0
    assert ana.progress()["total"] == len(catalogue()) + len(case_catalogue())  # one's own lab offers the cases
    in_class = Lab.of("ana", "spring", StubDatabases(shared=True))
    assert in_class.progress()["total"] == len(catalogue())  # a class offers the generated scenarios' only
    assert [e["id"] for e in in_class.exercises()] == [e.id for e in catalogue()]
    assert {e["id"]: e["status"] for e in ana.exercises()}["crews"] != "passed"
