"""What a class server says about itself, kept in the store so that it survives a restart of the lab process
and is the same for every process that reads it:

- notices: work under way that trainees must be told about on their page (the instructor reloading a
  profile's scenario, a database server starting again after it stopped), with when it began;
- the instructor's last task of each kind (prepare, reset, re-grade) with its result or error, so that the
  console shows after a restart that the course was prepared, and when.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum

from ..feedback import notice_message
from ..recordstore import connect

STALE_NOTICE_S = 900  # a notice its process never cleared (it died) stops being shown after this


class Notice(StrEnum):
    RESET = "reset"  # subject: the profile whose scenario is loaded again
    RESTART = "restart"  # subject: the profile of the server starting again, or "grading"


def store() -> sqlite3.Connection:
    return connect()


def begin(course: str, kind: Notice, subject: str) -> None:
    with closing(store()) as db:
        db.execute("INSERT OR REPLACE INTO class_notices VALUES (?, ?, ?, ?)", (course, kind.value, subject, time.time()))


def end(course: str, kind: Notice, subject: str) -> None:
    with closing(store()) as db:
        db.execute("DELETE FROM class_notices WHERE course = ? AND kind = ? AND subject = ?", (course, kind.value, subject))


@dataclass(frozen=True)
class Active:
    kind: Notice
    subject: str
    since: float

    @property
    def message(self) -> str:
        return notice_message(self.kind.value, profile=self.subject)


def active(course: str, now: float | None = None) -> list[Active]:
    now = time.time() if now is None else now
    with closing(store()) as db:
        rows = db.execute("SELECT kind, subject, since FROM class_notices WHERE course = ? AND since > ? ORDER BY since",
                          (course, now - STALE_NOTICE_S)).fetchall()
    return [Active(Notice(kind), subject, since) for kind, subject, since in rows]


def busy(course: str, profile: str) -> Active | None:
    """A reset of `profile` under way: its exercises' queries and checks are refused at once, not kept waiting."""
    return next((a for a in active(course) if a.kind is Notice.RESET and a.subject == profile), None)


# ---------------------------------------------------------------- the instructor's tasks


def task_started(course: str, name: str) -> None:
    with closing(store()) as db:
        db.execute("INSERT OR REPLACE INTO console_tasks (course, name, started) VALUES (?, ?, ?)",
                   (course, name, time.time()))


def task_finished(course: str, name: str, result: dict | None, error: str, messages: list[str]) -> None:
    with closing(store()) as db:
        db.execute("UPDATE console_tasks SET finished = ?, result = ?, error = ?, messages = ? WHERE course = ? AND "
                   "name = ?", (time.time(), json.dumps(result, default=str) if result is not None else None, error,
                                json.dumps(messages[-50:]), course, name))


def last_tasks(course: str) -> dict[str, dict]:
    """name -> {started, finished, result, error, messages}; a task with no end was cut short (the process
    stopped while it ran)."""
    with closing(store()) as db:
        rows = db.execute("SELECT name, started, finished, result, error, messages FROM console_tasks WHERE course = ?",
                          (course,)).fetchall()
    return {name: {"started": started, "finished": finished, "result": json.loads(result) if result else None,
                   "error": error or "", "messages": json.loads(messages or "[]")}
            for name, started, finished, result, error, messages in rows}


class Busy(Exception):
    """A query or check refused at once: the instructor is reloading the scenario it needs."""
