"""LTI 1.3 between the class server and a platform (tests/lti_platform.py: the IMS reference flow on
joserfc), both on loopback: launches as a learner and as an instructor, deep linking, scores back to the
gradebook in one column per exercise (never a second one, also when the tool forgets what it made), a
failing LMS queued and retried, the roster; and the launches a tool must refuse (another key's signature,
another audience, a replayed nonce or state, an expired token, an unknown deployment or platform).

The class app runs in this process (uvicorn on a free port) with its own state folder; its database is the
test server (the launches and services read none, the lab page does)."""

from __future__ import annotations

import os
import stat
import threading
import time
import urllib.parse
from contextlib import closing

import httpx2 as httpx
import pytest

from linklab.classroom import servers
from linklab.exercises.catalogue import get
from linklab.grade.scenarios import class_profiles

from .lti_platform import Platform, form_fields
from .conftest import shifted_port
from .test_lab import free_port

COURSE = "lti-test"


class OneServerDatabases(servers.ClassDatabases):
    """The class's databases, every profile on the test server (no class servers of its own)."""

    def __init__(self, plan: servers.Plan, driver):
        self.notify, self.plan, self.local = None, plan, driver
        self.explorers = {p: driver for p in plan.profiles}
        self._grading, self._lock = [driver], threading.Lock()

    def close(self) -> None:
        pass


def serve(app, port: int):
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.05)
    return server, thread


@pytest.fixture(scope="module")
def tool(driver, tmp_path_factory):
    """(the class lab's address, the platform) with the platform registered; the lab's state in a folder of
    its own."""
    from linklab.classroom import accounts
    from linklab.lti import registry
    from linklab.web.classroom import create_class_app

    home = tmp_path_factory.mktemp("lti-home")
    saved = os.environ.get("LINKLAB_HOME")
    os.environ["LINKLAB_HOME"] = str(home)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    platform = Platform().start(url)
    try:
        accounts.set_instructor_password("instructor-pass-1")
        plan = servers.Plan(COURSE, class_profiles(), 1, 1, 1, 0, 0.0, shifted_port(7790))  # names only: never started
        app = create_class_app(COURSE, OneServerDatabases(plan, driver), listen=("127.0.0.1", port))
        server, thread = serve(app, port)
        registry.register(**platform.registration(), name="Test LMS")
        yield {"url": url, "platform": platform, "home": home}
        server.should_exit = True
        thread.join(10)
    finally:
        platform.stop()
        if saved is None:
            os.environ.pop("LINKLAB_HOME", None)
        else:
            os.environ["LINKLAB_HOME"] = saved


def browser_client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, follow_redirects=False)


def launch(tool, user: str, link: str, tamper: dict | None = None, client: httpx.Client | None = None):
    """The whole flow as a browser makes it: the LMS's login initiation posted to the tool, the tool's
    redirect to the platform's authorisation endpoint, its form posted back to the tool. Returns (the
    tool's answer to the launch, the client with its cookies, the form that was posted)."""
    platform: Platform = tool["platform"]
    client = client or browser_client(tool["url"])
    started = client.post("/lti/login", data=platform.login_form(user, link))
    assert started.status_code == 303, started.text
    to = started.headers["location"]
    assert to.startswith(platform.url + "/auth?")
    if tamper:
        platform.tamper = tamper
    page = httpx.get(to, timeout=30)
    assert page.status_code == 200, page.text
    action, form = form_fields(page.text)
    assert action == tool["url"] + "/lti/launch"
    return client.post("/lti/launch", data=form), client, form


def moved_to(answer: httpx.Response) -> str:
    """Where the launch's page moves on to (its meta refresh)."""
    import re

    return re.search(r'content="0;url=([^"]*)"', answer.text).group(1).replace("&amp;", "&")


def test_the_tool_serves_its_public_key_and_keeps_the_private_one_to_itself(tool):
    from linklab.lti import keys

    published = httpx.get(tool["url"] + "/lti/jwks.json").json()
    assert [k["kty"] for k in published["keys"]] == ["RSA"] and "d" not in published["keys"][0]
    path = keys.key_path()
    assert path.is_relative_to(tool["home"]) and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert published["keys"][0]["kid"] == keys.tool_key().kid
    config = httpx.get(tool["url"] + "/lti/config").json()
    assert config["login_url"] == tool["url"] + "/lti/login" and config["jwks_url"] == tool["url"] + "/lti/jwks.json"


def test_a_learner_launches_into_the_lab_as_a_trainee_under_their_lms_name(tool):
    answer, client, _ = launch(tool, "learner", "course")
    assert answer.status_code == 200 and moved_to(answer) == "/"
    assert "linklab_session=" in answer.headers["set-cookie"] and "SameSite=Strict" in answer.headers["set-cookie"]
    me = client.get("/api/me").json()
    assert me["trainee"] == "Dana Scully" and me["course"] == COURSE
    assert client.get("/api/console/grid").status_code == 403  # a learner is no instructor
    again, client2, _ = launch(tool, "learner", "course")  # the same LMS user is the same trainee
    assert client2.get("/api/me").json()["trainee"] == "Dana Scully"


def test_an_lms_instructor_launches_into_the_console(tool):
    answer, client, _ = launch(tool, "teacher", "course")
    assert answer.status_code == 200 and moved_to(answer) == "/console"
    assert client.get("/console").status_code == 200
    state = client.get("/api/console/lti").json()
    assert [p["issuer"] for p in state["platforms"]] == [tool["platform"].issuer]
    assert state["contexts"][0]["title"] == "Link analysis 101" and state["contexts"][0]["scores"]


@pytest.mark.parametrize("tamper, why", [
    ({"wrong_key": True}, "signature does not match"),
    ({"claims": {"aud": "another-tool"}}, "meant for another tool"),
    ({"claims": {"aud": ["another-tool", "linklab-client-7"], "azp": "another-tool"}}, "meant for another tool"),
    ({"claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}}, "expired"),
    ({"claims": {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-9"}}, "deployment"),
    ({"claims": {"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"}}, "kind of LMS request is not"),
])
def test_a_launch_that_does_not_hold_is_refused(tool, tamper, why):
    answer, client, _ = launch(tool, "learner2", "course", tamper)
    assert answer.status_code == 401 and why in answer.text, answer.text
    assert "set-cookie" not in answer.headers
    assert client.get("/api/me").status_code == 401


def test_a_platform_that_rotates_its_key_is_read_again(tool):
    from joserfc.jwk import RSAKey

    platform: Platform = tool["platform"]
    old = platform.key
    platform.key = RSAKey.generate_key(2048, parameters={"kid": "platform-2", "use": "sig", "alg": "RS256"})
    try:
        answer, client, _ = launch(tool, "learner", "course")
        assert answer.status_code == 200 and client.get("/api/me").json()["trainee"] == "Dana Scully"
    finally:
        platform.key = old


def test_a_replayed_launch_or_nonce_is_refused(tool):
    platform: Platform = tool["platform"]
    first, _, form = launch(tool, "learner", "course")
    assert first.status_code == 200
    again = browser_client(tool["url"]).post("/lti/launch", data=form)  # the same post again: state used
    assert again.status_code == 401 and "used already" in again.text
    # a fresh login, but an id_token carrying the nonce of the first launch
    old_nonce = platform.used_nonces[-1]
    replayed, client, _ = launch(tool, "learner", "course", {"claims": {"nonce": old_nonce}})
    assert replayed.status_code == 401 and "used already" in replayed.text
    assert client.get("/api/me").status_code == 401


def test_an_unknown_platform_or_client_cannot_start_a_login(tool):
    platform: Platform = tool["platform"]
    client = browser_client(tool["url"])
    for change in ({"iss": "https://lms.elsewhere.example"}, {"client_id": "someone-else"},
                   {"lti_deployment_id": "deployment-9"}):
        answer = client.post("/lti/login", data={**platform.login_form("learner", "course"), **change})
        assert answer.status_code == 401 and "location" not in answer.headers, change
    forged = client.post("/lti/launch", data={"state": "made-up", "id_token": "a.b.c"})
    assert forged.status_code == 401 and "expired or was used" in forged.text


def deep_link(tool, exercises: list[str] | None = None) -> list[str]:
    """The instructor adds exercises to the LMS course through Deep Linking; returns the links made."""
    answer, client, _ = launch(tool, "teacher", "picker")
    pick = moved_to(answer)
    assert pick.startswith("/lti/pick?ticket=")
    page = client.get(pick)
    assert page.status_code == 200 and "form-action 'self' " + tool["platform"].url in page.headers[
        "content-security-policy"]
    csrf = client.get("/api/lti/pick").json()["csrf"]
    ticket = urllib.parse.parse_qs(urllib.parse.urlsplit(pick).query)["ticket"][0]
    body = {"ticket": ticket, "exercises": exercises} if exercises else {"ticket": ticket, "whole": True}
    chosen = client.post("/api/lti/pick", json=body, headers={"X-Linklab": "1", "Origin": tool["url"],
                                                               "X-CSRF-Token": csrf})
    assert chosen.status_code == 200, chosen.text
    back = httpx.post(chosen.json()["return_url"], data={"JWT": chosen.json()["jwt"]})  # the browser's form post
    assert back.status_code == 200, back.text
    again = client.post("/api/lti/pick", json=body, headers={"X-Linklab": "1", "Origin": tool["url"],
                                                             "X-CSRF-Token": csrf})
    assert again.status_code == 400  # a ticket serves once
    return back.text.split("'made'>")[1].split("<")[0].split()


def test_deep_linking_adds_exercises_with_their_gradebook_columns(tool):
    platform: Platform = tool["platform"]
    made = deep_link(tool, ["crews", "hub-messages"])
    links = [platform.links[m] for m in made]
    crews, hubs = get("crews"), get("hub-messages")
    assert [link.custom for link in links] == [{"exercise": "crews"}, {"exercise": "hub-messages"}]
    assert [link.title for link in links] == [f"{crews.number}. {crews.title}", f"{hubs.number}. {hubs.title}"]
    items = [platform.lineitems[link.lineitem] for link in links]
    assert [(i["resourceId"], i["scoreMaximum"]) for i in items] == [("crews", crews.points), ("hub-messages", hubs.points)]
    # a learner opening the deep-linked link lands on that exercise
    answer, client, _ = launch(tool, "learner", made[0])
    assert moved_to(answer) == "/#/exercise/crews"


def passes(client: httpx.Client, tool, exercise: str) -> None:
    """The trainee of `client` passes `exercise`: a passing check in the records, then what the lab does
    after every check (web.rules.ClassRules.after_check)."""
    from linklab import progress
    from linklab.web.rules import ClassRules

    trainee = client.get("/api/me").json()["trainee"]
    progress.record_check(trainee, COURSE, exercise, True, "Right.", "MATCH (n) RETURN n", "", "passed")
    ClassRules(COURSE).after_check(trainee, COURSE, get(exercise), True)


def test_scores_reach_the_gradebook_in_one_column_per_exercise_and_failures_are_retried(tool):
    from linklab.lti import grades, registry

    platform: Platform = tool["platform"]
    made = deep_link(tool, ["family-ties"])
    column = platform.links[made[0]].lineitem
    _, dana, _ = launch(tool, "learner", made[0])  # through the deep-linked link: its line item is in the launch
    _, fox, _ = launch(tool, "learner2", "course")  # through the course's plain link: the column is looked up
    passes(dana, tool, "family-ties")
    passes(fox, tool, "family-ties")
    assert grades.send_due(COURSE) == (2, 0)
    ties = [i for i in platform.lineitems.values() if i["resourceId"] == "family-ties"]
    assert len(ties) == 1 and ties[0]["id"] == column  # one column, made by Deep Linking, reused
    sent = [(s["userId"], s["scoreGiven"], s["scoreMaximum"], s["gradingProgress"]) for s in platform.scores
            if s["lineitem"] == column]
    points = float(get("family-ties").points)
    assert sorted(sent) == [("lms-user-1", points, points, "FullyGraded"), ("lms-user-2", points, points, "FullyGraded")]

    # the tool forgets the columns it knew (a new state folder, say): it finds them again, never a second one
    with closing(registry.store()) as db:
        db.execute("DELETE FROM lti_lineitems")
        db.execute("DELETE FROM lti_outbox")
    passes(fox, tool, "family-ties")
    assert grades.send_due(COURSE) == (1, 0)
    assert len([i for i in platform.lineitems.values() if i["resourceId"] == "family-ties"]) == 1

    # the LMS fails: the score waits in the outbox with the LMS's answer, the console shows it, a retry sends it
    platform.failing = True
    from linklab.lti import services
    services.forget_tokens()
    passes(fox, tool, "second-degree")
    assert grades.send_due(COURSE) == (0, 1)
    _, teacher, _ = launch(tool, "teacher", "course")
    outbox = teacher.get("/api/console/lti").json()["outbox"]
    assert outbox["failing"] == 1 and "answered 500" in outbox["unsent"][0]["error"]
    assert outbox["unsent"][0]["label"].endswith(get("second-degree").title)
    platform.failing = False
    course = teacher.get("/api/console/course")
    assert course.status_code == 200, course.text
    csrf = course.json()["csrf"]
    retried = teacher.post("/api/console/lti/retry", headers={"X-Linklab": "1", "Origin": tool["url"],
                                                              "X-CSRF-Token": csrf}).json()
    assert retried["sent"] == 1 and retried["outbox"]["failing"] == 0
    hubs = [i for i in platform.lineitems.values() if i["resourceId"] == "second-degree"]
    assert len(hubs) == 1 and hubs[0]["label"].endswith(get("second-degree").title)  # made once, named by title


def test_the_roster_comes_from_the_lms(tool):
    from linklab.classroom import accounts

    platform: Platform = tool["platform"]
    platform.users["learner3"] = platform.users.pop("learner2").__class__("lms-user-3", "Émile Zola", platform.users[
        "learner"].role)
    _, teacher, _ = launch(tool, "teacher", "course")
    csrf = teacher.get("/api/console/course").json()["csrf"]
    synced = teacher.post("/api/console/lti/roster", headers={"X-Linklab": "1", "Origin": tool["url"],
                                                              "X-CSRF-Token": csrf})
    assert synced.status_code == 200, synced.text
    body = synced.json()
    assert body["added"] == ["Émile Zola"] and body["problems"] == []  # both pages read; the teacher is no trainee
    assert "Walter Skinner" not in accounts.trainees(COURSE) and "Émile Zola" in accounts.trainees(COURSE)


# ---------------------------------------------------------------- the console tells the truth (same app)

def test_trainees_are_told_of_a_reset_at_once_and_the_console_remembers_its_tasks(tool, driver):
    """A reset under way: the trainee's page is told (/api/notices), and a run of that profile's exercise is
    answered at once with the sentence, not kept waiting. The last tasks and whether the course is prepared
    come from the store: a second app (a restarted lab) reads what the first did."""
    from linklab.classroom import state
    from linklab.grade.scenarios import class_profile_for
    from linklab.web.classroom import create_class_app

    _, dana, _ = launch(tool, "learner", "course")
    csrf = dana.get("/api/me").json()["csrf"]
    exercise = get("crews")
    state.begin(COURSE, state.Notice.RESET, class_profile_for(exercise))
    try:
        notices = dana.get("/api/notices").json()["notices"]
        assert [n["kind"] for n in notices] == ["reset"] and class_profile_for(exercise) in notices[0]["message"]
        began = time.monotonic()
        ran = dana.post(f"/api/exercises/{exercise.id}/run", json={"query": "RETURN 1"},
                        headers={"X-Linklab": "1", "Origin": tool["url"], "X-CSRF-Token": csrf})
        assert ran.status_code == 503 and "loading this exercise's scenario again" in ran.json()["error"]
        assert time.monotonic() - began < 2
    finally:
        state.end(COURSE, state.Notice.RESET, class_profile_for(exercise))
    assert dana.get("/api/notices").json()["notices"] == []

    state.task_started(COURSE, "prepare")
    state.task_finished(COURSE, "prepare", {"seconds": 42.0, "scenarios": ["x"], "not_separated": []}, "", ["done"])
    plan = servers.Plan(COURSE, class_profiles(), 1, 1, 1, 0, 0.0, shifted_port(7790))
    port = free_port()
    server, thread = serve(create_class_app(COURSE, OneServerDatabases(plan, driver), listen=("0.0.0.0", port),
                                            send_scores=False), port)
    try:
        _, teacher, _ = launch(tool, "teacher", "course")
        again = httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies=teacher.cookies)
        course = again.get("/api/console/course").json()
        assert course["tasks"]["prepare"]["result"]["seconds"] == 42.0 and course["job"]["name"] == ""
        assert course["prepared"] is False  # no hidden worlds chosen for this course: said so, not assumed
        assert course["address"].endswith(f":{port}/") and course["qr"].startswith("data:image/svg+xml")
    finally:
        server.should_exit = True
        thread.join(10)


def test_names_are_sorted_as_people_sort_them():
    from linklab.classroom.names import sort_key

    names = ["zoe", "Émile", "emma", "Adam", "éric", "Eric", "bob", "Ángel"]
    assert sorted(names, key=sort_key) == ["Adam", "Ángel", "bob", "Émile", "emma", "Eric", "éric", "zoe"]


@pytest.mark.parametrize("catalogue_name", ["LTI", "EXAM", "NOTICES"])
def test_each_new_message_reads_as_a_sentence(catalogue_name):
    """What LMS users and exam takers read lives in linklab.feedback and reads as a sentence; none has a
    placeholder left or names a hidden scenario."""
    from linklab import feedback

    for code in getattr(feedback, catalogue_name):
        if catalogue_name == "LTI":
            text = feedback.lti_message(code)
        elif catalogue_name == "EXAM":
            text = feedback.exam_message(code, attempts=3, left=1, minutes=5, seconds=40, due="14:00 on 12 Mar 2026")
        else:
            text = feedback.notice_message(code, profile="darknet")
        assert text[0].isupper() and text.endswith(".") and "{" not in text and "hidden" not in text.lower(), text


def headers_of(client: httpx.Client, tool) -> dict:
    return {"X-Linklab": "1", "Origin": tool["url"], "X-CSRF-Token": client.get("/api/console/course").json()["csrf"]}


def test_one_column_for_the_course_when_the_instructor_chooses_it(tool):
    """Per course: one column worth the catalogue's points, holding the points passed; it grows as the
    trainee passes more, in the same column."""
    from linklab.exercises.catalogue import catalogue
    from linklab.lti import grades

    platform: Platform = tool["platform"]
    _, teacher, _ = launch(tool, "teacher", "course")
    chosen = teacher.post("/api/console/lti/grades", json={"mode": "course"}, headers=headers_of(teacher, tool))
    assert chosen.status_code == 200 and chosen.json()["grades"] == "course"
    try:
        _, dana, _ = launch(tool, "learner", "course")
        passes(dana, tool, "three-platforms")
        grades.send_due(COURSE)
        passes(dana, tool, "common-contacts")
        grades.send_due(COURSE)
        columns = [i for i in platform.lineitems.values() if i["resourceId"] == grades.COURSE_RESOURCE]
        total = float(sum(e.points for e in catalogue()))
        assert len(columns) == 1 and columns[0]["scoreMaximum"] == total
        given = [s["scoreGiven"] for s in platform.scores if s["lineitem"] == columns[0]["id"] and
                 s["userId"] == "lms-user-1"]
        assert len(given) >= 2 and given == sorted(given) and given[-1] > given[0]  # grows, one column
    finally:
        teacher.post("/api/console/lti/grades", json={"mode": "exercise"}, headers=headers_of(teacher, tool))


def test_a_platform_is_registered_from_the_console_and_bad_registrations_are_refused(tool):
    from linklab.lti import registry

    _, teacher, _ = launch(tool, "teacher", "course")
    sent = headers_of(teacher, tool)
    good = {"name": "Canvas test", "issuer": "https://canvas.example.test", "client_id": "10000000000001",
            "deployments": "12:abc, 13:def", "auth_url": "https://canvas.example.test/api/lti/authorize_redirect",
            "token_url": "https://canvas.example.test/login/oauth2/token",
            "jwks_url": "https://canvas.example.test/api/lti/security/jwks"}
    made = teacher.post("/api/console/lti/register", json=good, headers=sent)
    assert made.status_code == 200 and made.json()["deployments"] == ["12:abc", "13:def"]
    for change, said in (({"auth_url": "canvas/authorize"}, "not a web address"), ({"deployments": ""}, "deployment"),
                         ({"client_id": ""}, "client ID")):
        refused = teacher.post("/api/console/lti/register", json={**good, "issuer": "https://x.test", **change},
                               headers=sent)
        assert refused.status_code == 400 and said in refused.json()["error"], refused.text
    assert registry.platform("https://x.test") is None
    assert registry.remove("https://canvas.example.test", "10000000000001")


def test_a_cooldown_is_stated_and_kept(tool):
    """One check every two minutes: stated before the first check, then the wait, in the same words as the
    refusal; a check the server could not grade is no attempt."""
    from linklab import progress
    from linklab.classroom import exam

    exam.set_rules(COURSE, "path-hops", exam.Rules(exam.Mode.EXAM, cooldown_s=120))
    try:
        before = exam.standing(COURSE, "Cool Down", "path-hops")
        assert before.refusal == "" and "Exam: one check every 2 minutes for this exercise." in before.lines
        progress.record_check("Cool Down", COURSE, "path-hops", False, "Not graded", "RETURN 1", "", "not_graded")
        assert exam.standing(COURSE, "Cool Down", "path-hops").refusal == ""  # not graded: no attempt
        progress.record_check("Cool Down", COURSE, "path-hops", False, "x", "RETURN 1", "", "failed")
        after = exam.standing(COURSE, "Cool Down", "path-hops")
        assert after.refusal.startswith("Exam: your next check of this exercise opens in") and after.refusal in after.lines
        with pytest.raises(exam.ExamRefusal) as refused:
            with exam.attempt(COURSE, "Cool Down", "path-hops"):
                pass
        assert refused.value.message == after.refusal or refused.value.message.startswith("Exam: your next check")
        later = exam.standing(COURSE, "Cool Down", "path-hops", now=time.time() + 121)
        assert later.refusal == ""
    finally:
        exam.set_rules(COURSE, "path-hops", None)


def test_the_lab_page_says_when_a_reset_is_under_way(tool, browser, shots):
    """In Chromium: a learner launched from the LMS opens an exercise while the instructor reloads its
    scenario: the page says so at the top (the notice, and why the exercise did not open) instead of showing
    nothing, and the notice goes once the reset is over."""
    from linklab.classroom import state
    from linklab.grade.scenarios import class_profile_for

    from .browser import console_errors, open_page, screenshot_colours
    from .test_lab import wait_for

    browser.delete_all_cookies()
    assert open_page(browser, f"{tool['platform'].url}/start?user=learner&link=course",
                     "location.pathname === '/' && document.body.dataset.ready === '1'") == []
    profile = class_profile_for(get("crews"))
    state.begin(COURSE, state.Notice.RESET, profile)
    try:
        browser.execute_script("location.hash = '#/exercise/crews'")
        wait_for(browser, "!document.getElementById('message').hidden && "
                          "!document.getElementById('notices').hidden", timeout=15)
        assert "loading this exercise's scenario again" in browser.find_element("id", "message").text
        assert profile in browser.find_element("id", "notices").text
        assert screenshot_colours(browser, shots / "lab-reset-notice.png") > 10
    finally:
        state.end(COURSE, state.Notice.RESET, profile)
    wait_for(browser, "document.getElementById('notices').hidden", timeout=15)
    errors = [e for e in console_errors(browser) if "503" not in e]  # the refused request itself is logged
    assert errors == []
