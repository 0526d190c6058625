"""Neo4j Browser served by the lab, from the jar that `linklab server install` fetched, under the lab's own
origin (/browser/) with a Content-Security-Policy that lets the page reach this machine only: the lab, and the
Bolt port of the trainee's server. What the Browser would fetch from outside (Google Fonts, Segment, Canny)
is blocked in the page itself and never leaves 127.0.0.1; Neo4j's own server cannot be told to do that (its
CSP allows those hosts, and browser.allow_outgoing_connections is an Enterprise setting).

The address the lab links to fills in the user (`dbms=neo4j://USER@127.0.0.1:PORT`). The lab adds one script of
its own to the Browser's page, before the Browser's: it sets the Browser's "initial command" (its settings live
in this origin's localStorage) to play linklab's guide, so that the guide opens once the trainee has signed in,
after the server's own post-connect `:style` (the captions). The guide's address names `localhost`: the Browser
plays it before it has read the server's list of guide hosts, and its own list names localhost (a setting in
localStorage does not change that list). The Browser's `cmd=play` URL parameter would play it before signing in,
and skip that `:style`."""

from __future__ import annotations

import json
import mimetypes
import zipfile
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from .. import server as srv

LOOPBACK = ("127.0.0.1", "localhost")


def jar() -> Path | None:
    """The installed Neo4j Browser jar, of the version the pom pins, if there is one."""
    found = srv.dist_dir() / "lib" / f"neo4j-browser-{srv.pom_versions()['browser']}.jar"
    return found if found.is_file() else None


@cache
def files(path: Path, mtime_ns: int) -> zipfile.ZipFile:
    return zipfile.ZipFile(path)


SETUP = "linklab-setup.js"


def read(name: str) -> bytes | None:
    """A file of the Browser's static site (browser/NAME in the jar), or None; its index.html loads SETUP first."""
    found = jar()
    if found is None or ".." in name.split("/"):
        return None
    archive = files(found, found.stat().st_mtime_ns)
    try:
        data = archive.read(f"browser/{name or 'index.html'}")
    except KeyError:
        return None
    if (name or "index.html") == "index.html":
        data = data.replace(b"<script ", f'<script src="{SETUP}"></script><script '.encode(), 1)
    return data


def setup_script(guide_url: str) -> str:
    """Run before the Browser starts: its initial command (after signing in) plays linklab's guide."""
    command = json.dumps(f":play {guide_url}")
    return ("// linklab: Neo4j Browser's initial command, after signing in, is linklab's guide.\n"
            "(function () {\n"
            "  var key = 'neo4j.settings', settings = {};\n"
            "  try { settings = JSON.parse(localStorage.getItem(key) || '{}') || {}; } catch (e) { settings = {}; }\n"
            f"  settings.initCmd = {command};\n"
            "  settings.playImplicitInitCommands = true;\n"

            "  localStorage.setItem(key, JSON.stringify(settings));\n"
            "})();\n")


def guide_address(lab_port: int) -> str:
    return f"http://localhost:{lab_port}/browser-guide.html"


def content_type(name: str) -> str:
    kind = mimetypes.guess_type(name or "index.html")[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("javascript", "json")) else kind


def bolt_port(bolt_uri: str) -> int | None:
    """The Bolt port of a server on this machine, or None (Aura, another host: the Browser is not served)."""
    parts = urlsplit(bolt_uri)
    if parts.scheme not in ("bolt", "neo4j") or parts.hostname not in LOOPBACK or not parts.port:
        return None
    return parts.port


def policy(bolt_port: int, lab_port: int) -> str:
    """Everything from the lab's own origin, the lab under either loopback name (the guide), this machine's Bolt
    port (WebSocket, and the Browser's discovery request), nothing else."""
    allowed = " ".join(f"{scheme}://{host}:{port}" for host in LOOPBACK
                       for scheme, port in (("ws", bolt_port), ("http", bolt_port), ("http", lab_port)))
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"font-src 'self' data:; connect-src 'self' {allowed}; worker-src 'self' blob:; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'self'; form-action 'self'")


def address(lab_origin: str, user: str, port: int) -> str:
    """The Browser's address on the lab, with the user filled in."""
    return f"{lab_origin}/browser/?dbms={quote(f'neo4j://{user}@127.0.0.1:{port}', safe='')}"
