"""Re-grading a class from the server's own records (the console's "Re-grade"), after the grader, an
exercise or the course changed: every answer that counts now is checked again with today's grader on the
course's scenarios, and its new verdict is recorded beside the old one (progress.record_regrade: the old row
is marked superseded, never changed or deleted). Run in the background, like Prepare.

A trainee's identical answers to one exercise are checked once; in a class session every trainee is
checked on the same scenarios, so identical answers of different trainees are too. A server lost during
the re-grade stops it: what was re-graded stays re-graded, the rest keeps its verdicts, and the message
says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .. import progress, service
from ..errors import LinklabError
from ..exercises.catalogue import catalogue
from ..grade.status import Status, status_of


@dataclass
class Regrade:
    seconds: float
    answers: int  # distinct answers checked again
    checks: int  # recorded checks re-judged
    changed: int  # answers whose verdict (passed or not) changed
    skipped: int  # answers not recorded (older records) or to exercises this class does not grade: left as they were


def regrade(databases: service.Databases, course: str, notify: Callable[[str], None],
            trainee: str | None = None, exercise: str | None = None) -> Regrade:
    began = time.perf_counter()
    graded = {e.id: e for e in catalogue()}
    rows = progress.current_checks(course, trainee, exercise)
    answers: dict[tuple[str, str, str], list[progress.CheckRow]] = {}
    for row in rows:
        answers.setdefault((row.trainee, row.exercise, row.answer_sha256), []).append(row)
    notify(f"re-grading {len(answers)} answer(s) ({len(rows)} recorded check(s)) with today's grader...")
    same: dict[tuple[str, str], object] = {}  # (exercise, answer) -> verdict, when the scenarios are shared
    done = checks = changed = skipped = 0
    for (who, exercise_id, digest), group in answers.items():
        chosen = graded.get(exercise_id)
        if chosen is None or not group[-1].answer:
            skipped += 1
            continue
        verdict = same.get((exercise_id, digest)) if databases.shared else None
        if verdict is None:
            verdict = service.check(chosen, group[-1].answer, who, course, databases=databases)
        if verdict.status is Status.NOT_GRADED:
            raise LinklabError(f"a server stopped answering during the re-grade: {done} of {len(answers)} answer(s) "
                               "were re-graded and the others keep their verdicts; press Re-grade again when the "
                               "servers answer")
        if databases.shared:
            same[(exercise_id, digest)] = verdict
        before = any(status_of(r.status, r.passed) is Status.PASSED for r in group)
        checks += progress.record_regrade(group, verdict.passed, verdict.feedback, verdict.mistake, verdict.status)
        changed += before != verdict.passed
        done += 1
        if done % 50 == 0:
            notify(f"  {done} of {len(answers)} answer(s) re-graded")
    notify(f"re-graded {done} answer(s): {changed} changed verdict")
    return Regrade(round(time.perf_counter() - began, 1), done, checks, changed, skipped)
