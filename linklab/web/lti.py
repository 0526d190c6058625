"""The class server's LTI 1.3 routes (lti.* does the protocol):

- /lti/login (GET or POST): the platform's OIDC login initiation; answered with a redirect to its
  authorisation endpoint, carrying a fresh state and nonce.
- /lti/launch (POST): the id_token, checked (lti.launch.verify). A learner becomes (or is again) a trainee of
  the course and lands in the lab, on the exercise the link names; an LMS instructor lands in the console; a
  Deep Linking request lands on the page where the instructor picks exercises.
- /lti/jwks.json: the tool's public key. /lti/config: the addresses to enter in the LMS.
- /lti/pick and /api/lti/pick: the instructor's choice of exercises, returned to the LMS signed.

The launch's answer is a page that moves on by itself (a meta refresh): the browser then asks the lab as the
lab's own page, so the session cookie (SameSite=Strict) goes with it; a redirect straight from the LMS's
cross-site post would arrive without it.
"""

from __future__ import annotations

import html
import secrets
import urllib.parse
from pathlib import Path
from typing import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..classroom import sessions
from ..classroom.sessions import Role
from ..errors import LinklabError
from ..exercises.catalogue import catalogue, get
from ..lti import keys, launch as lti_launch, registry
from ..lti.launch import Launch, LtiError, Problem
from ..lti.grades import COURSE_RESOURCE, GradeMode, set_grade_mode
from ..lti.people import trainee_for
from . import walls
from .trainee_api import json_body

PAGES = Path(__file__).parent / "lti"
WHOLE_COURSE = "*"  # the custom parameter of a link to the whole catalogue


def base_url(request: Request, public_url: str | None) -> str:
    return (public_url or str(request.base_url)).rstrip("/")


def tool_addresses(base: str) -> dict:
    """What the instructor enters in the LMS (README: Connecting an LMS)."""
    return {"tool_url": base + "/lti/launch", "login_url": base + "/lti/login", "redirect_url": base + "/lti/launch",
            "jwks_url": base + "/lti/jwks.json", "deep_link_url": base + "/lti/launch"}


def moving_on(to: str, cookie: str, who: str) -> HTMLResponse:
    page = (PAGES / "launched.html").read_text(encoding="utf-8")
    page = page.replace("{{to}}", html.escape(to, quote=True)).replace("{{who}}", html.escape(who))
    return HTMLResponse(page, headers={"set-cookie": cookie, "cache-control": "no-store"})


def refused_page(exc: LtiError) -> HTMLResponse:
    status = 503 if exc.problem is Problem.KEYS_UNREACHABLE else 403 if exc.problem in (
        Problem.NOT_INSTRUCTOR, Problem.CLASS_FULL) else 401
    page = (PAGES / "refused.html").read_text(encoding="utf-8").replace("{{message}}", html.escape(exc.message))
    return HTMLResponse(page, status_code=status, headers={"cache-control": "no-store"})


def lti_routes(course: str, public_url: str | None, instructor_of: Callable[[Request], sessions.Session]) -> list:

    async def login(request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params |= await posted_form(request)
        try:
            to = await run_in_threadpool(lti_launch.login_redirect, params, base_url(request, public_url) + "/lti/launch")
        except LtiError as exc:
            return refused_page(exc)
        return RedirectResponse(to, status_code=303, headers={"cache-control": "no-store"})

    async def launch(request: Request) -> Response:
        form = await posted_form(request)
        try:
            verified = await run_in_threadpool(lti_launch.verify, form)
            to, role, name = await run_in_threadpool(arrive, verified)
        except LtiError as exc:
            return refused_page(exc)
        token, _ = await run_in_threadpool(sessions.begin, role, course, name)
        return moving_on(to, walls.cookie_header(token, sessions.LIFETIME_S), name)

    def arrive(verified: Launch) -> tuple[str, Role, str]:
        """Where the launch leads, as whom; what it says about its LMS course is remembered."""
        context = remembered_context(verified)
        if verified.message_type == lti_launch.DEEP_LINKING:
            if not verified.is_instructor:
                raise LtiError(Problem.NOT_INSTRUCTOR)
            settings = verified.deep_linking
            if not isinstance(settings.get("deep_link_return_url"), str):
                raise LtiError(Problem.MESSAGE)
            ticket = secrets.token_urlsafe(24)
            registry.save_deeplink(ticket, course, verified.platform.issuer, verified.platform.client_id,
                                   verified.deployment_id, settings["deep_link_return_url"], str(settings.get("data", "")))
            return f"/lti/pick?ticket={ticket}", Role.INSTRUCTOR, "instructor"
        if verified.is_instructor:
            registry.remember_context(context, None)
            return "/console", Role.INSTRUCTOR, "instructor"
        name, _ = trainee_for(course, verified.platform.issuer, verified.sub, verified.name)
        registry.remember_context(context, verified.sub)
        exercise = str(verified.custom.get("exercise", ""))
        lineitem = verified.ags.get("lineitem")
        if context.lineitems_url and isinstance(lineitem, str) and exercise:
            registry.remember_lineitem(context.lineitems_url, lti_resource(exercise), lineitem)
        return (f"/#/exercise/{exercise}" if known_exercise(exercise) else "/"), Role.TRAINEE, name

    def remembered_context(verified: Launch) -> registry.Context:
        ctx, ags, nrps = verified.context, verified.ags, verified.nrps
        scopes = ags.get("scope") if isinstance(ags.get("scope"), list) else []
        return registry.Context(course, verified.platform.issuer, verified.platform.client_id, verified.deployment_id,
                                str(ctx.get("id", "")), str(ctx.get("title") or ctx.get("label") or ""),
                                str(ags.get("lineitems") or ""), " ".join(s for s in scopes if isinstance(s, str)),
                                str(nrps.get("context_memberships_url") or ""))

    async def jwks(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(keys.jwks), headers={"cache-control": "max-age=300"})

    async def config(request: Request) -> Response:
        return JSONResponse(tool_addresses(base_url(request, public_url)))

    async def pick_page(request: Request) -> Response:
        instructor_of(request)
        found = await run_in_threadpool(registry.deeplink, request.query_params.get("ticket", ""), course)
        if found is None:
            return refused_page(LtiError(Problem.STATE))
        to = urllib.parse.urlsplit(found["return_url"])
        origin = f"{to.scheme}://{to.netloc}"
        csp = ("default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
               f"form-action 'self' {origin}")
        return HTMLResponse((PAGES / "pick.html").read_text(encoding="utf-8"),
                            headers={"content-security-policy": csp, "cache-control": "no-store"})

    async def pick_choices(request: Request) -> Response:
        session = instructor_of(request)
        return JSONResponse({"csrf": session.csrf, "course": course, "exercises": [
            {"id": e.id, "number": e.number, "title": e.title, "points": e.points} for e in catalogue()]})

    async def pick(request: Request) -> Response:
        instructor_of(request)
        body = await json_body(request)
        ticket = str(body.get("ticket", ""))
        found = await run_in_threadpool(registry.deeplink, ticket, course)
        if found is None:
            raise LtiError(Problem.STATE)
        platform = await run_in_threadpool(registry.platform, found["issuer"], found["client_id"])
        if platform is None:
            raise LtiError(Problem.UNKNOWN_PLATFORM)
        items = content_items(base_url(request, public_url), body)
        mode = GradeMode.COURSE if body.get("whole") is True else GradeMode.EXERCISE
        await run_in_threadpool(set_grade_mode, course, mode)  # the columns the LMS now has
        jwt = await run_in_threadpool(lti_launch.deep_linking_response, platform, found["deployment_id"],
                                      found["data"], items)
        await run_in_threadpool(registry.drop_deeplink, ticket)
        return JSONResponse({"return_url": found["return_url"], "jwt": jwt, "items": len(items)})

    return [
        Route("/lti/login", login, methods=["GET", "POST"]),
        Route("/lti/launch", launch, methods=["POST"]),
        Route("/lti/jwks.json", jwks),
        Route("/lti/config", config),
        Route("/lti/pick", pick_page),
        Route("/api/lti/pick", pick_choices),
        Route("/api/lti/pick", pick, methods=["POST"]),
    ]


async def posted_form(request: Request) -> dict[str, str]:
    """An HTML form's fields (application/x-www-form-urlencoded, what an LMS posts), the first of each name."""
    try:
        pairs = urllib.parse.parse_qsl((await request.body()).decode("utf-8"), max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        return {}
    found: dict[str, str] = {}
    for key, value in pairs:
        found.setdefault(key, value)
    return found


def lti_resource(exercise: str) -> str:
    """The line item's resource id of a link: the exercise, or the whole course."""
    return COURSE_RESOURCE if exercise == WHOLE_COURSE else exercise


def known_exercise(exercise_id: str) -> bool:
    try:
        get(exercise_id)
    except LinklabError:
        return False
    return exercise_id in {e.id for e in catalogue()}


def content_items(base: str, body: dict) -> list[dict]:
    """LTI resource links for the chosen exercises (each its own gradebook column, worth its points), or one
    link to the whole catalogue (one column, worth the course's points)."""
    if body.get("whole") is True:
        total = sum(e.points for e in catalogue())
        return [{"type": "ltiResourceLink", "title": "linklab: all exercises", "url": base + "/lti/launch",
                 "custom": {"exercise": WHOLE_COURSE},
                 "lineItem": {"scoreMaximum": total, "label": "linklab", "resourceId": lti_resource(WHOLE_COURSE),
                              "tag": "linklab"}}]
    chosen = body.get("exercises")
    if not isinstance(chosen, list) or not chosen or not all(isinstance(c, str) and known_exercise(c) for c in chosen):
        raise LinklabError("choose at least one exercise of this class, or the whole catalogue")
    items = []
    for exercise in (get(c) for c in dict.fromkeys(chosen)):
        title = f"{exercise.number}. {exercise.title}"
        items.append({"type": "ltiResourceLink", "title": title, "url": base + "/lti/launch",
                      "custom": {"exercise": exercise.id},
                      "lineItem": {"scoreMaximum": exercise.points, "label": title, "resourceId": exercise.id,
                                   "tag": "linklab"}})
    return items
