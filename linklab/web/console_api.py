"""The instructor's console API of a class (`linklab lab --class`): the course's state, the live grid, the
common mistakes, answers and answer keys, the roster, the long tasks (prepare, reset, re-grade), exports, exam
rules and the LMS. Each handler is a function of the request: the instructor's session is checked first
(`instructor_room`), and the work is asked of the course's library face (course.Course) or its records."""

from __future__ import annotations

from dataclasses import asdict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..classroom import accounts, address as addresses, console, exam, state
from ..errors import LinklabError
from ..exercises.catalogue import get
from ..lti import grades as lti_grades, registry as lti_registry
from .lti import tool_addresses, base_url
from .room import ClassRoom, room_of
from .trainee_api import json_body


def instructor_room(request: Request) -> ClassRoom:
    """The room, when the instructor asks (else Refusal: 401 or 403)."""
    room = room_of(request)
    room.instructor_of(request)
    return room


async def course_state(request: Request) -> Response:
    room = room_of(request)
    session = room.instructor_of(request)
    plan, course = room.databases.plan, room.course
    where = addresses.trainees_address(*room.listen, room.public_url, request.headers.get("host"))
    tasks = await run_in_threadpool(state.last_tasks, course)
    return JSONResponse({
        "course": course, "join_code": room.join_code, "csrf": session.csrf, "profiles": list(plan.profiles),
        "servers": [{"name": i.name, "uri": i.uri, "heap": i.heap} for i in plan.instances()],
        "grading_servers": len(room.databases.grading_pool()), "hidden_scenarios": plan.hidden_keys,
        "memory_gb": plan.memory_gb, "notes": plan.why, "job": asdict(room.job),
        "prepared": await run_in_threadpool(room.library().is_prepared), "tasks": tasks,
        "address": where.url, "room_can_reach": where.room_can_reach, "qr": where.qr_svg,
        "notices": [a.message for a in await run_in_threadpool(state.active, course)]})


async def grid(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(instructor_room(request).library().grid))


async def mistakes(request: Request) -> Response:
    return JSONResponse({"exercises": await run_in_threadpool(instructor_room(request).library().common_mistakes)})


async def answers(request: Request) -> Response:
    course = instructor_room(request).library()
    trainee, exercise = request.query_params.get("trainee", ""), request.query_params.get("exercise", "")
    return JSONResponse(await run_in_threadpool(course.answers_of, trainee, exercise))


async def keys(request: Request) -> Response:
    course = instructor_room(request).library()
    return JSONResponse(await run_in_threadpool(course.key_view, request.path_params["exercise_id"]))


async def roster(request: Request) -> Response:
    room = instructor_room(request)
    names = (await json_body(request)).get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise LinklabError("send the names as a JSON list of text")
    added = await run_in_threadpool(accounts.add_to_roster, room.course, names)
    return JSONResponse({"trainees": [{"name": j.name, "code": j.code} for j in added]})


async def trainees(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(accounts.roster, instructor_room(request).course))


async def places(request: Request) -> Response:
    room = instructor_room(request)
    wanted = (await json_body(request)).get("places")
    return JSONResponse({"places": await run_in_threadpool(accounts.set_places, room.course, wanted)})


async def change_trainee(request: Request) -> Response:
    """rename, remove, sign-out and new-code of one trainee, by name."""
    course = instructor_room(request).course
    body = await json_body(request)
    name, action = body.get("name"), request.path_params["action"]
    if not isinstance(name, str) or not isinstance(body.get("new_name", ""), str):
        raise LinklabError("send the trainee's name as JSON text")
    if action == "rename":
        new = await run_in_threadpool(accounts.rename, course, name, body.get("new_name", ""))
        return JSONResponse({"renamed": name, "name": new})
    if action == "remove":
        return JSONResponse({"removed": name, "records": await run_in_threadpool(accounts.remove, course, name)})
    if action == "sign-out":
        return JSONResponse({"signed_out": name, "sessions": await run_in_threadpool(accounts.end_sessions,
                                                                                      course, name)})
    if action == "new-code":
        joined = await run_in_threadpool(accounts.new_personal_code, course, name)
        return JSONResponse({"name": joined.name, "code": joined.code})
    raise LinklabError(f"no trainee action called {action!r}: rename, remove, sign-out or new-code")


async def prepare(request: Request) -> Response:
    room = instructor_room(request)
    return room.start_job("prepare", lambda say: asdict(room.library(say).prepare_class()))


async def reset(request: Request) -> Response:
    room = instructor_room(request)
    profile = (await json_body(request)).get("profile", "")
    room.library().require_profile(profile)  # refused now, not in the background task
    return room.start_job("reset", lambda say: asdict(room.library(say).reset(profile)))


async def regrade(request: Request) -> Response:
    """Every answer in the records checked again with today's grader (or one trainee's, one exercise's);
    the old verdicts stay in the records, superseded."""
    room = instructor_room(request)
    body = await json_body(request)
    trainee, exercise = body.get("trainee") or None, body.get("exercise") or None
    if exercise is not None:
        exercise = get(exercise).id  # an unknown exercise: refused now, in one line
    return room.start_job("regrade", lambda say: asdict(room.library(say).regrade(trainee, exercise)))


async def export(request: Request) -> Response:
    course = instructor_room(request).library()
    name = request.path_params["name"]
    body = await run_in_threadpool(course.export, name)
    return Response(body, media_type=MEDIA_TYPES[name.rsplit(".", 1)[1]], headers=attachment(f"{course.name}-{name}"))


# ---------------------------------------------------------------- exam mode


async def exam_state(request: Request) -> Response:
    course = instructor_room(request).course
    return JSONResponse({**await run_in_threadpool(exam.exam_view, course),
                         "working": await run_in_threadpool(console.working, course)})


async def exam_rules(request: Request) -> Response:
    course = instructor_room(request).course
    body = await json_body(request)
    exercise = body.get("exercise") or exam.COURSE_WIDE
    if exercise != exam.COURSE_WIDE:
        exercise = get(exercise).id
    if body.get("mode") == "inherit" and exercise != exam.COURSE_WIDE:
        await run_in_threadpool(exam.set_rules, course, exercise, None)
    else:
        await run_in_threadpool(exam.set_rules, course, exercise, rules_from(body))
    return JSONResponse(await run_in_threadpool(exam.exam_view, course))


async def exam_release(request: Request) -> Response:
    room = instructor_room(request)
    released = (await json_body(request)).get("released", True) is not False
    await run_in_threadpool(exam.release, room.course, released)
    if released:
        await run_in_threadpool(room.library().queue_scores)
    return JSONResponse(await run_in_threadpool(exam.exam_view, room.course))


# ---------------------------------------------------------------- the LMS (LTI 1.3)


async def lti_state(request: Request) -> Response:
    room = instructor_room(request)

    def view() -> dict:
        return {"tool": tool_addresses(base_url(request, room.public_url)), "grades": lti_grades.grade_mode(room.course),
                "platforms": [asdict(p) for p in lti_registry.platforms()],
                "contexts": [{"title": c.title or c.context_id, "issuer": c.issuer, "scores": c.can_post_scores,
                              "roster": bool(c.memberships_url)} for c in lti_registry.contexts(room.course)],
                "outbox": lti_grades.outbox_view(room.course)}

    return JSONResponse(await run_in_threadpool(view))


async def lti_register(request: Request) -> Response:
    instructor_room(request)
    body = await json_body(request)
    deployments = body.get("deployments", [])
    if isinstance(deployments, str):
        deployments = deployments.replace(",", " ").split()
    if not isinstance(deployments, list) or not all(isinstance(d, str) for d in deployments):
        raise LinklabError("send the deployment IDs as a list of text")
    fields = [str(body.get(k, "")) for k in ("issuer", "client_id")]
    urls = [str(body.get(k, "")) for k in ("auth_url", "token_url", "jwks_url")]
    found = await run_in_threadpool(lti_registry.register, *fields, deployments, *urls, str(body.get("name", "")))
    return JSONResponse(asdict(found))


async def lti_grades_mode(request: Request) -> Response:
    room = instructor_room(request)
    mode = (await json_body(request)).get("mode")
    if mode not in set(lti_grades.GradeMode):
        raise LinklabError("grades go to the LMS per 'exercise' or per 'course'")
    await run_in_threadpool(lti_grades.set_grade_mode, room.course, lti_grades.GradeMode(mode))
    queued = await run_in_threadpool(room.library().queue_scores)
    return JSONResponse({"grades": mode, "queued": queued})


async def lti_retry(request: Request) -> Response:
    course = instructor_room(request).course
    sent, failed = await run_in_threadpool(lti_grades.send_due, course, None, True)
    return JSONResponse({"sent": sent, "failed": failed,
                         "outbox": await run_in_threadpool(lti_grades.outbox_view, course)})


async def lti_roster(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(lti_grades.sync_roster, instructor_room(request).course))


def rules_from(body: dict) -> exam.Rules:
    """Exam rules from the console's form: mode, attempts, cooldown in minutes, due time (epoch seconds)."""
    mode = body.get("mode", "practice")
    if mode not in set(exam.Mode):
        raise LinklabError("the mode is 'practice' or 'exam'")

    def number(key: str, scale: float = 1) -> int | float | None:
        value = body.get(key)
        if value in (None, "", 0):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LinklabError(f"{key} is a number")
        return value * scale

    cooldown = number("cooldown_min", 60)
    attempts = number("attempts")
    return exam.Rules(exam.Mode(mode), int(attempts) if attempts else None, int(cooldown) if cooldown else None,
                      number("due_at"))


MEDIA_TYPES = {"csv": "text/csv", "html": "text/html", "json": "application/json", "xml": "application/xml",
               "zip": "application/zip"}


def attachment(filename: str) -> dict:
    return {"content-disposition": f'attachment; filename="{filename}"'}


CONSOLE_ROUTES = [
    Route("/api/console/course", course_state),
    Route("/api/console/grid", grid),
    Route("/api/console/mistakes", mistakes),
    Route("/api/console/answers", answers),
    Route("/api/console/keys/{exercise_id}", keys),
    Route("/api/console/roster", roster, methods=["POST"]),
    Route("/api/console/trainees", trainees),
    Route("/api/console/places", places, methods=["POST"]),
    Route("/api/console/trainees/{action}", change_trainee, methods=["POST"]),
    Route("/api/console/prepare", prepare, methods=["POST"]),
    Route("/api/console/reset", reset, methods=["POST"]),
    Route("/api/console/regrade", regrade, methods=["POST"]),
    Route("/api/console/export/{name}", export),
    Route("/api/console/exam", exam_state),
    Route("/api/console/exam", exam_rules, methods=["POST"]),
    Route("/api/console/exam/release", exam_release, methods=["POST"]),
    Route("/api/console/lti", lti_state),
    Route("/api/console/lti/register", lti_register, methods=["POST"]),
    Route("/api/console/lti/grades", lti_grades_mode, methods=["POST"]),
    Route("/api/console/lti/retry", lti_retry, methods=["POST"]),
    Route("/api/console/lti/roster", lti_roster, methods=["POST"]),
]
