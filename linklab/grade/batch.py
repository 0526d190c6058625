"""Grading a class: a folder per trainee with one .cypher file per exercise.

    SUBMISSIONS/
      alice/hub-messages.cypher      (or 03-hub-messages.cypher)
      bob/...

Every (trainee, exercise) needs its scenarios (engine.scenarios_for). Jobs are grouped by scenario so
each is loaded once, and every finished check is appended to OUT/checks.jsonl at once: after a crash,
the next run skips what is there.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import neo4j

from ..errors import LinklabError
from ..exercises.catalogue import Exercise, catalogue
from .engine import CaseKey, CheckResult, ExerciseVerdict, ScenarioKey, check_answer, ensure_loaded, scenarios_for, summarise
from .hidden import ensure_prepared, worlds_for


@dataclass(frozen=True)
class Job:
    trainee: str
    exercise: str
    key: ScenarioKey | CaseKey

    @property
    def ident(self) -> str:
        return f"{self.trainee}\t{self.exercise}\t{self.key!r}"


def read_submissions(folder: Path, exercises: tuple[Exercise, ...], single: str | None = None
                     ) -> dict[str, dict[str, str]]:
    """trainee -> exercise id -> query text. With `single`, FOLDER holds one trainee's files."""
    if not folder.is_dir():
        raise LinklabError(f"{folder} is not a folder of submissions (one sub-folder per trainee)")
    by_name = {e.id: e.id for e in exercises} | {f"{e.number:02d}-{e.id}": e.id for e in exercises}
    trainees = {single: folder} if single else {p.name: p for p in sorted(folder.iterdir())
                                                  if p.is_dir() and not p.name.startswith(".")}
    if not trainees:
        raise LinklabError(f"{folder} has no trainee folders")
    submissions: dict[str, dict[str, str]] = {}
    for trainee, path in trainees.items():
        answers = {}
        for file in sorted(path.glob("*.cypher")):
            if file.stem in by_name:
                try:
                    answers[by_name[file.stem]] = file.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    answers[by_name[file.stem]] = ""  # graded as an empty answer: refused with a reason
        submissions[trainee] = answers
    return submissions


def read_hints(folder: Path, trainees: list[str], single: str | None = None) -> dict[str, dict[str, int]]:
    """Hints used, from the progress.json a trainee hands in with the answers (optional; copied from
    .linklab/progress/TRAINEE@COURSE.json)."""
    hints = {}
    for trainee in trainees:
        path = (folder if single else folder / trainee) / "progress.json"
        try:
            entries = json.loads(path.read_text(encoding="utf-8")).get("exercises", {})
            hints[trainee] = {ex: int(e.get("hints", 0)) for ex, e in entries.items() if e.get("hints")}
        except (OSError, ValueError, AttributeError, TypeError):
            hints[trainee] = {}
    return hints


def plan(submissions: dict[str, dict[str, str]], exercises: tuple[Exercise, ...], course: str,
         case: str | None = None) -> list[Job]:
    jobs = []
    for trainee, answers in submissions.items():
        for exercise in exercises:
            if exercise.id in answers:
                jobs.extend(Job(trainee, exercise.id, key)
                            for key in scenarios_for(exercise, course, trainee, case=case))
    return sorted(jobs, key=lambda j: (isinstance(j.key, CaseKey), j.key, j.trainee, j.exercise))


def done_checks(log: Path) -> dict[str, CheckResult]:
    done = {}
    if log.exists():
        for line in log.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash: that check runs again
            job = row.pop("job")
            done[job] = CheckResult(**row)
    return done


@dataclass
class ClassResults:
    course: str
    verdicts: dict[str, list[ExerciseVerdict]]  # trainee -> verdict per catalogue exercise
    seconds: float
    reseed_seconds: float
    checks_run: int
    hints: dict[str, dict[str, int]] = field(default_factory=dict)


def grade_class(driver: neo4j.Driver, submissions: dict[str, dict[str, str]], course: str, out: Path,
                progress: Callable[[int], None] | None = None, exercises: tuple[Exercise, ...] | None = None,
                case: str | None = None) -> ClassResults:
    """Grade every submission on its scenarios: `exercises` defaults to those on generated scenarios;
    pass the case catalogue and `case` to grade the exercises on an imported case network."""
    exercises = exercises or catalogue()
    by_id = {e.id: e for e in exercises}
    out.mkdir(parents=True, exist_ok=True)
    log = out / "checks.jsonl"
    done = done_checks(log)
    ensure_prepared(driver, course, worlds_for(exercises, course, list(submissions), case))
    jobs = plan(submissions, exercises, course, case)
    todo = [j for j in jobs if j.ident not in done]
    if progress:
        progress(len(jobs) - len(todo))
    began, reseed, ran = time.perf_counter(), 0.0, 0
    with log.open("a", encoding="utf-8") as handle:
        current = None
        for job in todo:
            if job.key != current:
                t = time.perf_counter()
                ensure_loaded(driver, job.key)
                reseed += time.perf_counter() - t
                current = job.key
            result = check_answer(driver, by_id[job.exercise], submissions[job.trainee][job.exercise], job.key)
            handle.write(json.dumps({"job": job.ident, **asdict(result)}) + "\n")
            handle.flush()
            done[job.ident] = result
            ran += 1
            if progress:
                progress(1)
    verdicts = {}
    for trainee, answers in submissions.items():
        verdicts[trainee] = []
        for exercise in exercises:
            if exercise.id not in answers:
                verdicts[trainee].append(ExerciseVerdict(exercise.id, False, 0, exercise.points,
                                                         "no answer submitted"))
                continue
            checks = [done[Job(trainee, exercise.id, key).ident]
                      for key in scenarios_for(exercise, course, trainee, case=case)]
            verdicts[trainee].append(summarise(exercise, checks))
    return ClassResults(course, verdicts, time.perf_counter() - began, reseed, ran)
