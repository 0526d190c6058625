"""A trainee's side: who they are, their scenarios, checking an answer, hints and progress (kept locally)."""

from __future__ import annotations

import fcntl
import getpass
import json
import os
from dataclasses import dataclass, field
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import neo4j

from . import server as srv
from .config import Connection, local_password, state_dir, write_json_atomically
from .db import connect
from .errors import LinklabError
from .exercises.catalogue import Exercise
from .grade.engine import (CaseKey, ExerciseVerdict, ScenarioKey, check_on_scenarios, is_loaded,
                           scenarios_for, summarise)

DEFAULT_COURSE = "linklab-101"


def identity(trainee: str | None = None, course: str | None = None) -> tuple[str, str]:
    return (trainee or os.environ.get("LINKLAB_TRAINEE") or getpass.getuser(),
            course or os.environ.get("LINKLAB_COURSE") or DEFAULT_COURSE)


def grading_instance() -> srv.Instance:
    """The local grading server: as it was last started, or 2g heap and 1g page cache the first time."""
    return srv.instance("grading") if srv.is_saved("grading") else srv.instance("grading", heap="2g", pagecache="1g")


def grading_connection(notify: Callable[[str], None] | None = None) -> Connection:
    """Where hidden seeds are loaded: LINKLAB_GRADING_URI, or a second local server started on demand,
    so that checking never replaces the scenario a trainee is exploring. Its heap and page cache are the
    ones it was last given (`linklab server start --name grading --heap ...`), 2g and 1g the first time."""
    uri = os.environ.get("LINKLAB_GRADING_URI")
    if uri:
        return Connection(uri, os.environ.get("NEO4J_USER", "neo4j"), local_password())
    inst = grading_instance()
    if not srv.running_pid(inst) and notify:
        notify(f"starting the grading server ({inst.uri}) for hidden scenarios...")
    srv.start(inst)
    return Connection(inst.uri, "neo4j", local_password())


def check(exercise: Exercise, query: str, trainee: str, course: str, case: str | None = None,
          notify: Callable[[str], None] | None = None) -> ExerciseVerdict:
    """Check an answer on the trainee's scenario and the hidden ones: on the trainee's own database where
    that scenario is loaded, else on the grading server (which loads what it needs). `notify` hears, in
    words, about waits and about starting the grading server."""
    keys = scenarios_for(exercise, course, trainee, case=case)
    grading: list[neo4j.Driver] = []

    def drivers_for(key) -> Iterator[tuple[neo4j.Driver, bool]]:
        yield local, False
        if not grading:
            grading.append(connect(grading_connection(notify)))
        yield grading[0], True

    with connect() as local:
        try:
            results = check_on_scenarios(exercise, query, keys, drivers_for, on_wait=notify)
        finally:
            for driver in grading:
                driver.close()
    return summarise(exercise, results)


# ---------------------------------------------------------------- progress, saved locally


def file_safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


@dataclass
class Progress:
    trainee: str
    course: str
    exercises: dict[str, dict] = field(default_factory=dict)

    @staticmethod
    def path(trainee: str, course: str) -> Path:
        """One file per trainee and course, so switching course never overwrites a record."""
        return state_dir() / "progress" / f"{file_safe(trainee)}@{file_safe(course)}.json"

    @classmethod
    def load(cls, trainee: str, course: str) -> "Progress":
        path = cls.path(trainee, course)
        if path.exists():
            try:
                data = json.loads(path.read_text())
            except json.JSONDecodeError:
                raise LinklabError(f"{path} is damaged: move it away to start a fresh progress record") from None
            return cls(trainee, course, data.get("exercises", {}))
        return cls(trainee, course)

    @classmethod
    @contextmanager
    def updating(cls, trainee: str, course: str) -> Iterator["Progress"]:
        """Read, change and save under a lock file, so two commands at once (two checks, a check and a
        hint) never lose each other's attempts or hints."""
        path = cls.path(trainee, course)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            progress = cls.load(trainee, course)
            yield progress
            progress.save()

    def save(self) -> None:
        # atomic: an interrupted save never loses the record
        write_json_atomically(self.path(self.trainee, self.course), {
            "trainee": self.trainee, "course": self.course, "exercises": self.exercises}, indent=2, sort_keys=True)

    def entry(self, exercise_id: str) -> dict:
        return self.exercises.setdefault(exercise_id, {"hints": 0, "attempts": 0, "passed": False,
                                                       "feedback": ""})

    def record(self, verdict: ExerciseVerdict) -> None:
        entry = self.entry(verdict.exercise)
        entry["attempts"] += 1
        entry["passed"] = entry["passed"] or verdict.passed
        entry["feedback"] = verdict.feedback

    def status(self, exercise_id: str) -> str:
        entry = self.exercises.get(exercise_id)
        if not entry or not entry["attempts"]:
            return "new" if not entry or not entry["hints"] else "started"
        return "passed" if entry["passed"] else "trying"


def exploring(exercise: Exercise, trainee: str, course: str, case: str | None = None) -> ScenarioKey | CaseKey:
    return scenarios_for(exercise, course, trainee, case=case)[0]

