"""What the instructor's console shows, from the server's own records (progress events in SQLite): the
grid of trainees x exercises, a trainee's answers, the most common mistakes, and the grading files.

A trainee has passed an exercise once any check of theirs passed; the answer shown and exported is that
passing one, else the latest. Hints and attempts are counted from the events, never from a file a trainee
hands in. Only the rows that count are read: not those a re-grade superseded (they stay in the store for
audit), and a not-graded check is no attempt.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ..errors import LinklabError
from ..exercises.catalogue import catalogue, get
from ..grade.batch import ClassResults
from ..grade.engine import ExerciseVerdict, missing
from ..grade.status import Status, status_of
from ..progress import CURRENT
from ..recordstore import connect
from . import accounts, names, sessions


@dataclass
class Cell:
    attempts: int = 0
    hints: int = 0
    passed: bool = False
    first_at: float = 0.0  # first hint or check
    passed_at: float = 0.0  # first passing check
    last_at: float = 0.0

    @property
    def minutes(self) -> float | None:
        """From the first hint or check to the first pass (or to the latest check while trying)."""
        end = self.passed_at or self.last_at
        return round((end - self.first_at) / 60, 1) if self.first_at and end else None

    def status(self) -> str:
        return "passed" if self.passed else "trying" if self.attempts else "started" if self.hints else "new"


def cells(course: str) -> dict[tuple[str, str], Cell]:
    with closing(connect()) as db:
        rows = db.execute(f"SELECT trainee, exercise, kind, passed, at, status FROM events WHERE course = ? AND "
                          f"{CURRENT} ORDER BY at, id", (course,)).fetchall()
    found: dict[tuple[str, str], Cell] = {}
    for trainee, exercise, kind, passed, at, status in rows:
        cell = found.setdefault((trainee, exercise), Cell(first_at=at))
        if kind == "hint":
            cell.hints += 1
            cell.last_at = at
        elif status_of(status, passed) is not Status.NOT_GRADED:
            cell.last_at = at
            cell.attempts += 1
            if passed and not cell.passed:
                cell.passed, cell.passed_at = True, at
    return found


def course_trainees(course: str, found: dict) -> list[str]:
    """Everyone who joined, and anyone with records (a trainee of local mode graded into the course)."""
    return sorted(set(accounts.trainees(course)) | {t for t, _ in found}, key=names.sort_key)


def grid(course: str) -> dict:
    """Trainees x exercises, with counts beside every rate ("12 of 30 passed"), for the live console."""
    found = cells(course)
    people = course_trainees(course, found)
    exercises = catalogue()
    columns = []
    for e in exercises:
        row = [found.get((t, e.id), Cell()) for t in people]
        columns.append({"id": e.id, "number": e.number, "title": e.title, "points": e.points,
                        "passed": sum(c.passed for c in row), "tried": sum(c.attempts > 0 for c in row),
                        "trainees": len(people)})
    rows = []
    for t in people:
        mine = [found.get((t, e.id), Cell()) for e in exercises]
        rows.append({"trainee": t, "passed": sum(c.passed for c in mine), "points": sum(
            e.points for e, c in zip(exercises, mine) if c.passed), "hints": sum(c.hints for c in mine),
            "cells": [{"exercise": e.id, "status": c.status(), "attempts": c.attempts, "hints": c.hints,
                       "minutes": c.minutes} for e, c in zip(exercises, mine)]})
    return {"course": course, "trainees": len(people), "exercises": columns, "rows": rows,
            "max_points": sum(e.points for e in exercises), "at": time.time()}


def answers_of(course: str, trainee: str, exercise_id: str) -> dict:
    """A trainee's checks of one exercise, newest first: answer, verdict, feedback, diagnosis."""
    exercise = get(exercise_id)
    with closing(connect()) as db:
        rows = db.execute("SELECT at, passed, feedback, answer, mistake, kind, status, regrade_of IS NOT NULL "
                          f"FROM events WHERE course = ? AND trainee = ? AND exercise = ? AND {CURRENT} "
                          "ORDER BY at DESC, id DESC", (course, trainee, exercise.id))
        events = rows.fetchall()
    checks = [{"at": at, "passed": bool(passed), "status": status_of(status, passed), "feedback": feedback,
               "answer": answer, "mistake": mistake, "regraded": bool(regraded)}
              for at, passed, feedback, answer, mistake, kind, status, regraded in events if kind == "check"]
    return {"trainee": trainee, "exercise": exercise.id, "title": exercise.title, "checks": checks,
            "hints": sum(1 for e in events if e[5] == "hint")}


def common_mistakes(course: str, top: int = 5) -> list[dict]:
    """Per exercise: what the trainees who have not passed were last diagnosed with, most common first
    (each trainee counted once, by their latest check)."""
    with closing(connect()) as db:
        rows = db.execute("SELECT trainee, exercise, passed, mistake, status FROM events WHERE course = ? AND "
                          f"kind = 'check' AND {CURRENT} ORDER BY at, id", (course,)).fetchall()
    latest: dict[tuple[str, str], str] = {}
    passed: set[tuple[str, str]] = set()
    for trainee, exercise, ok, mistake, status in rows:
        if status_of(status, ok) is Status.NOT_GRADED:
            continue
        if ok:
            passed.add((trainee, exercise))
        latest[(trainee, exercise)] = mistake or "another result (no registered mistake)"
    per_exercise: dict[str, Counter] = {}
    for (trainee, exercise), mistake in latest.items():
        if (trainee, exercise) not in passed:
            per_exercise.setdefault(exercise, Counter())[mistake] += 1
    titles = {e.id: (e.number, e.title) for e in catalogue()}
    return [{"exercise": ex, "number": titles.get(ex, (0, ""))[0], "title": titles.get(ex, (0, ex))[1],
             "mistakes": [{"diagnosis": d, "trainees": n} for d, n in counts.most_common(top)]}
            for ex, counts in sorted(per_exercise.items(), key=lambda item: titles.get(item[0], (99,))[0])]


def class_results(course: str) -> ClassResults:
    """The records as grading results, for the same files `linklab grade` writes (JSON, JUnit, Gradescope,
    report, gradebook). Hints come from the records."""
    found = cells(course)
    people = course_trainees(course, found)
    with closing(connect()) as db:
        rows = db.execute("SELECT trainee, exercise, passed, feedback, mistake, status FROM events WHERE course = ? "
                          f"AND kind = 'check' AND {CURRENT} ORDER BY at, id", (course,)).fetchall()
    chosen: dict[tuple[str, str], tuple] = {}
    for trainee, exercise, passed, feedback, mistake, text in rows:
        status = status_of(text, passed)
        before = chosen.get((trainee, exercise))
        # keep the first pass; else the latest verdict; a not-graded check only while there is no verdict
        if before is None or (not before[0] and (status.is_verdict or not before[3].is_verdict)):
            chosen[(trainee, exercise)] = (passed, feedback, mistake, status)
    verdicts = {}
    for t in people:
        verdicts[t] = []
        for e in catalogue():
            if (t, e.id) in chosen:
                passed, feedback, mistake, status = chosen[(t, e.id)]
                verdicts[t].append(ExerciseVerdict(e.id, bool(passed), e.points if passed else 0, e.points,
                                                   feedback, [], "", "" if passed else mistake, status))
            else:
                verdicts[t].append(missing(e))
    hints = {t: {e: c.hints for (tt, e), c in found.items() if tt == t and c.hints} for t in people}
    return ClassResults(course, verdicts, 0.0, 0.0, len(rows), hints)


def export(course: str, out: Path) -> dict[str, Path]:
    """results.json, junit.xml, gradescope/, report.html and gradebook.csv in `out`."""
    from ..grade.outputs import write_all
    from ..report import write_report

    results = class_results(course)
    if not results.verdicts:  # (the report's own refusal would name a temporary file)
        raise LinklabError(f"nobody has joined course {course!r} yet: there is nothing to export")
    paths = write_all(results, out)
    report, book = write_report(paths["json"], out)
    return {**paths, "report": report, "gradebook": book}


WORKING_S = 300  # a trainee whose page asked for something this recently is still working


def working(course: str, now: float | None = None) -> dict:
    """Who is still working (signed in, their page active in the last five minutes), who is signed in but
    quiet, who has left: for the console during an exam."""
    now = time.time() if now is None else now
    with closing(accounts.store()) as db:
        seen = sessions.last_seen(db, course)
        checks = dict(db.execute(f"SELECT trainee, COUNT(*) FROM events WHERE course = ? AND kind = 'check' AND "
                                 f"{CURRENT} GROUP BY trainee", (course,)).fetchall())
    people = []
    for trainee in accounts.trainees(course):
        last = seen.get(trainee)
        where = "working" if last and now - last < WORKING_S else "quiet" if last else "signed out"
        people.append({"trainee": trainee, "state": where, "last_seen": last, "checks": checks.get(trainee, 0)})
    return {"working": sum(p["state"] == "working" for p in people), "people": people, "at": now}
