"""A trainee's side: who they are, their scenarios, checking an answer, hints and progress (kept locally)."""

from __future__ import annotations

import getpass
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import neo4j

from . import server as srv
from .config import Connection, local_password, state_dir, write_json_atomically
from .db import connect
from .errors import LinklabError
from .exercises.catalogue import Exercise
from .grade import hidden
from .grade.engine import (CaseKey, ExerciseVerdict, ScenarioKey, check_answer, ensure_loaded, is_loaded,
                           scenarios_for, summarise)

DEFAULT_COURSE = "linklab-101"


def identity(trainee: str | None = None, course: str | None = None) -> tuple[str, str]:
    return (trainee or os.environ.get("LINKLAB_TRAINEE") or getpass.getuser(),
            course or os.environ.get("LINKLAB_COURSE") or DEFAULT_COURSE)


def grading_connection() -> Connection:
    """Where hidden seeds are loaded: LINKLAB_GRADING_URI, or a second local server started on demand,
    so that checking never replaces the scenario a trainee is exploring."""
    uri = os.environ.get("LINKLAB_GRADING_URI")
    if uri:
        return Connection(uri, os.environ.get("NEO4J_USER", "neo4j"), local_password())
    inst = srv.instance("grading", heap="2g", pagecache="1g")
    if not srv.running_pid(inst):
        print(f"starting the grading server ({inst.uri}) for hidden scenarios...", file=sys.stderr)
    srv.start(inst)
    return Connection(inst.uri, "neo4j", local_password())


def check(exercise: Exercise, query: str, trainee: str, course: str, case: str | None = None) -> ExerciseVerdict:
    hidden.prepare_with(lambda: connect(grading_connection()), course,
                        hidden.worlds_for([exercise], course, [trainee], case))
    keys = scenarios_for(exercise, course, trainee, case=case)
    results = []
    grading: neo4j.Driver | None = None
    with connect() as local:
        try:
            for key in keys:
                if is_loaded(local, key):
                    results.append(check_answer(local, exercise, query, key))
                    continue
                if grading is None:
                    grading = connect(grading_connection())
                ensure_loaded(grading, key)
                results.append(check_answer(grading, exercise, query, key))
        finally:
            if grading is not None:
                grading.close()
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

