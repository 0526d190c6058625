"""No waiting that nobody explains: a course's hidden worlds are prepared once, in the background when the
lab starts, another process that needs them waits and says how far it is, and a wrong answer is told at
once on the trainee's own world while the preparation is still under way (on the real test server)."""

from __future__ import annotations

import threading
import time

import pytest

from linklab.exercises.catalogue import get
from linklab.grade import worlds
from linklab.scenario.profiles import DESIGN
from linklab.service import BackgroundPreparation, Databases, PreparationState

COURSE = "preparation-course"
WORLD = (DESIGN, "")


@pytest.fixture
def small_pool(monkeypatch, tmp_path, cli_env):
    """A state folder of the test's own, the test server as grading server, and a small candidate pool."""
    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / "home"))
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
        monkeypatch.setenv(name, cli_env[name])
    monkeypatch.setenv("LINKLAB_GRADING_URI", cli_env["NEO4J_URI"])
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "preparation-secret")
    monkeypatch.setenv("LINKLAB_CANDIDATES", "1")
    monkeypatch.setenv("LINKLAB_EQUIVALENCE_POOL", "0")
    two = (get("crews"), get("hub-messages"))  # how preparing is shared is the subject, not the whole course
    monkeypatch.setattr(worlds, "catalogue", lambda: two)
    worlds.digest_of_content.cache_clear()
    yield
    worlds.digest_of_content.cache_clear()


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


def test_the_lab_tells_a_wrong_answer_at_once_and_a_right_one_as_pending_then_passed(small_pool, driver, browser,
                                                                                     second_conn, monkeypatch, shots):
    """The lab as `make up` starts it, in real Chromium: the hidden worlds are prepared in the background from
    the start. A wrong answer is told at once from the trainee's own world; a right one at once as "right so
    far" (not counted: no points, progress unchanged); the page checks it again by itself when the exercise's
    hidden worlds are ready, and then it passes on them and counts."""
    import json
    import socket
    import urllib.request

    import uvicorn
    from selenium.webdriver.common.by import By

    from linklab import service
    from linklab.grade.loading import ensure_loaded
    from linklab.web.app import create_app

    from .browser import console_errors, open_page, screenshot_colours
    from .test_lab import wait_for

    crews, trainee, course = get("crews"), "trainee-one", COURSE + "-lab"
    monkeypatch.setattr(service, "catalogue", lambda: (crews,))  # the lab lists crews only
    monkeypatch.setattr(worlds, "catalogue", lambda: (crews,))  # and the background prepares its mutants only
    monkeypatch.setenv("LINKLAB_GRADING_URI", second_conn.uri)  # as `make up`: grading beside exploring
    ensure_loaded(driver, service.exploring(crews, trainee, course))
    # the background's preparation is held until the pending verdict has been seen: with one exercise and one
    # candidate it takes a few seconds, and could otherwise end before the first check
    gate, preparing = threading.Event(), worlds.ensure_prepared

    def held(*args, **kwargs):
        gate.wait(600)
        return preparing(*args, **kwargs)

    monkeypatch.setattr(worlds, "ensure_prepared", held)
    with Databases() as databases, socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        app = create_app(trainee, course, databases, prepare=True)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}/"

        def api(path: str) -> dict:
            with urllib.request.urlopen(url + path.lstrip("/"), timeout=30) as reply:
                return json.loads(reply.read())

        said: set[str] = set()  # what the lab says of the preparation, from its start to the PASS
        listening = threading.Event()

        def listen() -> None:
            while not listening.is_set():
                try:
                    said.add(api("/api/preparation?exercise=crews")["message"])
                except OSError:  # not serving yet
                    pass
                time.sleep(0.2)

        listener = threading.Thread(target=listen, daemon=True)
        try:
            while not server.started:
                time.sleep(0.05)
            listener.start()
            assert open_page(browser, url + "#/exercise/crews", "document.body.dataset.opened === 'crews'") == []
            (world,) = {w for w in worlds_for_crews(trainee, course)}
            began = time.monotonic()
            browser.execute_script("linklabLab.editor.setValue(arguments[0])",
                                   "MATCH (o:Organization) RETURN o.name, 0")
            browser.find_element(By.ID, "check").click()
            wait_for(browser, "document.getElementById('verdict').textContent.startsWith('NOT YET')", timeout=60)
            assert "On your scenario" in browser.find_element(By.ID, "verdict").text
            browser.execute_script("linklabLab.editor.setValue(arguments[0])", crews.solution)
            browser.find_element(By.ID, "check").click()
            wait_for(browser, "document.getElementById('verdict').textContent.startsWith('RIGHT SO FAR')", timeout=60)
            told = time.monotonic() - began
            verdict = browser.find_element(By.ID, "verdict")
            assert "pending" in verdict.get_attribute("class") and "Right on your scenario so far" in verdict.text
            assert told < 60 and worlds.stored_choice(course, *world) is None  # told without the hidden worlds
            listing = api("/api/exercises")
            assert listing["progress"]["passed"] == 0 and listing["progress"]["points"] == 0  # nothing counted
            assert api("/api/exercises/crews")["status"] == "trying"  # the wrong answer counted; the pending one not
            browser.execute_script("document.getElementById('verdict').scrollIntoView({block: 'center'})")
            assert screenshot_colours(browser, shots / "lab-pending.png") > 10
            gate.set()
            deadline = time.monotonic() + 900
            while not browser.execute_script("return document.getElementById('verdict').textContent.startsWith('PASSED')"):
                assert time.monotonic() < deadline, browser.find_element(By.ID, "verdict").text
                status = api("/api/preparation?exercise=crews")
                said.add(status["message"])
                assert status["state"] != "failed", status
                time.sleep(1)
            # it said what a check waited for while it waited (the page shows the same at its foot)
            assert any(m.startswith(("Preparing your course's hidden scenarios", "Starting the grading server"))
                       for m in said), said
            assert worlds.stored_choice(course, *world) is not None  # checked again by the page, on the chosen worlds
            assert len(browser.find_elements(By.CSS_SELECTOR, "#verdict li")) >= 3
            wait_for(browser, "document.getElementById('progress-text').textContent.startsWith('1 of')")
            assert api("/api/exercises")["progress"]["passed"] == 1
            assert api("/api/preparation?exercise=crews")["exercise_ready"] is True
            assert console_errors(browser) == []
        finally:
            gate.set()
            listening.set()
            server.should_exit = True
            thread.join(30)


def worlds_for_crews(trainee: str, course: str) -> set:
    from linklab.grade.scenarios import worlds_for

    return worlds_for([get("crews")], course, [trainee])


def test_the_lab_never_prepares_on_the_database_the_trainee_explores(small_pool, driver):
    """Grading on the trainee's own database (LINKLAB_GRADING_URI = NEO4J_URI): preparing in the background
    would load hidden worlds where the trainee explores, so it waits for the first check and says so."""
    from linklab.grade.loading import ensure_loaded
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
