"""A class server (`linklab lab --class`) as a room uses it: the real command starts its own Neo4j servers
(one exploration server and three grading servers, in a state folder of the test's own), the instructor
prepares the course in the console in Chromium, a trainee joins in a second Chromium and solves an
exercise, and the grid shows it. The walls are tried as a trainee, as an anonymous visitor and as an
attacker on loopback, each refused: endless bodies, old cookies, look-alike names, a full class, a third
query in flight, forged X-Forwarded-For, password guessing, answers that would break an export; the
instructor renames and removes trainees in the console. 30 simulated trainees run and check at once and
every verdict equals the serial one.

The server trusts one proxy, 127.0.0.3: requests sent from that address with X-Forwarded-For stand for
clients elsewhere. Sign-in tests use loopback addresses of their own (127.0.0.4, ...), so that their failures
never slow the other tests' sign-ins from 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest

from linklab import server as srv
from linklab.exercises.catalogue import get
from linklab.grade.status import Status

from .browser import console_errors, open_page, screenshot_colours, start_browser
from .conftest import ROOT, answer_of, shifted_port, without_named_mistake
from .test_lab import free_port, memory_mib, send_declared_length, send_endless_body, type_query, wait_for

pytestmark = pytest.mark.integration  # starts Neo4j servers or linklab processes of its own

COURSE, PASSWORD = "class-test", "instructor-pass-1"
FIRST_PORT = shifted_port(7730)  # class-investigation 7730/7731, class-grading-1..3 7732-7737
PROXY = "127.0.0.3"
CREWS = get("crews")
# The class offers these (linklab lab --exercises): what these tests check, and a course a fifth of the size to
# prepare. Preparing every exercise's mistakes is tests/test_mutants.py's subject.
CLASS_EXERCISES = ("crews", "member-accounts", "hub-messages", "hub-calls", "influencer-followers")


def offered() -> list:
    return [get(e) for e in CLASS_EXERCISES]
WRONG_CREWS = "MATCH (o:Organization) RETURN o.name, 1"


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    """The class lab's address, its environment, and the course code; its servers are stopped afterwards."""
    home = tmp_path_factory.mktemp("class-home")
    srv.install()
    (home / "neo4j-dist").symlink_to(srv.dist_dir())  # the jars, not the data: this class's servers are its own
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "LINKLAB_"))}
    env |= {"LINKLAB_HOME": str(home), "LINKLAB_INSTRUCTOR_PASSWORD": PASSWORD,
            # the suite's pool of candidate worlds (conftest): Prepare in minutes, not a quarter of an hour
            "LINKLAB_CANDIDATES": os.environ["LINKLAB_CANDIDATES"],
            "LINKLAB_EQUIVALENCE_POOL": os.environ["LINKLAB_EQUIVALENCE_POOL"],
            "LINKLAB_EXERCISES": ",".join(CLASS_EXERCISES)}
    port = free_port()
    # three grading servers: the course's hidden worlds (of its one world) stay loaded
    command = [sys.executable, "-m", "linklab", "lab", "--class", COURSE, "--port", str(port), "--grading-servers",
               "3", "--first-port", str(FIRST_PORT), "--trusted-proxy", PROXY]
    log = open(home / "class.log", "w+")
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 400
        while True:
            try:
                urllib.request.urlopen(url + "/join", timeout=2)
                break
            except OSError:
                log.seek(0)
                assert process.poll() is None and time.monotonic() < deadline, log.read()
                time.sleep(1)
        log.seek(0)
        printed = log.read()
        assert "The class lab is open at" in printed and "course code" in printed
        code = printed.split("course code ")[1].split(")")[0]
        yield {"url": url, "env": env, "code": code, "pid": process.pid, "port": port}
    finally:
        process.terminate()
        process.wait(20)
        subprocess.run(command + ["--stop"], env=env, cwd=ROOT, capture_output=True, timeout=300)
        log.close()


def client(url: str, source: str | None = None, forwarded_for: str | None = None) -> httpx.Client:
    """A browser-like client of the lab; from another loopback address with `source`; with `forwarded_for`,
    the X-Forwarded-For header it sends."""
    headers = {"X-Linklab": "1", "Origin": url} | ({"X-Forwarded-For": forwarded_for} if forwarded_for else {})
    transport = httpx.HTTPTransport(local_address=source) if source else None
    return httpx.Client(base_url=url, headers=headers, timeout=300, transport=transport)


def instructor(server) -> tuple[httpx.Client, str]:
    who = client(server["url"])
    assert who.post("/api/instructor", json={"password": PASSWORD}).status_code == 200
    return who, who.get("/api/console/course").json()["csrf"]


def trainee(server, name: str) -> tuple[httpx.Client, str]:
    who = client(server["url"])
    joined = who.post("/api/join", json={"course_code": server["code"], "name": name})
    assert joined.status_code == 200, joined.text
    return who, who.get("/api/me").json()["csrf"]


def prepared(server) -> None:
    """Prepare the course through the console's API (once; the browser test does it by clicking)."""
    who, csrf = instructor(server)
    job = who.get("/api/console/course").json()["job"]
    if job["name"] != "prepare" or job["error"]:
        assert who.post("/api/console/prepare", json={}, headers={"X-CSRF-Token": csrf}).status_code in (202, 409)
    deadline = time.monotonic() + 900
    while (job := who.get("/api/console/course").json()["job"])["running"]:
        assert time.monotonic() < deadline
        time.sleep(2)
    assert job["error"] == "" and job["result"]["scenarios"], job


def test_checks_wait_until_the_instructor_prepares_the_course(class_server):
    """First in this module: before Prepare, a trainee can run queries but a check says what it waits for."""
    early, csrf = trainee(class_server, "Early Bird")
    ran = early.post("/api/exercises/crews/run", json={"query": "RETURN 1 AS one"}, headers={"X-CSRF-Token": csrf})
    assert ran.status_code == 200 and ran.json()["rows"] == [[1]]
    checked = early.post("/api/exercises/crews/check", json={"query": answer_of(CREWS)}, headers={"X-CSRF-Token": csrf})
    assert checked.status_code == 400 and "instructor has prepared the course" in checked.json()["error"]


# ---------------------------------------------------------------- in real Chromium


@pytest.fixture(scope="module")
def second_browser():
    with tempfile.TemporaryDirectory(prefix="linklab-chromium-trainee-") as profile:
        driver = start_browser(Path(profile))
        try:
            yield driver
        finally:
            driver.quit()


def test_instructor_prepares_a_trainee_solves_and_the_grid_moves(class_server, browser, second_browser, shots):
    from selenium.webdriver.common.by import By

    url = class_server["url"]
    # The instructor signs in and prepares the course from the console.
    assert open_page(browser, url + "/join", "document.body.dataset.ready") == []
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#instructor-form button").click()
    wait_for(browser, "document.body.dataset.ready === '1' && location.pathname === '/console'")
    assert browser.find_element(By.ID, "join-code").text == class_server["code"]
    browser.find_element(By.ID, "prepare").click()
    wait_for(browser, "document.getElementById('job').textContent.includes('Prepared in')", timeout=900)

    # A trainee joins in another browser, with the course code and a name, and solves exercise 1.
    trainee_view = second_browser
    assert open_page(trainee_view, url + "/", "document.body.dataset.ready") == []  # redirected to /join
    assert trainee_view.current_url.endswith("/join")
    trainee_view.find_element(By.ID, "course-code").send_keys(class_server["code"].lower())
    trainee_view.find_element(By.ID, "name").send_keys("Dana Analyst")
    trainee_view.find_element(By.CSS_SELECTOR, "#join-form button").click()
    wait_for(trainee_view, "!document.getElementById('welcome').hidden")
    personal_code = trainee_view.find_element(By.ID, "welcome-code").text
    assert len(personal_code.replace("-", "")) == 10
    trainee_view.find_element(By.ID, "go").click()
    wait_for(trainee_view, "document.body.dataset.ready === '1' && !document.getElementById('signout').hidden")
    trainee_view.find_element(By.CSS_SELECTOR, 'nav a[data-id="crews"]').click()
    wait_for(trainee_view, "document.getElementById('title').textContent.includes('crews')")
    type_query(trainee_view, WRONG_CREWS)
    trainee_view.find_element(By.ID, "check").click()
    wait_for(trainee_view, "document.getElementById('verdict').textContent.startsWith('NOT YET')", timeout=120)
    trainee_view.execute_script("linklabLab.editor.setValue(arguments[0])", answer_of(CREWS))
    trainee_view.find_element(By.ID, "check").click()
    wait_for(trainee_view, "document.getElementById('verdict').textContent.startsWith('PASSED')", timeout=120)
    assert console_errors(trainee_view) == []

    # The instructor's grid shows the pass without a reload, and the drill-down shows both answers.
    cell = "document.querySelector('td.cell[data-trainee=\"Dana Analyst\"][data-exercise=\"crews\"]')"
    wait_for(browser, f"{cell} && {cell}.classList.contains('passed')", timeout=30)
    header = browser.find_element(By.CSS_SELECTOR, ".grid thead th:nth-child(2) small").text
    trainees = browser.execute_script("return document.querySelectorAll('.grid tbody tr').length")
    assert trainees == 2 and header == "1/2"  # passed of trainees (Dana and Early Bird): counts, not only a rate
    browser.execute_script(f"{cell}.click()")
    wait_for(browser, "!document.getElementById('drill').hidden && document.querySelectorAll('#drill-body .answer').length === 2")
    drill = browser.find_element(By.ID, "drill-body").text
    assert "MATCH (o:Organization) RETURN o.name, 1" in drill and "passed" in drill
    assert screenshot_colours(browser, shots / "console.png") > 20
    assert console_errors(browser) == []

    # The trainee's browser cannot open the console, anyone's answers or the keys.
    for path in ("/console", "/api/console/grid", "/api/console/answers?trainee=Dana%20Analyst&exercise=crews",
                 "/api/console/keys/crews", "/api/console/export/gradebook.csv"):
        trainee_view.get(url + path)
        assert "only the instructor" in trainee_view.find_element(By.TAG_NAME, "body").text.lower(), path


def test_the_instructor_renames_and_removes_trainees_in_the_console(class_server, browser, second_browser, shots):
    """In the console: make roster codes, rename a trainee who is signed in (their lab sends them back to
    the join page), remove another after confirming, set the places; the table says so at each step."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url = class_server["url"]
    errors = open_page(browser, url + "/console", "document.body.dataset.ready || location.pathname === '/join'")
    if browser.execute_script("return location.pathname") == "/join":  # signed out meanwhile: sign in again
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "#instructor-form button").click()
        wait_for(browser, "document.body.dataset.ready === '1' && location.pathname === '/console'")
    assert errors == []
    row = "document.querySelector('#trainees tr[data-trainee=\"{}\"]')"
    browser.find_element(By.ID, "roster-names").send_keys("Zed Roster\nYan Roster")
    browser.find_element(By.ID, "roster").click()
    wait_for(browser, f"{row.format('Zed Roster')} && {row.format('Yan Roster')}")
    codes = {tr.find_element(By.CSS_SELECTOR, "td").text: tr.find_elements(By.CSS_SELECTOR, "td")[1].text
             for tr in browser.find_elements(By.CSS_SELECTOR, "#roster-table tbody tr")}

    # Zed signs in with his roster code in the other browser.
    trainee_view = second_browser
    assert open_page(trainee_view, url + "/join", "document.body.dataset.ready") == []
    trainee_view.find_element(By.ID, "personal-code").send_keys(codes["Zed Roster"])
    trainee_view.find_element(By.CSS_SELECTOR, "#code-form button").click()
    wait_for(trainee_view, "location.pathname === '/' && document.body.dataset.ready === '1'")
    wait_for(browser, f"{row.format('Zed Roster')}.textContent.includes('yes (1)')", timeout=15)

    # The instructor renames him: type the new name, Enter.
    browser.execute_script(f"{row.format('Zed Roster')}.querySelector('button.rename').click()")
    box = browser.find_element(By.CSS_SELECTOR, "#trainees input.new-name")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("Zed Renamed", Keys.ENTER)
    wait_for(browser, f"{row.format('Zed Renamed')} && !{row.format('Zed Roster')}")
    assert "is now Zed Renamed" in browser.find_element(By.ID, "people-message").text
    # His open lab is signed out: the next thing he does takes him to the join page.
    trainee_view.find_element(By.CSS_SELECTOR, 'nav a[data-id="crews"]').click()
    wait_for(trainee_view, "location.pathname === '/join'")

    # The instructor removes Yan, after confirming.
    browser.execute_script(f"{row.format('Yan Roster')}.querySelector('button.remove').click()")
    wait_for(browser, f"{row.format('Yan Roster')}.querySelector('button.confirm-remove')")
    assert "Remove Yan Roster and 0 records?" in browser.execute_script(f"return {row.format('Yan Roster')}.textContent")
    browser.execute_script(f"{row.format('Yan Roster')}.querySelector('button.confirm-remove').click()")
    wait_for(browser, f"!{row.format('Yan Roster')}")
    assert "Yan Roster was removed" in browser.find_element(By.ID, "people-message").text

    # The places: 150.
    places = browser.find_element(By.ID, "places")
    places.send_keys(Keys.CONTROL, "a")
    places.send_keys("150")
    browser.find_element(By.ID, "places-save").click()
    wait_for(browser, "document.getElementById('places-summary').textContent.endsWith('of 150 places taken')")
    browser.execute_script("document.getElementById('people').scrollIntoView()")
    assert screenshot_colours(browser, shots / "console-trainees.png") > 20
    assert console_errors(browser) == []


# ---------------------------------------------------------------- the walls, over HTTP


def test_anonymous_visitors_reach_only_the_join_page(class_server):
    anon = client(class_server["url"])
    assert anon.get("/join").status_code == 200
    for path in ("/api/exercises", "/api/exercises/crews", "/api/me", "/api/console/grid", "/api/console/course",
                 "/api/console/keys/crews", "/api/console/answers?trainee=x&exercise=crews",
                 "/api/console/export/results.json"):
        assert anon.get(path).status_code == 401, path
    assert anon.get("/", follow_redirects=False).headers["location"] == "/join"
    assert anon.get("/console", follow_redirects=False).headers["location"].startswith("/join")
    assert anon.post("/api/exercises/crews/check", json={"query": "RETURN 1"}).status_code == 401
    assert anon.post("/api/console/prepare", json={}).status_code == 401
    forged = client(class_server["url"])
    forged.cookies.set("linklab_session", "eyJyb2xlIjoiaW5zdHJ1Y3RvciJ9.AAAA")
    assert forged.get("/api/console/grid").status_code == 401


def test_a_trainee_sees_only_their_own_work(class_server):
    prepared(class_server)
    alice, alice_csrf = trainee(class_server, "Alice Wall")
    bob, _ = trainee(class_server, "Bob Wall")
    checked = alice.post("/api/exercises/crews/check", json={"query": answer_of(CREWS)},
                         headers={"X-CSRF-Token": alice_csrf})
    assert checked.status_code == 200 and checked.json()["passed"]
    # Bob's view of the lab is his own: no trainee parameter reaches anyone else's progress.
    for view in (bob.get("/api/exercises").json(), bob.get("/api/exercises?trainee=Alice%20Wall").json()):
        assert view["progress"]["trainee"] == "Bob Wall" and view["progress"]["passed"] == 0
    for path in ("/console", "/api/console/grid", "/api/console/answers?trainee=Alice%20Wall&exercise=crews",
                 "/api/console/keys/crews", "/api/console/mistakes", "/api/console/export/gradebook.csv"):
        assert bob.get(path).status_code == 403, path
    # Changes need the session's own CSRF token: none, or another trainee's, is refused.
    assert bob.post("/api/exercises/crews/hint", json={}).status_code == 403
    assert bob.post("/api/exercises/crews/hint", json={}, headers={"X-CSRF-Token": alice_csrf}).status_code == 403
    assert bob.post("/api/console/roster", json={"names": ["Eve"]}, headers={"X-CSRF-Token": alice_csrf}).status_code == 403
    # A name already taken cannot be joined again with the course code: nobody signs in as a classmate.
    again = client(class_server["url"]).post("/api/join", json={"course_code": class_server["code"], "name": "Alice Wall"})
    assert again.status_code == 400 and "taken" in again.json()["error"]
    wrong = client(class_server["url"]).post("/api/join", json={"course_code": "AAAAAA", "name": "Mallory"})
    assert wrong.status_code == 400 and "code" in wrong.json()["error"]
    # The instructor sees Alice's answer and diagnosis, and exports from the same records.
    boss, boss_csrf = instructor(class_server)
    seen = boss.get("/api/console/answers", params={"trainee": "Alice Wall", "exercise": "crews"}).json()
    assert seen["checks"][0]["passed"] and "MATCH" in seen["checks"][0]["answer"]
    book = boss.get("/api/console/export/gradebook.csv").text.splitlines()
    alice_row = next(line for line in book if line.startswith("Alice Wall,"))
    assert alice_row.split(",")[1] == str(CREWS.points)
    roster = boss.post("/api/console/roster", json={"names": ["Carol Roster"]}, headers={"X-CSRF-Token": boss_csrf})
    code = roster.json()["trainees"][0]["code"]
    carol = client(class_server["url"])
    assert carol.post("/api/signin", json={"code": code}).json()["name"] == "Carol Roster"
    assert carol.get("/api/me").json()["trainee"] == "Carol Roster"


def test_the_instructor_exports_reads_keys_and_resets(class_server):
    import io
    import json
    import xml.etree.ElementTree as ET
    import zipfile

    prepared(class_server)
    fay, fay_csrf = trainee(class_server, "Fay Export")
    assert fay.post("/api/exercises/crews/check", json={"query": answer_of(CREWS)},
                    headers={"X-CSRF-Token": fay_csrf}).json()["passed"]
    assert fay.post("/api/exercises/crews/hint", json={}, headers={"X-CSRF-Token": fay_csrf}).status_code == 200
    boss, csrf = instructor(class_server)
    results = json.loads(boss.get("/api/console/export/results.json").content)
    fay_record = results["trainees"]["Fay Export"]
    assert fay_record["score"] == CREWS.points and fay_record["hints"] == {"crews": 1}  # hints from the server
    suites = ET.fromstring(boss.get("/api/console/export/junit.xml").content)
    assert any(suite.get("name") == "Fay Export" for suite in suites)
    archive = zipfile.ZipFile(io.BytesIO(boss.get("/api/console/export/gradescope.zip").content))
    assert json.loads(archive.read("Fay Export/results.json"))["score"] == CREWS.points
    assert "Fay Export" in boss.get("/api/console/export/report.html").text
    assert boss.get("/api/console/export/nothing.txt").status_code == 400
    key = boss.get("/api/console/keys/crews").json()
    assert key["solution"] == CREWS.solution and key["total_rows"] == len(key["rows"]) > 0
    # Reset: the course's world is loaded again in the background; the console reports when it is done.
    assert boss.post("/api/console/reset", json={"profile": "street-ring"},
                     headers={"X-CSRF-Token": csrf}).status_code == 400
    assert boss.post("/api/console/reset", json={"profile": "investigation"},
                     headers={"X-CSRF-Token": csrf}).status_code == 202
    deadline = time.monotonic() + 300
    while (job := boss.get("/api/console/course").json()["job"])["running"]:
        assert time.monotonic() < deadline
        time.sleep(1)
    assert job["name"] == "reset" and job["error"] == "" and job["result"]["profile"] == "investigation"


def set_places(server, places: int) -> None:
    boss, csrf = instructor(server)
    assert boss.post("/api/console/places", json={"places": places}, headers={"X-CSRF-Token": csrf}).json() == \
        {"places": places}


def test_runs_are_rate_limited_per_trainee(class_server):
    prepared(class_server)
    eager, csrf = trainee(class_server, "Eager Runner")
    statuses = [eager.post("/api/exercises/crews/run", json={"query": "RETURN 1 AS one"},
                           headers={"X-CSRF-Token": csrf}).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    other, other_csrf = trainee(class_server, "Calm Runner")  # one trainee's limit is not another's
    assert other.post("/api/exercises/crews/run", json={"query": "RETURN 1 AS one"},
                      headers={"X-CSRF-Token": other_csrf}).status_code == 200


# ---------------------------------------------------------------- walls that hold, tried as an attacker would


def test_an_endless_anonymous_body_is_refused_as_it_streams(class_server):
    """200 MiB of chunked body (no Content-Length) to /api/join by a visitor: 413 once it passes the limit,
    and the lab process does not grow by it. A declared Content-Length over the limit is refused unread."""
    before = memory_mib(class_server["pid"])
    status, sent = send_endless_body(class_server["port"], "/api/join", source="127.0.0.9")
    after = memory_mib(class_server["pid"])
    assert status == 413 and sent < 200 << 20
    assert after["VmHWM"] - before["VmHWM"] < 32 and after["VmRSS"] - before["VmRSS"] < 32, (before, after)
    assert send_declared_length(class_server["port"], "/api/join", 200 << 20, source="127.0.0.9") == 413
    assert send_endless_body(class_server["port"], "/join", 16 << 20, "127.0.0.9", "GET")[0] == 413  # every route
    assert client(class_server["url"]).get("/join").status_code == 200  # the lab still answers


def test_old_cookies_are_refused_once_a_session_ends(class_server):
    """Sessions end on the server: by signing out, by a new personal code, by a rename, by the instructor's
    sign-out and by a removal; the cookie of an ended session is refused, whoever presents it."""
    url = class_server["url"]
    boss, boss_csrf = instructor(class_server)

    def replayed(cookie: str) -> int:
        thief = client(url)
        thief.cookies.set("linklab_session", cookie)
        return thief.get("/api/me").status_code

    def by_instructor(action: str, **body) -> dict:
        reply = boss.post(f"/api/console/trainees/{action}", json=body, headers={"X-CSRF-Token": boss_csrf})
        assert reply.status_code == 200, reply.text
        return reply.json()

    ivy = client(url)
    code = ivy.post("/api/join", json={"course_code": class_server["code"], "name": "Ivy Session"}).json()["personal_code"]
    # 1. signing out
    cookie, csrf = ivy.cookies["linklab_session"], ivy.get("/api/me").json()["csrf"]
    assert replayed(cookie) == 200
    assert ivy.post("/api/logout", json={}, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert replayed(cookie) == 401
    # 2. a new personal code: every session of hers ends, and the old code stops working
    first, second = client(url), client(url)
    for who in (first, second):
        assert who.post("/api/signin", json={"code": code}).status_code == 200
    new_code = by_instructor("new-code", name="Ivy Session")["code"]
    assert replayed(first.cookies["linklab_session"]) == 401 and replayed(second.cookies["linklab_session"]) == 401
    assert client(url).post("/api/signin", json={"code": code}).status_code == 400
    # 3. a rename: her records follow her, her session ends, her code signs her in under the new name
    assert ivy.post("/api/signin", json={"code": new_code}).status_code == 200
    csrf = ivy.get("/api/me").json()["csrf"]
    assert ivy.post("/api/exercises/crews/hint", json={}, headers={"X-CSRF-Token": csrf}).status_code == 200
    cookie = ivy.cookies["linklab_session"]
    assert by_instructor("rename", name="Ivy Session", new_name="Ivy Renamed")["name"] == "Ivy Renamed"
    assert replayed(cookie) == 401
    assert ivy.post("/api/signin", json={"code": new_code}).json()["name"] == "Ivy Renamed"
    assert len(ivy.get("/api/exercises/crews").json()["hints"]) == 1
    # 4. the instructor signs her out everywhere (her code still works)
    cookie = ivy.cookies["linklab_session"]
    assert by_instructor("sign-out", name="Ivy Renamed")["sessions"] == 1
    assert replayed(cookie) == 401
    assert ivy.post("/api/signin", json={"code": new_code}).status_code == 200
    # 5. removal: the session, the code and the records go; the name is free again
    cookie = ivy.cookies["linklab_session"]
    assert by_instructor("remove", name="Ivy Renamed")["records"] == 1
    assert replayed(cookie) == 401
    assert client(url).post("/api/signin", json={"code": new_code}).status_code == 400
    listed = boss.get("/api/console/trainees").json()["trainees"]
    assert not any(p["name"].startswith("Ivy") for p in listed)
    # the instructor's own session ends when they sign out
    cookie = boss.cookies["linklab_session"]
    assert boss.post("/api/logout", json={}, headers={"X-CSRF-Token": boss_csrf}).status_code == 200
    assert replayed(cookie) == 401


@pytest.mark.parametrize("spelling, why", [("mallory wall", "taken"), ("Маllory Wall", "taken"),  # a Cyrillic М, а
                                           ("Ｍａｌｌｏｒｙ Ｗａｌｌ", "taken"), ("MaIIory  Wall", "taken"),
                                           ("Instructor", "kept for the staff"), ("admin", "kept for the staff"),
                                           ("ADMlN 2", "kept for the staff"), ("Staff", "kept for the staff")])
def test_a_name_that_looks_the_same_or_like_the_staff_is_refused(class_server, spelling, why):
    url = class_server["url"]
    first = client(url).post("/api/join", json={"course_code": class_server["code"], "name": "Mallory Wall"})
    assert first.status_code == 200 or "taken" in first.json()["error"]  # joined by an earlier case
    refused = client(url).post("/api/join", json={"course_code": class_server["code"], "name": spelling})
    assert refused.status_code == 400 and why in refused.json()["error"]


def test_the_instructor_cannot_rename_into_a_look_alike(class_server):
    boss, csrf = instructor(class_server)
    for name in ("Nadia Rename", "Nadia Other"):
        client(class_server["url"]).post("/api/join", json={"course_code": class_server["code"], "name": name})
    taken = boss.post("/api/console/trainees/rename", json={"name": "Nadia Other", "new_name": "nadia rename"},
                      headers={"X-CSRF-Token": csrf})
    assert taken.status_code == 400 and "taken" in taken.json()["error"]
    unknown = boss.post("/api/console/trainees/remove", json={"name": "Nobody Here"}, headers={"X-CSRF-Token": csrf})
    assert unknown.status_code == 404


def test_a_class_admits_its_places_even_when_all_join_at_once(class_server):
    """The instructor leaves room for 3 more; 10 people join at the same moment: 3 get in, 7 are told the
    class is full; raising the places admits one more."""
    boss, csrf = instructor(class_server)
    joined = boss.get("/api/console/trainees").json()["joined"]
    set_places(class_server, joined + 3)

    def join(i: int):
        return client(class_server["url"]).post("/api/join", json={"course_code": class_server["code"],
                                                                   "name": f"Crowd {chr(65 + i)}"})

    with ThreadPoolExecutor(10) as pool:
        replies = list(pool.map(join, range(10)))
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200] * 3 + [403] * 7, statuses
    assert all("full" in r.json()["error"] for r in replies if r.status_code == 403)
    listed = boss.get("/api/console/trainees").json()
    assert listed["joined"] == listed["places"] == joined + 3
    set_places(class_server, joined + 4)
    assert join(20).status_code == 200
    set_places(class_server, 200)


def test_a_trainee_has_at_most_two_queries_in_flight(class_server):
    """Two slow runs in flight: the trainee's third request is refused at once with a sentence; another
    trainee is not; once one finishes, the trainee runs again."""
    slow = "MATCH (a), (b) WHERE a.name < b.name RETURN count(*) AS pairs"
    busy, csrf = trainee(class_server, "Busy Bee")
    other, other_csrf = trainee(class_server, "Calm Bee")

    def run(who, token, query):
        began = time.monotonic()
        reply = who.post("/api/exercises/crews/run", json={"query": query}, headers={"X-CSRF-Token": token})
        return reply, time.monotonic() - began

    with ThreadPoolExecutor(2) as pool:
        slow_runs = [pool.submit(run, busy, csrf, slow) for _ in range(2)]
        time.sleep(0.6)
        third, _ = run(busy, csrf, "RETURN 1 AS one")
        calm, _ = run(other, other_csrf, "RETURN 1 AS one")
        finished = [f.result() for f in slow_runs]
    assert all(r.status_code == 200 and s > 0.6 for r, s in finished), finished  # they were in flight
    assert third.status_code == 429 and "already have 2 queries running" in third.json()["error"]
    assert calm.status_code == 200
    assert run(busy, csrf, "RETURN 1 AS one")[0].status_code == 200


def test_x_forwarded_for_does_not_bypass_the_sign_in_limit(class_server):
    """From 127.0.0.4 (not a trusted proxy), wrong codes under a new X-Forwarded-For each time still count
    against 127.0.0.4; through the trusted proxy the forwarded address counts instead. Many guesses sent at
    once are not all tried."""
    url = class_server["url"]
    statuses = [client(url, source="127.0.0.4", forwarded_for=f"198.51.100.{i}").post(
        "/api/signin", json={"code": f"WRONG-{i:05d}"}).status_code for i in range(11)]
    assert statuses == [400] * 10 + [429]
    slowed = client(url, source="127.0.0.4", forwarded_for="198.51.100.99").post("/api/signin", json={"code": "X"})
    assert slowed.status_code == 429 and 1 <= slowed.json()["retry_after"] <= 60 and slowed.headers["retry-after"]
    # through the trusted proxy, each forwarded address has its own allowance
    via_proxy = client(url, source=PROXY, forwarded_for="192.0.2.44").post("/api/signin", json={"code": "WRONG"})
    assert via_proxy.status_code == 400
    # 30 guesses at once from one address: no more than the free allowance are tried
    with ThreadPoolExecutor(30) as pool:
        burst = list(pool.map(lambda i: client(url, source="127.0.0.5").post(
            "/api/join", json={"course_code": f"BAD{i:03d}", "name": "Guess"}).status_code, range(30)))
    assert burst.count(400) <= 10 and burst.count(429) >= 20, burst


def test_wrong_passwords_slow_the_guesser_and_never_lock_out_the_instructor(class_server):
    """Ten wrong passwords from an attacker (behind the trusted proxy, as 203.0.113.66): after five the
    instructor's account is slowed, so the rest wait; the instructor elsewhere waits a second or two, never
    more than 10 s; on the lab's own machine they sign in at once."""
    url = class_server["url"]
    attacker = client(url, source=PROXY, forwarded_for="203.0.113.66")
    owner_elsewhere = client(url, source=PROXY, forwarded_for="198.51.100.20")

    def guess(i: int) -> int:
        return attacker.post("/api/instructor", json={"password": f"guess-{i}"}).status_code

    statuses = [guess(i) for i in range(10)]
    assert statuses == [403] * 5 + [429] * 5  # five tried, then slowed
    assert attacker.post("/api/instructor", json={"password": PASSWORD}).status_code == 429  # even the right one
    slowed = owner_elsewhere.post("/api/instructor", json={"password": PASSWORD})
    assert slowed.status_code == 429 and "lab's own machine" in slowed.json()["error"]
    assert 1 <= slowed.json()["retry_after"] <= 10
    time.sleep(slowed.json()["retry_after"])
    assert owner_elsewhere.post("/api/instructor", json={"password": PASSWORD}).status_code == 200
    # The instructor's sign-in cleared the account: the attacker starts again, the lab's machine is never slowed.
    assert [guess(i) for i in range(10, 20)] == [403] * 5 + [429] * 5
    assert client(url).post("/api/instructor", json={"password": PASSWORD}).status_code == 200


def test_every_export_is_valid_whatever_the_answers_contain(class_server):
    """Answers with every control character (each quoted back by Neo4j's syntax error into the feedback),
    ']]>' and '<x/>' are checked and recorded; a NUL or a lone surrogate is refused as not text. Every export
    of the instructor parses."""
    import io
    import json
    import xml.etree.ElementTree as ET
    import zipfile

    prepared(class_server)
    controls = [chr(c) for c in range(1, 0x20) if chr(c) not in "\t\n\r"]
    exercises = [e.id for e in offered()]
    for start in range(0, len(controls), 10):
        who, csrf = trainee(class_server, f"Odd Chars {start // 10}")
        for exercise, char in zip(exercises, controls[start:start + 10]):
            reply = who.post(f"/api/exercises/{exercise}/check", json={"query": f"MATCH (n) RETURN n {char}]]><x/>"},
                             headers={"X-CSRF-Token": csrf})
            assert reply.status_code == 200 and not reply.json()["passed"], reply.text
    for bad in ("RETURN 1 AS one \u0000", "RETURN '\ud800' AS x"):
        body = json.dumps({"query": bad}).encode()  # "\ud800" as JSON's escape, as a browser could send it
        refused = who.post("/api/exercises/crews/run", content=body, headers={"X-CSRF-Token": csrf,
                                                                             "Content-Type": "application/json"})
        assert refused.status_code == 400 and "not text" in refused.json()["error"]
    boss, _ = instructor(class_server)
    seen = boss.get("/api/console/answers", params={"trainee": "Odd Chars 0", "exercise": exercises[0]}).json()
    assert "\x01" in seen["checks"][0]["feedback"]  # the feedback did quote the character
    suites = ET.fromstring(boss.get("/api/console/export/junit.xml").content)
    odd = [s for s in suites if s.get("name", "").startswith("Odd Chars")]
    assert len(odd) == 3 and all(int(s.get("failures")) == len(exercises) for s in odd)
    results = json.loads(boss.get("/api/console/export/results.json").content.decode("utf-8"))
    assert results["trainees"]["Odd Chars 0"]["score"] == 0
    archive = zipfile.ZipFile(io.BytesIO(boss.get("/api/console/export/gradescope.zip").content))
    json.loads(archive.read("Odd Chars 1/results.json").decode("utf-8"))
    book = boss.get("/api/console/export/gradebook.csv").content.decode("utf-8")
    assert sum(line.startswith("Odd Chars") for line in book.splitlines()) == 3
    assert boss.get("/api/console/export/report.html").status_code == 200


# ---------------------------------------------------------------- many trainees at once


def test_thirty_trainees_at_once_get_the_serial_verdicts(class_server):
    """30 trainees, each running and checking right and wrong answers at once for a bounded time: every
    verdict equals the one the same answer got alone, and every check is in the records. A check that the
    overloaded machine could not grade says so (status not_graded, nothing recorded): no verdict, never a
    wrong one, never an error page."""
    prepared(class_server)
    set_places(class_server, 200)  # the instructor makes room for 30 more
    exercises = [e for e in offered() if e.id in ("crews", "hub-messages", "member-accounts", "hub-calls")]
    answers = [(e, answer_of(e)) for e in exercises] + [(e, e.mutants[0].query) for e in exercises if e.mutants]
    solo, solo_csrf = trainee(class_server, "Serial Sam")
    serial = {}
    for exercise, query in answers:
        reply = solo.post(f"/api/exercises/{exercise.id}/check", json={"query": query},
                          headers={"X-CSRF-Token": solo_csrf}).json()
        serial[(exercise.id, query)] = (reply["passed"], without_named_mistake(reply["feedback"]))
    assert any(v[0] for v in serial.values()) and not all(v[0] for v in serial.values())

    not_graded: list[str] = []

    def one_trainee(i: int) -> list[tuple]:
        who, csrf = trainee(class_server, f"Load Trainee {i:02d}")
        seen, deadline = [], time.monotonic() + 30  # half a minute of 30 trainees at once
        for round_ in range(3):
            for j, (exercise, query) in enumerate(answers[i % len(answers):] + answers[:i % len(answers)]):
                if time.monotonic() > deadline:
                    return seen
                if j % 2 == 0:
                    ran = who.post(f"/api/exercises/{exercise.id}/run", json={"query": query},
                                   headers={"X-CSRF-Token": csrf})
                    assert ran.status_code == 200, ran.text
                reply = who.post(f"/api/exercises/{exercise.id}/check", json={"query": query},
                                 headers={"X-CSRF-Token": csrf})
                if reply.status_code == 429:  # the per-trainee limit: wait as a trainee would
                    time.sleep(5)
                    continue
                assert reply.status_code == 200, reply.text
                if reply.json()["status"] == Status.NOT_GRADED:
                    not_graded.append(reply.json()["feedback"])
                    continue
                seen.append((exercise.id, query, reply.json()["passed"], without_named_mistake(reply.json()["feedback"])))
        return seen

    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(one_trainee, range(30)))
    checks = [c for seen in results for c in seen]
    assert len(checks) >= 30 and len(checks) > len(not_graded)  # most checks give a verdict even so
    assert all("not graded" in feedback.lower() for feedback in not_graded), not_graded[:3]
    for exercise_id, query, passed, feedback in checks:
        assert (passed, feedback) == serial[(exercise_id, query)]
    boss, _ = instructor(class_server)
    grid = boss.get("/api/console/grid").json()
    recorded = {row["trainee"]: sum(c["attempts"] for c in row["cells"]) for row in grid["rows"]}
    for i, seen in enumerate(results):
        assert recorded[f"Load Trainee {i:02d}"] == len(seen)  # nothing lost from the records


def test_a_server_that_dies_is_started_again(class_server):
    """The class lab watches its Neo4j servers: the grading server, killed, is back within a minute and
    checks pass again. A check meanwhile is not graded (never failed, never "stopped by the time limit"),
    and does not count as an attempt."""
    import signal

    prepared(class_server)
    home = Path(class_server["env"]["LINKLAB_HOME"])
    pid_file = home / "servers" / "class-grading-1" / "run" / "neo4j.pid"
    old_pid = int(pid_file.read_text())
    os.kill(old_pid, signal.SIGKILL)
    deadline = time.monotonic() + 240
    while True:
        assert time.monotonic() < deadline, "the grading server was not started again"
        if pid_file.exists() and pid_file.read_text().strip() not in ("", str(old_pid)):
            break
        time.sleep(2)
    who, csrf = trainee(class_server, "After Restart")
    deadline, seen = time.monotonic() + 240, []
    while True:  # the restarted server answers once Bolt is up
        reply = who.post("/api/exercises/crews/check", json={"query": answer_of(CREWS)},
                         headers={"X-CSRF-Token": csrf})
        if reply.status_code == 200:
            seen.append(reply.json()["status"])
            if reply.json()["status"] != "not_graded":
                break
        if time.monotonic() > deadline:
            break
        time.sleep(3)
    assert reply.status_code == 200 and reply.json()["passed"], reply.text
    assert set(seen) <= {"not_graded", "passed"}, seen  # a right answer is never failed for the server's sake
    boss, _ = instructor(class_server)
    row = next(r for r in boss.get("/api/console/grid").json()["rows"] if r["trainee"] == "After Restart")
    assert next(c for c in row["cells"] if c["exercise"] == "crews")["attempts"] == 1  # not-graded checks: none


def test_the_console_regrades_from_the_records_and_keeps_the_old_verdicts(class_server):
    """After the grader changed: a wrong answer that an older grader passed (written into the records as it
    would have been) fails once the instructor re-grades, the right one stays passed, and the old rows stay,
    superseded."""
    import hashlib
    import sqlite3

    prepared(class_server)
    gil, csrf = trainee(class_server, "Gil Regrade")
    assert gil.post("/api/exercises/crews/check", json={"query": answer_of(CREWS)},
                    headers={"X-CSRF-Token": csrf}).json()["passed"]
    wrong = "MATCH (p:Person) RETURN p.name AS name, 0 AS contacts ORDER BY name LIMIT 1"
    store = Path(class_server["env"]["LINKLAB_HOME"]) / "linklab.db"
    with sqlite3.connect(store) as db:
        db.execute("INSERT INTO events (trainee, course, exercise, kind, passed, feedback, answer_sha256, at, answer, "
                   "status) VALUES ('Gil Regrade', ?, 'hub-messages', 'check', 1, 'Right (said an older grader).', ?, "
                   "?, ?, 'passed')", (COURSE, hashlib.sha256(wrong.encode()).hexdigest(), time.time(), wrong))
    boss, boss_csrf = instructor(class_server)

    def cells() -> dict:
        row = next(r for r in boss.get("/api/console/grid").json()["rows"] if r["trainee"] == "Gil Regrade")
        return {c["exercise"]: c["status"] for c in row["cells"]}
    assert cells()["hub-messages"] == "passed" and cells()["crews"] == "passed"
    assert boss.post("/api/console/regrade", json={"trainee": "Gil Regrade"},
                     headers={"X-CSRF-Token": boss_csrf}).status_code == 202
    deadline = time.monotonic() + 300
    while (job := boss.get("/api/console/course").json()["job"])["running"]:
        assert time.monotonic() < deadline
        time.sleep(1)
    assert job["name"] == "regrade" and job["error"] == "", job
    assert (job["result"]["answers"], job["result"]["changed"]) == (2, 1), job["result"]
    assert cells()["hub-messages"] == "trying" and cells()["crews"] == "passed"
    shown = boss.get("/api/console/answers", params={"trainee": "Gil Regrade", "exercise": "hub-messages"}).json()
    assert [(c["passed"], c["regraded"]) for c in shown["checks"]] == [(False, True)]
    with sqlite3.connect(store) as db:
        kept = db.execute("SELECT COUNT(*), SUM(superseded_at IS NOT NULL), SUM(regrade_of IS NOT NULL) FROM events "
                          "WHERE trainee = 'Gil Regrade' AND kind = 'check'").fetchone()
    assert kept == (4, 2, 2)  # two checks, each superseded by its re-grade: nothing deleted




# ---------------------------------------------------------------- exam mode

def unchecked_exercises(count: int) -> list:
    """Exercises of the world these tests prepare that no other test here checks."""
    return [e for e in offered() if e.id != "crews"][:count]


def test_an_exam_withholds_results_until_release_and_keeps_to_its_stated_rules(class_server):
    """Before release a trainee sees that their answer was recorded, no verdict, feedback or hidden-scenario
    result, and the exercise list does not tell passed from failed; after release they see it all. The
    attempt policy is shown before the checks run out, and refuses with the very sentence shown; a due time
    closes checking; two checks at once cannot both take the last attempt; the console shows who works."""
    prepared(class_server)
    counted, due, single = unchecked_exercises(3)
    boss, boss_csrf = instructor(class_server)
    said = {"X-CSRF-Token": boss_csrf}

    def set_rules(exercise, **rules):
        answer = boss.post("/api/console/exam", json={"exercise": exercise.id, **rules}, headers=said)
        assert answer.status_code == 200, answer.text

    set_rules(counted, mode="exam", attempts=2)
    set_rules(due, mode="exam", due_at=time.time() - 60)
    set_rules(single, mode="exam", attempts=1)
    try:
        kim, csrf = trainee(class_server, "Kim Exam")
        sent = {"X-CSRF-Token": csrf}
        view = kim.get(f"/api/exercises/{counted.id}").json()
        assert view["exam"]["lines"][0] == "Exam: 2 checks for this exercise; 2 left."
        assert view["exam"]["lines"][-1] == "Exam: results are shown once your instructor releases them."
        assert view["exam"]["refusal"] == ""

        wrong = kim.post(f"/api/exercises/{counted.id}/check", json={"query": "MATCH (p:Person) RETURN p.name"},
                         headers=sent).json()
        right = kim.post(f"/api/exercises/{counted.id}/check", json={"query": answer_of(counted)}, headers=sent).json()
        for verdict in (wrong, right):
            assert verdict["status"] == "recorded" and verdict["passed"] is None and verdict["checks"] == []
            assert verdict["feedback"] == "Your answer was recorded. Results are shown once your instructor releases them."
            assert "hidden" not in json.dumps(verdict).lower() and "right on" not in json.dumps(verdict).lower()
        assert right["progress"]["passed"] == 0 and right["progress"]["awaiting"] == 1
        listed = {e["id"]: e["status"] for e in kim.get("/api/exercises").json()["exercises"]}
        assert listed[counted.id] == "answered"
        view = kim.get(f"/api/exercises/{counted.id}").json()
        shown = view["exam"]["refusal"]
        assert shown == "Exam: you have used all 2 checks of this exercise." and shown in view["exam"]["lines"]
        assert view["status"] == "answered" and "result" not in view
        third = kim.post(f"/api/exercises/{counted.id}/check", json={"query": answer_of(counted)}, headers=sent)
        assert third.status_code == 409 and third.json()["error"] == shown  # the sentence the trainee was shown

        closed = kim.get(f"/api/exercises/{due.id}").json()["exam"]["refusal"]
        assert closed.startswith("Checking of this exercise closed at")
        late = kim.post(f"/api/exercises/{due.id}/check", json={"query": answer_of(due)}, headers=sent)
        assert late.status_code == 409 and late.json()["error"] == closed

        with ThreadPoolExecutor(2) as pool:  # one attempt left, two checks at once: one runs, one is refused
            both = list(pool.map(lambda _: kim.post(f"/api/exercises/{single.id}/check",
                                                    json={"query": answer_of(single)}, headers=sent), range(2)))
        assert sorted(r.status_code for r in both) == [200, 409]

        working = boss.get("/api/console/exam").json()["working"]
        assert any(p["trainee"] == "Kim Exam" and p["state"] == "working" for p in working["people"])

        # the instructor releases the results: verdicts, feedback and hidden-scenario results are shown
        assert boss.post("/api/console/exam/release", json={"released": True}, headers=said).status_code == 200
        view = kim.get(f"/api/exercises/{counted.id}").json()
        assert view["status"] == "passed" and view["result"]["passed"] is True
        assert "hidden" in view["result"]["feedback"]  # "Right on your scenario and on N hidden scenarios."
        assert "Your instructor released the results." in view["exam"]["lines"]
        assert {e["id"]: e["status"] for e in kim.get("/api/exercises").json()["exercises"]}[counted.id] == "passed"
        again = kim.post(f"/api/exercises/{counted.id}/check", json={"query": answer_of(counted)}, headers=sent)
        assert again.status_code == 409 and again.json()["error"] == shown  # the count still holds
    finally:
        boss.post("/api/console/exam/release", json={"released": False}, headers=said)
        for exercise in (counted, due, single):
            set_rules(exercise, mode="inherit")


# ---------------------------------------------------------------- LTI 1.3 in real Chromium

def test_a_platform_launches_a_learner_into_the_lab_and_an_instructor_into_the_console(class_server, browser,
                                                                                       second_browser, shots):
    """The LMS (tests/lti_platform.py, on 'localhost': another site than the lab on 127.0.0.1) is registered
    with `linklab lti register`; a learner clicks an exercise's link in it and lands, signed in under their LMS
    name, on that exercise in the lab, passes it, and the score reaches the LMS's column for it; the LMS's
    instructor clicks the course's link and lands in the console."""
    from selenium.webdriver.common.by import By

    from .lti_platform import Link, Platform

    prepared(class_server)
    url = class_server["url"]
    platform = Platform(host="localhost").start(url)
    try:
        reg = platform.registration()
        done = subprocess.run([sys.executable, "-m", "linklab", "lti", "register", "--issuer", reg["issuer"],
                               "--client-id", reg["client_id"], "--deployment", reg["deployments"][0], "--auth-url",
                               reg["auth_url"], "--token-url", reg["token_url"], "--jwks-url", reg["jwks_url"],
                               "--name", "Test LMS"], env=class_server["env"], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0 and "Registered Test LMS" in done.stdout, done.stderr
        column = platform.new_lineitem({"scoreMaximum": CREWS.points, "label": CREWS.title, "resourceId": "crews"})
        platform.links["crews"] = Link("crews", CREWS.title, {"exercise": "crews"}, column)

        learner = second_browser
        learner.delete_all_cookies()
        assert open_page(learner, f"{platform.url}/start?user=learner&link=crews",
                         "location.host.startsWith('127.0.0.1') && document.body.dataset.ready === '1'") == []
        wait_for(learner, f"document.getElementById('title').textContent.includes({json.dumps(CREWS.title)})")
        assert learner.current_url.endswith("/#/exercise/crews")
        assert learner.find_element(By.ID, "who").text.startswith("Dana Scully")
        learner.execute_script("linklabLab.editor.setValue(arguments[0])", answer_of(CREWS))
        learner.find_element(By.ID, "check").click()
        wait_for(learner, "document.getElementById('verdict').textContent.startsWith('PASSED')", timeout=120)
        assert screenshot_colours(learner, shots / "lti-learner.png") > 20
        deadline = time.monotonic() + 30  # the outbox sends every 2 s
        while not [s for s in platform.scores if s["lineitem"] == column]:
            assert time.monotonic() < deadline, "no score reached the LMS"
            time.sleep(0.5)
        score = [s for s in platform.scores if s["lineitem"] == column][0]
        assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("lms-user-1", CREWS.points, CREWS.points)
        assert [i["resourceId"] for i in platform.lineitems.values()].count("crews") == 1

        teacher = browser
        teacher.delete_all_cookies()
        assert open_page(teacher, f"{platform.url}/start?user=teacher&link=course",
                         "location.pathname === '/console' && document.body.dataset.ready === '1'") == []
        wait_for(teacher, "document.getElementById('lms-platforms').textContent.includes('Test LMS')")
        assert "Link analysis 101" in teacher.find_element(By.ID, "lms-summary").text
        # the grid fits a 1280-pixel window: every exercise's column without scrolling sideways
        wide, room = teacher.execute_script("const g = document.getElementById('grid');"
                                            "return [g.scrollWidth, g.clientWidth]")
        assert teacher.execute_script("return window.innerWidth") <= 1280 and wide <= room, (wide, room)
        assert teacher.find_element(By.ID, "address").text == url and teacher.find_element(
            By.ID, "qr").get_attribute("src").startswith("data:image/svg+xml")
        assert screenshot_colours(teacher, shots / "lti-console.png") > 20
        assert console_errors(teacher) == [] and console_errors(learner) == []
    finally:
        platform.stop()
