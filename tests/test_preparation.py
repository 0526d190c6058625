"""No waiting that nobody explains: a course's hidden worlds are prepared once, in the background when the
lab starts, another process that needs them waits and says how far it is, and a wrong answer is told at
once on the trainee's own world while the preparation is still under way (on the real test server)."""

from __future__ import annotations

import threading
import time

import pytest

from linklab.exercises.catalogue import get
from linklab.grade import worlds
from linklab.grade.status import Status
from linklab.service import BackgroundPreparation, Databases, PreparationState, check

COURSE = "preparation-course"
WORLD = ("street-ring", "")


@pytest.fixture
def small_pool(monkeypatch, tmp_path, cli_env):
    """A state folder of the test's own, the test server as grading server, and a small candidate pool."""
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
        monkeypatch.setenv(name, cli_env[name])
    monkeypatch.setenv("LINKLAB_GRADING_URI", cli_env["NEO4J_URI"])
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "preparation-secret")
    monkeypatch.setattr(worlds, "CANDIDATES", 1)
    monkeypatch.setattr(worlds, "EQUIVALENCE_POOL", 0)
    worlds.content_digest.cache_clear()
    yield
    worlds.content_digest.cache_clear()


def test_two_preparers_of_one_course_prepare_it_once_and_the_second_says_how_far(small_pool, driver):
    heard: list[str] = []
    done: list[list] = []

    def first():
        done.append(worlds.ensure_prepared(driver, COURSE, {WORLD}))

    worker = threading.Thread(target=first)
    worker.start()
    deadline = time.monotonic() + 120
    while worlds.underway(COURSE, WORLD[0]) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worlds.underway(COURSE, WORLD[0]) is not None, "the first preparer never said how far it is"
    second = worlds.ensure_prepared(driver, COURSE, {WORLD}, progress=heard.append)
    worker.join(600)
    assert len(done[0]) == 1 and second == []  # prepared by the first, waited for by the second
    assert heard and all("another process is preparing" in line for line in heard)
    assert any("left)" in line or "world" in line for line in heard)
    assert worlds.stored_choice(COURSE, *WORLD) is not None and worlds.underway(COURSE, WORLD[0]) is None


def test_the_lab_prepares_in_the_background_and_a_wrong_answer_is_told_at_once(small_pool, driver):
    crews = get("crews")
    with Databases() as databases:
        databases.local_uri = "bolt://explorer.invalid:7687"  # as if the trainee explored on another server than
        # the one that grades (the suite has one server; what the lab explores is only compared by address here)
        background = BackgroundPreparation("trainee-one", COURSE + "-lab", databases, (crews,))
        (world,) = background.needed
        assert background.status().state is PreparationState.PREPARING  # nothing chosen yet, nothing started
        began = time.monotonic()
        wrong = check(crews, "MATCH (o:Organization) RETURN o.name, 0", "trainee-one", COURSE + "-lab",
                      databases=databases)
        assert wrong.status is Status.FAILED and not wrong.passed and time.monotonic() - began < 60
        assert worlds.stored_choice(COURSE + "-lab", *world) is None  # told without the hidden worlds
        background.start()
        said = set()
        deadline = time.monotonic() + 900
        while background.status().state is PreparationState.PREPARING and time.monotonic() < deadline:
            said.add(background.status().message)
            time.sleep(0.5)
        assert any("hidden scenarios" in message for message in said)
        assert background.status().state is PreparationState.READY, background.status()
        right = check(crews, crews.solution, "trainee-one", COURSE + "-lab", databases=databases)
        assert right.passed and len(right.checks) >= 3


def test_the_lab_never_prepares_on_the_database_the_trainee_explores(small_pool, driver):
    """Grading on the trainee's own database (LINKLAB_GRADING_URI = NEO4J_URI): preparing in the background
    would load hidden worlds where the trainee explores, so it waits for the first check and says so."""
    from linklab.grade.engine import ensure_loaded
    from linklab.service import exploring

    crews = get("crews")
    own = exploring(crews, "trainee-two", COURSE + "-own")
    ensure_loaded(driver, own)
    with Databases() as databases:
        background = BackgroundPreparation("trainee-two", COURSE + "-own", databases, (crews,)).start()
        background.thread.join(60)
        assert not background.thread.is_alive()
        assert background.status().state is PreparationState.AT_FIRST_CHECK
        assert "first check" in background.status().message
        (world,) = background.needed
        assert worlds.stored_choice(COURSE + "-own", *world) is None
        assert not ensure_loaded(driver, own)  # the trainee's scenario is still the one loaded


def test_the_background_prepares_worlds_in_the_order_the_exercises_need_them(monkeypatch, tmp_path):
    """A trainee starting at exercise 1 waits for exercise 1's world only: it comes first, then each world
    as the catalogue first needs it, each once (no database: only the order is computed here)."""
    from linklab.exercises.catalogue import catalogue
    from linklab.grade.scenarios import worlds_for

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "order-secret")
    for trainee in ("ana", "bo", "cy"):
        order = BackgroundPreparation(trainee, "order-course", databases=None).order
        assert order[0] in worlds_for([catalogue()[0]], "order-course", [trainee])
        assert len(order) == len(set(order)) and set(order) == worlds_for(catalogue(), "order-course", [trainee])
        firsts = [next(i for i, e in enumerate(catalogue()) if w in worlds_for([e], "order-course", [trainee]))
                  for w in order]
        assert firsts == sorted(firsts)
