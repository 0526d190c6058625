"""`linklab lab` against the real server: its JSON API through Starlette's test client, and a trainee's
session in real Chromium (tests/browser.py): open the lab, open an exercise, type a query, run it, see the
table and the graph, check a wrong answer and read the feedback, check the right one, see PASSED and the
progress move; no console errors on the way."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from linklab.exercises.catalogue import get
from linklab.service import Databases, exploring
from linklab.web.app import create_app

from .browser import console_errors, open_page, screenshot_colours
from .conftest import ROOT

TRAINEE, COURSE = "tess", "lab-test"
POST = {"X-Linklab": "1"}
CREWS = get("crews")
WRONG_CREWS = "MATCH (o:Organization) RETURN o.name, 1"


@pytest.fixture
def lab_env(cli_env, tmp_path, monkeypatch) -> dict:
    env = {**cli_env, "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"], "LINKLAB_HOME": str(tmp_path / "home")}
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "LINKLAB_GRADING_URI", "LINKLAB_HOME"):
        monkeypatch.setenv(name, env[name])
    return env


@pytest.fixture
def client(lab_env, driver):
    from linklab.grade.engine import ensure_loaded

    ensure_loaded(driver, exploring(CREWS, TRAINEE, COURSE))
    with Databases() as databases, TestClient(create_app(TRAINEE, COURSE, databases),
                                              base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def test_the_api_lists_shows_runs_and_checks(client):
    listing = client.get("/api/exercises").json()
    assert listing["exercises"][0]["id"] == "crews" and listing["progress"]["passed"] == 0
    shown = client.get("/api/exercises/crews").json()
    assert shown["loaded"] and "crew" in shown["prompt"] and shown["hints"] == []
    ran = client.post("/api/exercises/crews/run", json={"query": "MATCH (p:Person)-[r:MEMBER_OF]->(o) RETURN p, r, o "
                                                                   "LIMIT 5"}, headers=POST).json()
    assert ran["columns"] == ["p", "r", "o"] and len(ran["rows"]) == 5 and not ran["refused"]
    assert ran["graph"]["edges"] and all(e["label"] == "MEMBER_OF" for e in ran["graph"]["edges"])
    names = {n["label"] for n in ran["graph"]["nodes"]}
    assert {row[0]["node"] for row in ran["rows"]} <= names  # captioned by name, not by an internal id
    wrong = client.post("/api/exercises/crews/check", json={"query": WRONG_CREWS}, headers=POST).json()
    assert not wrong["passed"] and wrong["checks"][0]["scenario"] == "your scenario"
    hidden = [c["scenario"] for c in wrong["checks"]][1:]  # two, or three when a third catches more mistakes
    assert hidden == [f"hidden scenario {k}" for k in range(1, len(hidden) + 1)] and len(hidden) >= 2
    right = client.post("/api/exercises/crews/check", json={"query": CREWS.solution}, headers=POST).json()
    assert right["passed"] and right["progress"]["passed"] == 1
    hint = client.post("/api/exercises/crews/hint", json={}, headers=POST).json()
    assert hint["number"] == 1 and client.get("/api/exercises/crews").json()["hints"] == [hint["text"]]
    assert client.get("/api/exercises").json()["exercises"][0]["status"] == "passed"


def test_a_run_is_guarded_like_a_check(client):
    refused = client.post("/api/exercises/crews/run", json={"query": "MATCH (n) DETACH DELETE n"}, headers=POST).json()
    assert "read-only" in refused["refused"] and refused["rows"] == []
    syntax = client.post("/api/exercises/crews/run", json={"query": "MATCH (n RETURN n"}, headers=POST).json()
    assert syntax["refused"].startswith("Syntax error on line 1")


@pytest.mark.parametrize("headers, status", [({}, 403), ({"X-Linklab": "1", "Origin": "http://evil.example"}, 403)])
def test_changes_come_only_from_the_labs_own_page(client, headers, status):
    response = client.post("/api/exercises/crews/hint", json={}, headers=headers)
    assert response.status_code == status and "error" in response.json()
    assert client.get("/api/exercises/crews").json()["hints"] == []


def test_bad_requests_get_a_clear_answer(client):
    assert client.get("/api/exercises/no-such").status_code == 404
    assert "unknown exercise" in client.get("/api/exercises/no-such").json()["error"]
    big = client.post("/api/exercises/crews/run", content=b"x" * (300 << 10), headers=POST)
    assert big.status_code == 413
    bad = client.post("/api/exercises/crews/run", content=b"not json", headers=POST)
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]


def test_every_asset_is_served_by_the_lab(client):
    page = client.get("/").text
    assert "{{" not in page and "http://" not in page and "https://" not in page
    for src in __import__("re").findall(r'(?:src|href)="(/[^"]+)"', page):
        assert client.get(src).status_code == 200, src


# ---------------------------------------------------------------- in a real browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def lab_process(lab_env, driver):
    """The real `linklab lab` process: (its address, its pid)."""
    from linklab.grade.engine import ensure_loaded

    ensure_loaded(driver, exploring(CREWS, TRAINEE, COURSE))
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "linklab", "lab", "--trainee", TRAINEE, "--course", COURSE,
                                "--port", str(port)], env=lab_env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "api/exercises", timeout=2)
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
            time.sleep(0.3)
    yield url, process.pid
    process.terminate()
    process.wait(10)


@pytest.fixture
def lab_url(lab_process):
    return lab_process[0]


def test_an_endless_body_is_refused_as_it_streams(lab_process):
    """A 200 MiB chunked body (no Content-Length) to the lab's own process: refused with 413 once it passes
    the limit, and the process does not grow by it; the lab still answers."""
    url, pid = lab_process
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    before = memory_mib(pid)
    status, sent = send_endless_body(port, "/api/exercises/crews/run")
    assert status == 413 and sent < 200 << 20
    assert send_endless_body(port, "/api/exercises", method="GET")[0] == 413  # every route, not only changes
    assert send_declared_length(port, "/api/exercises/crews/check", 200 << 20) == 413
    after = memory_mib(pid)
    assert after["VmHWM"] - before["VmHWM"] < 32, (before, after)
    assert urllib.request.urlopen(url + "api/exercises", timeout=10).status == 200


def memory_mib(pid: int) -> dict[str, float]:
    """A process's resident memory now (VmRSS) and at its peak (VmHWM), in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {name: int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM")}


def send_endless_body(port: int, path: str, total: int = 200 << 20, source: str = "127.0.0.1",
                      method: str = "POST") -> tuple[int, int]:
    """Send a chunked body of `total` bytes (no Content-Length) to the server on loopback, as a client that
    keeps sending until the server answers or closes. Returns (the HTTP status of the answer, 0 if none; the
    bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0))
    sock.sendall((f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                  "X-Linklab: 1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode())
    chunk = b"x" * (1 << 20)
    framed, sent, reply = b"%x\r\n" % len(chunk) + chunk + b"\r\n", 0, b""
    try:
        while sent < total and not select.select([sock], [], [], 0)[0]:  # until the server says something
            sock.sendall(framed)
            sent += len(chunk)
        if sent >= total:
            sock.sendall(b"0\r\n\r\n")
    except OSError:  # the server closed the connection: its answer, if any, is waiting to be read
        pass
    try:
        while b"\r\n" not in reply and (data := sock.recv(65536)):
            reply += data
    except OSError:
        pass
    sock.close()
    return (int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else 0), sent


def send_declared_length(port: int, path: str, length: int, source: str = "127.0.0.1") -> int:
    """POST headers that declare a body of `length` bytes, send none of it, and return the status answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0)) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                      f"X-Linklab: 1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n").encode())
        reply = sock.recv(65536)
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else 0


def wait_for(browser, script: str, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(lambda d: d.execute_script(f"return {script}"))


def type_query(browser, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.execute_script("linklabLab.editor.setValue('')")
    box = browser.find_element(By.CSS_SELECTOR, "#editor .cm-content")
    box.click()
    box.send_keys(text)
    box.send_keys(Keys.ESCAPE)  # close a completion list, if one is open


def test_a_trainee_solves_the_first_exercise_in_the_browser(browser, lab_url, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    errors = open_page(browser, lab_url, "document.body.dataset.ready")
    assert errors == []
    browser.find_element(By.CSS_SELECTOR, 'nav a[data-id="crews"]').click()
    wait_for(browser, "document.getElementById('title').textContent.includes('crews')")
    query = "MATCH (p:Person)-[r:MEMBER_OF]->(o:Organization) RETURN p, r, o LIMIT 25"
    type_query(browser, query)
    assert browser.execute_script("return linklabLab.editor.getValue()") == query
    browser.find_element(By.CSS_SELECTOR, "#editor .cm-content").send_keys(Keys.CONTROL, Keys.ENTER)
    wait_for(browser, "document.querySelectorAll('#table tbody tr').length === 25")
    browser.find_element(By.CSS_SELECTOR, '.tabs button[data-tab="graph"]').click()
    wait_for(browser, "linklabLab.graph && linklabLab.graph.nodeCount() > 0")
    drawn = browser.execute_script("return [linklabLab.graph.nodeCount(), linklabLab.graph.edgeCount()]")
    expected = browser.execute_script("return [linklabLab.lastRun.graph.nodes.length, linklabLab.lastRun.graph.edges.length]")
    assert drawn == expected and drawn[1] == 25
    assert screenshot_colours(browser, shots / "lab-graph.png") > 40  # a drawn graph, not a blank canvas

    type_query(browser, WRONG_CREWS)
    browser.find_element(By.ID, "check").click()
    wait_for(browser, "!document.getElementById('verdict').hidden", timeout=120)
    verdict = browser.find_element(By.ID, "verdict")
    assert verdict.text.startswith("NOT YET") and "not-yet" in verdict.get_attribute("class")
    assert "On your scenario" in verdict.text
    before = browser.find_element(By.ID, "progress-text").text
    assert before.startswith("0 of")

    answer = "\n".join(line for line in CREWS.solution.splitlines() if not line.startswith("//"))
    browser.execute_script("linklabLab.editor.setValue(arguments[0])", answer)
    browser.find_element(By.ID, "check").click()
    wait_for(browser, "document.getElementById('verdict').textContent.startsWith('PASSED')", timeout=120)
    assert "passed" in browser.find_element(By.ID, "verdict").get_attribute("class")
    wait_for(browser, "document.getElementById('progress-text').textContent.startsWith('1 of')")
    assert "passed" in browser.find_element(By.CSS_SELECTOR, 'nav a[data-id="crews"] .badge').text
    screenshot_colours(browser, shots / "lab-passed.png")
    assert console_errors(browser) == []


def test_the_lab_serves_the_neo4j_browser_guide_across_origins(client):
    preflight = client.options("/browser-guide.html", headers={"Origin": "http://127.0.0.1:7474",
                                                               "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and "pragma" in preflight.headers["access-control-allow-headers"]
    guide = client.get("/browser-guide.html")
    assert guide.status_code == 200 and "<slide" in guide.text and guide.headers["access-control-allow-origin"] == "*"
