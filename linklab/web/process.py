"""Running the lab in the background for `linklab up` and `linklab lab --background`: a detached
`linklab lab` process, its pid in .linklab/lab.pid and its log in .linklab/lab.log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from ..config import state_dir
from ..errors import LinklabError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_host(host: str) -> None:
    if host not in LOOPBACK:
        raise LinklabError(f"--host {host}: a trainee's own lab has no logins, so it listens on this machine "
                           "only (127.0.0.1); for a room, run a class server: linklab lab --class COURSE --host 0.0.0.0")


def address(host: str, port: int) -> str:
    return f"http://{'[::1]' if host == '::1' else host}:{port}/"


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url + "api/exercises", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def pid_file():
    return state_dir() / "lab.pid"


def running() -> dict | None:
    """The background lab's pid and address, if it runs."""
    try:
        record = json.loads(pid_file().read_text())
        os.kill(record["pid"], 0)
    except (OSError, ValueError, KeyError):
        return None
    return record


def start(trainee: str, course: str, host: str, port: int, wait_s: float = 60) -> tuple[str, bool]:
    """(address, whether it was already running). Waits until the lab answers."""
    check_host(host)
    current = running()
    if current and answers(current["url"]):
        return current["url"], True
    url = address(host, port)
    if answers(url):
        raise LinklabError(f"something else answers on {url}: start the lab on another port with "
                           "`linklab lab --background --port N`")
    log = open(state_dir() / "lab.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "linklab", "lab", "--trainee", trainee, "--course", course,
                                "--host", host, "--port", str(port)], stdout=log, stderr=log,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    pid_file().write_text(json.dumps({"pid": process.pid, "url": url, "trainee": trainee, "course": course}))
    deadline = time.monotonic() + wait_s
    while not answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise LinklabError(f"the lab did not start: see {state_dir() / 'lab.log'}")
        time.sleep(0.2)
    return url, False


def stop() -> bool:
    current = running()
    if not current:
        return False
    os.kill(current["pid"], signal.SIGTERM)
    pid_file().unlink(missing_ok=True)
    return True
