"""The instructor's library face (linklab/course.py) and the commands over it, in this process: a grading plan
is read and refused before any server is reached, and `linklab grade` says each refusal in one line with a
non-zero exit. No Java, no Neo4j (what grading does on a server: tests/test_instructor.py, test_grading_pool.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from linklab.course import Course
from linklab.errors import LinklabError
from linklab.exercises.catalogue import catalogue, get


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "course-test-secret")
    return tmp_path / "home"


def submissions(root: Path, answers: dict[str, dict[str, str]]) -> Path:
    for trainee, files in answers.items():
        (root / trainee).mkdir(parents=True)
        for name, text in files.items():
            (root / trainee / name).write_text(text)
    return root


def linklab(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """`linklab ARGS` as the console script runs it (linklab.cli.main), in this process."""
    from linklab.cli import main

    monkeypatch.setattr(sys, "argv", ["linklab", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_a_grading_plan_counts_the_checks_and_says_what_it_skips(home, tmp_path):
    crews, hub = get("crews"), get("hub-messages")
    folder = submissions(tmp_path / "in", {"ana": {"crews.cypher": crews.solution, "hub-messages.cypher": "RETURN 1"},
                                           "bo": {"crews.cypher": "RETURN 1", "hub-mesages.cypher": "RETURN 1"}})
    said = []
    planned = Course("plan-course", said.append).grading_plan(folder)
    assert planned.trainees == 2 and planned.exercises == catalogue()
    assert set(planned.submitted.answers) == {"ana", "bo"}
    assert set(planned.submitted.answers["ana"]) == {crews.id, hub.id}
    # each answer is checked on the trainee's scenario and the hidden ones: more checks than answers
    assert planned.checks >= 3 * 2
    (warning,) = [line for line in said if line.startswith("warning: ")]  # the near miss, with the id to use
    assert str(folder / "bo" / "hub-mesages.cypher") in warning and "name it hub-messages.cypher" in warning


@pytest.mark.parametrize("options, said", [
    (("--gradescope", "gs.json"), "--gradescope goes with --single"),
    (("--trainee", "ana"), "--trainee and --exercise say what --regrade grades again"),
    (("--regrade", "--trainee", "nobody"), "--trainee 'nobody': no such trainee"),
    (("--regrade", "--exercise", "case-degree"), "is not graded here (a case exercise: add --case NAME)"),
    (("--regrade", "--exercise", "no-such-exercise"), "no-such-exercise"),
])
def test_grade_refuses_what_it_cannot_grade_in_one_line(home, tmp_path, monkeypatch, capsys, options, said):
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing answers there: no refusal may reach it
    monkeypatch.setenv("LINKLAB_GRADING_URI", "bolt://127.0.0.1:9")
    folder = submissions(tmp_path / "in", {"ana": {"crews.cypher": get("crews").solution}})
    code, out, err = linklab(monkeypatch, capsys, "grade", str(folder), "--out", str(tmp_path / "out"), *options)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code != 0 and out == "" and len(lines) == 1, err
    assert lines[0].startswith("error: ") and said in lines[0], lines
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_an_empty_folder_is_refused_before_any_server(home, tmp_path, monkeypatch):
    monkeypatch.setenv("LINKLAB_GRADING_URI", "bolt://127.0.0.1:9")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LinklabError):
        Course("plan-course").grading_plan(tmp_path / "empty")


@pytest.mark.parametrize("grading_uri, stopped", [("", True), ("bolt://127.0.0.1:9", False)])
def test_stopping_the_lab_stops_the_local_grading_server_it_leaves_behind(home, monkeypatch, capsys, grading_uri,
                                                                           stopped):
    """`make up` starts the lab, whose background preparation starts a local grading server; `linklab lab
    --stop` stops that one too, never a server named in LINKLAB_GRADING_URI (someone else's)."""
    from linklab import server as srv

    monkeypatch.setenv("LINKLAB_GRADING_URI", grading_uri)
    killed = []
    monkeypatch.setattr(srv, "running_pid", lambda inst: 4242 if inst.name == "grading" else None)
    monkeypatch.setattr(srv, "kill", killed.append)
    code, out, err = linklab(monkeypatch, capsys, "lab", "--stop")
    assert code == 0 and err == ""
    assert "The lab is not running in the background." in out
    assert killed == ([4242] if stopped else [])
    assert ("grading server is stopped too" in out) == stopped


def test_a_course_s_exports_come_from_its_records_and_class_work_needs_its_servers(home):
    import io
    import zipfile

    from linklab.classroom import accounts

    course = Course("export-course")
    with pytest.raises(LinklabError, match="nobody has joined course 'export-course' yet") as empty:
        course.export("gradebook.csv")
    assert "/tmp" not in str(empty.value)  # (the report's refusal named its temporary folder)
    accounts.join("export-course", accounts.open_course("export-course"), "Ana")
    gradebook = course.export("gradebook.csv").decode()
    assert "Ana" in gradebook.splitlines()[1]  # joined, nothing checked yet: a row of zeros
    with zipfile.ZipFile(io.BytesIO(course.export("gradescope.zip"))) as archive:
        assert archive.testzip() is None
    with pytest.raises(LinklabError, match="no export called 'grades.csv'"):
        course.export("grades.csv")
    for class_work in (course.prepare_class, course.is_prepared, lambda: course.reset("investigation")):
        with pytest.raises(LinklabError, match="is not running as a class here"):
            class_work()


def test_a_named_course_never_asks_the_system_who_the_user_is(home, monkeypatch):
    """The class server makes a Course for each console request: on a machine whose user has no name (a
    container's unnamed uid), asking getpass would fail every one of them."""
    import getpass

    def no_name():
        raise KeyError("getpwuid(): uid not found: 1000770000")
    monkeypatch.setattr(getpass, "getuser", no_name)
    assert Course("class-course").name == "class-course"
    monkeypatch.delenv("LINKLAB_COURSE", raising=False)
    monkeypatch.delenv("LINKLAB_TRAINEE", raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: "ana")
    assert Course().name == "linklab-101"  # no name: the default course, as every command has it
