"""A real browser for the tests: Debian's chromium and chromium-driver, driven by selenium (installed by .ci/run;
on a workstation `apt-get install chromium chromium-driver`). The `browser` fixture (registered in conftest.py)
gives one headless Chromium per test session; `open_page` loads a page and returns its console errors.

Chromium starts with a fresh profile and without its background networking (updates, sync, field trials): on a
closed network those requests only fail, slowly, and would flood the logs."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--window-size=1280,860", "--force-device-scale-factor=1",
         # WebGL without a GPU (sigma.js draws with WebGL): Chromium's software renderer.
         "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]


def find(names: tuple[str, ...]) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"no {names[0]} on PATH: the browser tests need Debian's chromium and chromium-driver "
                "(apt-get install chromium chromium-driver; .ci/run does this)")


def start_browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = find(CHROMIUM)
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    # The performance log carries the network events (requests, and those Chromium blocked): requests_leaving().
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
    # An explicit driver path: selenium never tries to download one (Selenium Manager needs the internet).
    return webdriver.Chrome(options=options, service=Service(executable_path=find(("chromedriver",))))


@pytest.fixture(scope="session")
def browser():
    with tempfile.TemporaryDirectory(prefix="linklab-chromium-") as profile:
        driver = start_browser(Path(profile))
        try:
            yield driver
        finally:
            driver.quit()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where tests put screenshots: $LINKLAB_SCREENSHOTS if set (to look at them), else the test's tmp_path."""
    return Path(os.environ.get("LINKLAB_SCREENSHOTS") or tmp_path)


def console_errors(driver) -> list[str]:
    """Console messages at error level since the last call (reading the log empties it)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")


def requests_leaving(driver) -> tuple[list[str], list[str]]:
    """Since the last call (reading the log empties it): (the URLs of requests that went, or tried to go, to a
    host other than this machine; those that Chromium blocked before sending, e.g. by a Content-Security-Policy).
    Chromium's own pages (chrome:, data:, blob:) are not requests to anywhere."""
    import json
    from urllib.parse import urlsplit

    sent, blocked = {}, set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            sent[params["requestId"]] = params["request"]["url"]
        elif message["method"] == "Network.webSocketCreated":
            sent[params["requestId"]] = params["url"]
        elif message["method"] == "Network.loadingFailed" and params.get("blockedReason"):
            blocked.add(params["requestId"])
    away = {rid: url for rid, url in sent.items()
            if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in LOOPBACK}
    return ([url for rid, url in away.items() if rid not in blocked],
            [url for rid, url in away.items() if rid in blocked])


def open_page(driver, url: str, ready_js: str, timeout: float = 20) -> list[str]:
    """Load url, wait until ready_js is truthy, and return the console errors logged meanwhile."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")  # the page before may still be polling a server a test has stopped: leave it first
    console_errors(driver)  # then forget what earlier pages logged
    driver.get_log("performance")
    driver.get(url)
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(f"return Boolean({ready_js})"))
    return console_errors(driver)


def screenshot_colours(driver, path: Path) -> int:
    """Save a screenshot and return how many distinct colours it has (a blank page has one or two)."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return len(Image.open(path).convert("RGB").getcolors(maxcolors=1 << 24))
