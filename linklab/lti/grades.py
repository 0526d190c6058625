"""Scores back to the LMS's gradebook, and the roster from it.

When a trainee passes (and, in an exam, once the results are released), their scores are queued in the
store's outbox for every LMS course they launched from that takes scores: per exercise (one gradebook
column per exercise, worth its points) or per course (one column, the points passed of the course), as the
instructor chose. A passed exercise stays passed, so the score sent is always the best.

The column of an exercise is found before it is made: first the one remembered here, then the platform's
own list filtered by our resource id (a column made by Deep Linking, or by an earlier run of linklab), and
only then a new one. So re-sending, restarting or re-grading never adds a second column.

The outbox is sent by one thread of the class server (Outbox), oldest first; a failure is kept with its
error and tried again later (5 s, 10 s, 20 s, ... at most 10 minutes apart), and the console shows it.
"""

from __future__ import annotations

import threading
import time
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

from ..classroom import accounts
from ..exercises.catalogue import catalogue
from ..progress import Progress
from . import registry, services
from .people import trainee_for
from .registry import LINEITEM_SCOPE, ROSTER_SCOPE, SCORE_SCOPE

COURSE_RESOURCE = "linklab-course"
MOST_WAIT_S = 600
LEARNER = "membership#Learner"


class GradeMode(StrEnum):
    EXERCISE = "exercise"  # a gradebook column per exercise
    COURSE = "course"  # one column for the course


def grade_mode(course: str) -> GradeMode:
    value = accounts.setting(f"lti_grades:{course}")
    return GradeMode(value) if value in set(GradeMode) else GradeMode.EXERCISE


def set_grade_mode(course: str, mode: GradeMode) -> None:
    with closing(accounts.store()) as db:
        db.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                   (f"lti_grades:{course}", GradeMode(mode).value))


@dataclass(frozen=True)
class Score:
    resource_id: str
    label: str
    score: float
    score_max: float


def scores_of(course: str, trainee: str, visible: Callable[[str], bool]) -> list[Score]:
    """What the trainee's gradebook columns should hold now (only exercises whose results may be shown)."""
    record = Progress.load(trainee, course)
    exercises = catalogue()
    passed = [e for e in exercises if record.status(e.id) == "passed" and visible(e.id)]
    if grade_mode(course) is GradeMode.COURSE:
        if not passed:  # nothing passed yet: the LMS's column stays empty rather than 0
            return []
        return [Score(COURSE_RESOURCE, f"linklab: {course}", float(sum(e.points for e in passed)),
                      float(sum(e.points for e in exercises)))]
    return [Score(e.id, f"{e.number}. {e.title}", float(e.points), float(e.points)) for e in passed]


def queue_scores(course: str, trainee: str, visible: Callable[[str], bool]) -> int:
    """Queue the trainee's scores for every LMS course they came from; returns how many were queued (a score
    the LMS holds already, or one waiting, is not queued twice)."""
    targets = registry.where_scores_go(course, trainee)
    if not targets:
        return 0
    queued = 0
    now = time.time()
    with closing(registry.store()) as db, registry.writing(db):
        for score in scores_of(course, trainee, visible):
            for context, sub in targets:
                key = (course, context.issuer, context.client_id, context.lineitems_url, score.resource_id, sub)
                same = db.execute("SELECT 1 FROM lti_outbox WHERE course = ? AND issuer = ? AND client_id = ? AND "
                                  "lineitems_url = ? AND resource_id = ? AND sub = ? AND score = ? AND score_max = ? "
                                  "ORDER BY id DESC LIMIT 1", (*key, score.score, score.score_max)).fetchone()
                if same:
                    continue
                # an older score of the same column waiting to be sent is replaced by this one
                db.execute("DELETE FROM lti_outbox WHERE course = ? AND issuer = ? AND client_id = ? AND "
                           "lineitems_url = ? AND resource_id = ? AND sub = ? AND sent_at IS NULL", key)
                db.execute("INSERT INTO lti_outbox (course, trainee, issuer, client_id, lineitems_url, resource_id, "
                           "label, score_max, sub, score, created, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (course, trainee, context.issuer, context.client_id, context.lineitems_url,
                            score.resource_id, score.label, score.score_max, sub, score.score, now, now))
                queued += 1
    return queued


# ---------------------------------------------------------------- sending

_sending = threading.Lock()  # one sender at a time in a process: a column is looked up before it is made


def send_due(course: str, now: float | None = None, everything: bool = False) -> tuple[int, int]:
    """Send the scores that are due (with `everything`, also those waiting for their next try): (sent, failed)."""
    with _sending:
        now = time.time() if now is None else now
        with closing(registry.store()) as db:
            rows = db.execute("SELECT id, issuer, client_id, lineitems_url, resource_id, label, score_max, sub, score, "
                              "tries FROM lti_outbox WHERE course = ? AND sent_at IS NULL AND (next_at <= ? OR ?) "
                              "ORDER BY id", (course, now, everything)).fetchall()
        sent = failed = 0
        for row_id, issuer, client_id, lineitems_url, resource_id, label, score_max, sub, score, tries in rows:
            try:
                send(issuer, client_id, lineitems_url, resource_id, label, score_max, sub, score)
            except services.ServiceError as exc:
                wait = min(MOST_WAIT_S, 5 * 2 ** tries)
                with closing(registry.store()) as db:
                    db.execute("UPDATE lti_outbox SET tries = tries + 1, next_at = ?, error = ? WHERE id = ?",
                               (time.time() + wait, str(exc)[:300], row_id))
                failed += 1
            else:
                with closing(registry.store()) as db:
                    db.execute("UPDATE lti_outbox SET sent_at = ?, error = '' WHERE id = ?", (time.time(), row_id))
                sent += 1
        return sent, failed


def scopes_for(issuer: str, client_id: str, lineitems_url: str) -> list[str]:
    granted = set()
    for context in registry.contexts_by_lineitems(issuer, client_id, lineitems_url):
        granted |= set(context.scopes.split())
    wanted = [SCORE_SCOPE, LINEITEM_SCOPE, LINEITEM_SCOPE + ".readonly"]
    return [s for s in wanted if s in granted] or [SCORE_SCOPE]


def send(issuer: str, client_id: str, lineitems_url: str, resource_id: str, label: str, score_max: float, sub: str,
         score: float) -> None:
    platform = registry.platform(issuer, client_id)
    if platform is None:
        raise services.ServiceError(f"the platform {issuer} (client {client_id}) is no longer registered")
    token = services.access_token(platform.token_url, client_id, scopes_for(issuer, client_id, lineitems_url))
    lineitem = registry.known_lineitem(lineitems_url, resource_id)
    remembered = lineitem is not None
    if lineitem is None:
        lineitem = services.find_lineitem(lineitems_url, resource_id, token) or \
            services.create_lineitem(lineitems_url, resource_id, label, score_max, token)
        registry.remember_lineitem(lineitems_url, resource_id, lineitem)
    try:
        services.post_score(lineitem, sub, score, score_max, token)
    except services.ServiceError as exc:
        if remembered and exc.status == 404:  # the column was deleted in the LMS: look for it again next time
            registry.forget_lineitem(lineitems_url, resource_id)
        raise


def outbox_view(course: str, latest: int = 20) -> dict:
    """For the console: how many scores were sent, wait, or fail, and the latest that wait with their error."""
    with closing(registry.store()) as db:
        sent, waiting, failing = db.execute(
            "SELECT COUNT(sent_at), SUM(sent_at IS NULL AND tries = 0), SUM(sent_at IS NULL AND tries > 0) "
            "FROM lti_outbox WHERE course = ?", (course,)).fetchone()
        rows = db.execute("SELECT trainee, label, score, score_max, tries, next_at, error FROM lti_outbox WHERE "
                          "course = ? AND sent_at IS NULL ORDER BY id DESC LIMIT ?", (course, latest)).fetchall()
    return {"sent": sent or 0, "waiting": waiting or 0, "failing": failing or 0,
            "unsent": [{"trainee": t, "label": label, "score": s, "score_max": m, "tries": tries, "next_at": at,
                        "error": error} for t, label, s, m, tries, at, error in rows]}


class Outbox(threading.Thread):
    """Sends the course's due scores every `every_s` seconds, for as long as the class server runs."""

    def __init__(self, course: str, every_s: float = 2.0):
        super().__init__(daemon=True, name="lti-outbox")
        self.course, self.every_s = course, every_s
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every_s):
            try:
                send_due(self.course)
            except Exception:  # the store busy or a platform odd: the next round tries again
                continue

    def stop(self) -> None:
        self.stopping.set()


# ---------------------------------------------------------------- the roster from the LMS


def sync_roster(course: str) -> dict:
    """Trainees for the learners of every LMS course that launched into this course (its members service):
    who was added, who was there already, and what failed, per LMS course."""
    added, known, problems = [], 0, []
    for context in registry.contexts(course):
        if not context.memberships_url:
            continue
        platform = registry.platform(context.issuer, context.client_id)
        try:
            if platform is None:
                raise services.ServiceError(f"the platform {context.issuer} is no longer registered")
            token = services.access_token(platform.token_url, context.client_id, [ROSTER_SCOPE])
            people = services.members(context.memberships_url, token)
        except services.ServiceError as exc:
            problems.append(f"{context.title or context.context_id}: {exc}")
            continue
        for member in people:
            roles = [r for r in member.get("roles", []) if isinstance(r, str)]
            user_id = member.get("user_id")
            if not isinstance(user_id, str) or member.get("status", "Active") != "Active":
                continue
            if not any(r.endswith(LEARNER) or r == "Learner" for r in roles):
                continue
            name = member.get("name") or f"{member.get('given_name', '')} {member.get('family_name', '')}".strip()
            try:
                trainee, new = trainee_for(course, context.issuer, user_id, str(name))
            except Exception as exc:  # a full class: say so, keep the others
                problems.append(f"{name}: {exc}")
                continue
            registry.add_member(context, user_id)
            if new:
                added.append(trainee)
            else:
                known += 1
    return {"added": added, "known": known, "problems": problems}
