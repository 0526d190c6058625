"""`linklab lab`: the trainee's lab in the browser, a thin Starlette app over linklab.service.

One page (lab/index.html with lab.js) asks a small JSON API: the exercises with their status, an exercise
with the trainee's parameters, hints, the schema, running a query under the guards (a table and a graph),
checking an answer, progress. Every asset is served from here (the vendored bundles in static/): the lab
works offline. It binds 127.0.0.1 for one trainee; requests that change something must carry the
X-Linklab header, which a page of another site cannot send without a CORS preflight that this app never
answers, and a same-origin Origin. No request body, of any route, is read past MAX_BODY (Guard).
"""

from __future__ import annotations

import base64
import binascii
import logging
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from neo4j.exceptions import DriverError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import service
from ..config import connection
from ..errors import LinklabError, NotFound
from ..exercises.catalogue import case_catalogue, get
from ..feedback import class_message, lab_message
from . import neo4j_browser
from .assets import STATIC, bundle
from .trainee_api import TRAINEE_ROUTES, Desk, json_body

LAB = Path(__file__).parent / "lab"
GUIDE = Path(__file__).parent / "browser-guide.html"
# Neo4j Browser (another origin) fetches the guide with `pragma`, `cache-control` and Sentry's tracing headers:
# a preflight.
GUIDE_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET",
              "Access-Control-Allow-Headers": "pragma, cache-control, sentry-trace, baggage"}
# Posted by an LMS's page on the user's behalf (LTI 1.3 login and launch): another site by design, trusted by
# their signed token, state and nonce (lti.launch) instead of the lab's header and Origin. The body cap holds.
CROSS_SITE_PATHS = {"/lti/login", "/lti/launch"}
MAX_BODY = 256 << 10  # bytes: far above the longest answer the guard accepts (20,000 characters)


def create_app(trainee: str, course: str, databases: service.Databases, prepare: bool = False) -> Starlette:
    """The lab for one trainee in one course, over drivers that every request shares (local mode: no
    login, bound to 127.0.0.1). With `prepare`, the course's hidden worlds are prepared in the background
    from the start (service.BackgroundPreparation), and /api/preparation says how far it is."""
    # what is being prepared in the background: the course, then each case network the trainee chooses
    backgrounds = [service.BackgroundPreparation(trainee, course, databases).start()] if prepare else []

    def prepare_case() -> None:
        if prepare:  # the page follows the case chosen last (an earlier one's thread finishes on its own)
            del backgrounds[1:]
            backgrounds.append(service.BackgroundPreparation(trainee, course, databases, case_catalogue()).start())

    def statuses() -> list[service.Preparation]:
        return [background.status() for background in list(backgrounds)]

    async def preparation(request: Request) -> Response:
        """How far the background is; with ?exercise=ID, also whether that exercise's hidden worlds are ready
        (a pending check is checked again then)."""
        named = request.query_params.get("exercise")
        ready = {} if named is None else {"exercise_ready": await run_in_threadpool(
            service.prepared, get(named), trainee, course, None, databases)}
        for status in await run_in_threadpool(statuses):
            if status.state is not service.PreparationState.READY:
                return JSONResponse({**asdict(status), **ready})
        return JSONResponse({"state": "ready", "message": "", "fraction": 1.0, "seconds_left": None, **ready})

    def provisional() -> bool:
        """While the background prepares, a right answer is told at once, as pending (service.check). A failed
        preparation is not waited for: the check prepares again itself and says why if it fails."""
        return any(status.state is service.PreparationState.PREPARING for status in statuses())

    routes = ([Route("/", lab_page), Route("/api/preparation", preparation)] + TRAINEE_ROUTES
              + local_routes(trainee, course, databases) + case_routes(databases, prepare_case) + common_routes())
    app = Starlette(routes=routes, middleware=[Middleware(Guard)], exception_handlers=ERROR_HANDLERS)
    app.state.desk = Desk(databases, lambda request: (trainee, course), provisional=provisional)
    return app


def local_routes(trainee: str, course: str, databases: service.Databases) -> list:
    """What only a trainee's own lab has: their name for the pages, the briefing's Neo4j Browser with its
    user and password, and that Browser itself (served from the installed jar, see web.neo4j_browser)."""
    conn = connection()
    port = neo4j_browser.bolt_port(conn.uri)

    async def name(request: Request) -> Response:
        body = await json_body(request)
        given = body.get("name") if isinstance(body, dict) else None
        if not isinstance(given, str):
            raise LinklabError(lab_message("name_form"))
        return JSONResponse({"name": await run_in_threadpool(service.set_display_name, trainee, course, given)})

    async def browser_access(request: Request) -> Response:
        origin = f"{request.url.scheme}://{request.url.netloc}"
        served = port is not None and neo4j_browser.jar() is not None
        return JSONResponse({"url": neo4j_browser.address(origin, conn.user, port) if served else None,
                             "user": conn.user, "password": conn.password, "bolt": conn.uri})

    async def browser_file(request: Request) -> Response:
        name = request.path_params.get("path", "")
        lab_port = request.url.port or 80
        if port is not None and name == neo4j_browser.SETUP:
            data = neo4j_browser.setup_script(neo4j_browser.guide_address(lab_port)).encode()
        else:
            data = neo4j_browser.read(name) if port is not None else None
        if data is None:
            return JSONResponse({"error": lab_message("no_browser")}, status_code=404)
        return Response(data, media_type=neo4j_browser.content_type(name),
                        headers={"content-security-policy": neo4j_browser.policy(port, lab_port),
                                 "cache-control": "no-cache", "x-content-type-options": "nosniff"})

    return [Route("/api/me/name", name, methods=["POST"]), Route("/api/neo4j-browser", browser_access),
            Route("/browser/", browser_file), Route("/browser/{path:path}", browser_file)]


def case_routes(databases: service.Databases, chosen: Callable[[], None]) -> list:
    """The Cases page of a trainee's own lab: the case networks on offer, choosing one, uploading one. Each
    choice loads the case into the trainee's database; `chosen()` then starts preparing its hidden variants.
    (A class has no such routes: its exploration servers hold the course's scenarios.)"""

    async def shelf(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(service.case_shelf, databases.local))

    async def use(request: Request) -> Response:
        name = (await json_body(request)).get("name")
        if not isinstance(name, str):
            raise LinklabError(lab_message("case_form"))
        choice = await run_in_threadpool(service.use_case, name, databases.local)
        chosen()
        return JSONResponse(asdict(choice))

    async def upload(request: Request) -> Response:
        body = await json_body(request)
        name, file_name, encoded = body.get("name"), body.get("file_name"), body.get("data")
        if not all(isinstance(v, str) for v in (name, file_name, encoded)):
            raise LinklabError(lab_message("case_form"))
        try:  # the file's bytes, base64: the reader, not the browser, decides whether they are UTF-8
            data = base64.b64decode(encoded, validate=True)
            layout = service.CaseLayout(body.get("layout") or "edges")
        except (ValueError, binascii.Error):
            raise LinklabError(lab_message("case_form")) from None
        choice = await run_in_threadpool(service.upload_case, name, file_name, data, layout, databases.local)
        chosen()
        return JSONResponse(asdict(choice))

    return [Route("/api/cases", shelf), Route("/api/cases/use", use, methods=["POST"]),
            Route("/api/cases/upload", upload, methods=["POST"])]


class Refusal(Exception):
    """A request refused with an HTTP status and a sentence (not signed in, not allowed, too many); with
    `retry_after`, the seconds to wait (a Retry-After header, and "retry_after" in the JSON)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


async def lab_page(request: Request) -> Response:
    graph, editor = bundle("graph-view"), bundle("cypher-editor")
    html = (LAB / "index.html").read_text(encoding="utf-8")
    for name, value in (("graph_js", graph.js.name), ("editor_js", editor.js.name),
                        ("editor_css", editor.css.name if editor.css else "")):
        html = html.replace("{{" + name + "}}", value)
    return HTMLResponse(html)


def common_routes() -> list:
    """What every visitor may read: the browser guide and the static files."""

    async def guide(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=GUIDE_CORS)
        return HTMLResponse(GUIDE.read_text(encoding="utf-8"), headers=GUIDE_CORS)

    return [
        Route("/browser-guide.html", guide, methods=["GET", "OPTIONS"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Mount("/lab", StaticFiles(directory=LAB), name="lab"),
    ]


async def linklab_error(request: Request, exc: LinklabError) -> Response:
    status = 404 if isinstance(exc, NotFound) else 400
    return JSONResponse({"error": exc.message}, status_code=status)


async def refused(request: Request, exc: Refusal) -> Response:
    if exc.retry_after is None:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    return JSONResponse({"error": exc.message, "retry_after": exc.retry_after}, status_code=exc.status,
                        headers={"retry-after": str(exc.retry_after)})


async def unexpected_error(request: Request, exc: Exception) -> Response:
    from ..db import first_line

    return JSONResponse({"error": f"{type(exc).__name__}: {first_line(exc)}"}, status_code=500)


async def database_unreachable(request: Request, exc: DriverError) -> Response:
    from ..db import first_line

    # for the operator's log: which failure of the driver, where (the trainee sees the sentence below)
    logging.getLogger("linklab.web").warning("%s %s: %s: %s", request.method, request.url.path,
                                             type(exc).__name__, first_line(exc))
    return JSONResponse({"error": "a database server of the lab is not answering (it may be restarting): "
                                  "try again in a minute"}, status_code=503)


async def store_unusable(request: Request, exc: sqlite3.Error) -> Response:
    """The records (recordstore.store_error says why: a full disk, a lock...): nothing was recorded."""
    from ..recordstore import store_error

    return JSONResponse({"error": store_error(exc).message}, status_code=503)


def header_map(scope) -> dict[str, str]:
    """A request's headers by lower-case name (ASGI gives them as byte pairs)."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


ERROR_HANDLERS = {Refusal: refused, LinklabError: linklab_error, DriverError: database_unreachable,
                  sqlite3.Error: store_unusable, Exception: unexpected_error}


class Guard:
    """Requests that change something come from the lab's own page (a custom header and a same-origin
    Origin), and no request body, of any route, is read past MAX_BODY: a declared Content-Length over it is
    refused before reading, and a chunked body is read as it streams and refused at the first byte past it
    (413, and the connection is closed: the rest is never read into memory). The app then reads the body
    from what Guard kept."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = header_map(scope)
        refusal = self.refusal(scope, headers)
        if refusal is None:
            body = await read_capped(receive, MAX_BODY)
            if body is None:  # the client went away
                return
            if body is TOO_LARGE:
                refusal = (413, class_message("too_large", kib=MAX_BODY >> 10))
        if refusal:
            await JSONResponse({"error": refusal[1]}, status_code=refusal[0],
                               headers={"connection": "close"} if refusal[0] == 413 else None)(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)

    @staticmethod
    def refusal(scope, headers: dict[str, str]) -> tuple[int, str] | None:
        length = headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > MAX_BODY:
            return 413, class_message("too_large", kib=MAX_BODY >> 10)
        guide_preflight = scope["method"] == "OPTIONS" and scope["path"] == "/browser-guide.html"
        if scope["method"] in ("GET", "HEAD") or guide_preflight or scope["path"] in CROSS_SITE_PATHS:
            return None
        host, origin = headers.get("host", ""), headers.get("origin")
        if headers.get("x-linklab") != "1":
            return 403, class_message("own_page")
        if origin and origin.split("://", 1)[-1] != host:
            return 403, class_message("cross_site")
        return None


TOO_LARGE = object()  # what read_capped returns for a body over the limit


async def read_capped(receive, limit: int) -> bytes | object | None:
    """The request body, or TOO_LARGE as soon as more than `limit` bytes arrived (what came is dropped), or
    None when the client disconnected."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return TOO_LARGE
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive):
    """An ASGI receive that gives the body read already, then whatever the server says next (a disconnect)."""
    given = False

    async def receive_again():
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again
