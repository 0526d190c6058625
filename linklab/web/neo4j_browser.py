"""Neo4j Browser served by the lab, from the jar that `linklab server install` fetched, under the lab's own
origin (/browser/) with a Content-Security-Policy that lets the page reach this machine only: the lab, and the
Bolt port of the trainee's server. What the Browser would fetch from outside (Google Fonts, Segment, Canny)
is blocked in the page itself and never leaves 127.0.0.1; Neo4j's own server cannot be told to do that (its
CSP allows those hosts, and browser.allow_outgoing_connections is an Enterprise setting).

The address the lab links to opens the Browser with linklab's guide (`cmd=play`) and the user filled in
(`dbms=neo4j://USER@127.0.0.1:PORT`)."""

from __future__ import annotations

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


def read(name: str) -> bytes | None:
    """A file of the Browser's static site (browser/NAME in the jar), or None."""
    found = jar()
    if found is None or ".." in name.split("/"):
        return None
    archive = files(found, found.stat().st_mtime_ns)
    try:
        return archive.read(f"browser/{name or 'index.html'}")
    except KeyError:
        return None


def content_type(name: str) -> str:
    kind = mimetypes.guess_type(name or "index.html")[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("javascript", "json")) else kind


def bolt_port(bolt_uri: str) -> int | None:
    """The Bolt port of a server on this machine, or None (Aura, another host: the Browser is not served)."""
    parts = urlsplit(bolt_uri)
    if parts.scheme not in ("bolt", "neo4j") or parts.hostname not in LOOPBACK or not parts.port:
        return None
    return parts.port


def policy(port: int) -> str:
    """Everything from the lab's own origin, WebSockets to this machine's Bolt port, nothing else."""
    bolt = " ".join(f"ws://{host}:{port}" for host in LOOPBACK)
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"font-src 'self' data:; connect-src 'self' {bolt}; worker-src 'self' blob:; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'self'; form-action 'self'")


def address(lab_origin: str, user: str, port: int) -> str:
    """The Browser's address on the lab: the user filled in, linklab's guide played on connect."""
    guide = f"{lab_origin}/browser-guide.html"
    return (f"{lab_origin}/browser/?dbms={quote(f'neo4j://{user}@127.0.0.1:{port}', safe='')}"
            f"&cmd=play&arg={quote(guide, safe='')}")
