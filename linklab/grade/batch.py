"""Grading a class: a folder per trainee with one .cypher file per exercise.

    SUBMISSIONS/
      alice/hub-messages.cypher      (or 03-hub-messages.cypher)
      bob/...

Every (trainee, exercise) needs its scenarios (engine.scenarios_for). Jobs are grouped by scenario so
each is loaded once, and every finished check is appended to OUT/checks.jsonl at once: after a crash,
the next run skips what is there. A record counts only for the same answer text (its sha256), the same
exercise version and the same linklab version, so a changed answer is graded again. One grading run
writes to a results folder at a time (a lock file); another one waits, then skips what the first did.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import neo4j

from .. import __version__, feedback as words
from ..errors import LinklabError
from ..exercises.catalogue import Exercise, catalogue
from .engine import (Budget, CaseKey, CheckResult, ExerciseVerdict, ScenarioKey, check_answer, ensure_loaded,
                     scenarios_for, skipped, summarise, text_refusal)
from .guard import Limits
from .hidden import ensure_prepared, worlds_for


def answer_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Job:
    trainee: str
    exercise: str
    key: ScenarioKey | CaseKey
    answer_sha256: str = ""
    exercise_version: str = ""

    @property
    def ident(self) -> str:
        """What a finished check is recorded under: a change to any part means grading it again."""
        return (f"{self.trainee}\t{self.exercise}\t{self.key!r}\t{self.answer_sha256}\t{self.exercise_version}"
                f"\t{__version__}")


@dataclass
class Submissions:
    answers: dict[str, dict[str, str]]  # trainee -> exercise id -> query text
    warnings: list[str] = field(default_factory=list)  # files that look like answers but are not read


ANSWER_SUFFIXES = (".cypher", ".cql", ".txt", ".cyp")


def read_submissions(folder: Path, exercises: tuple[Exercise, ...], single: str | None = None) -> Submissions:
    """Every trainee's answers. With `single`, FOLDER holds one trainee's files. A file whose name is
    close to an exercise's but not it (a typo, other capitals, .txt) is not graded, and a warning names
    the id it should have."""
    if not folder.is_dir():
        raise LinklabError(f"{folder} is not a folder of submissions (one sub-folder per trainee)")
    by_name = {e.id: e.id for e in exercises} | {f"{e.number:02d}-{e.id}": e.id for e in exercises}
    trainees = {single: folder} if single else {p.name: p for p in sorted(folder.iterdir())
                                                  if p.is_dir() and not p.name.startswith(".")}
    if not trainees:
        raise LinklabError(f"{folder} has no trainee folders")
    found = Submissions({})
    for trainee, path in trainees.items():
        answers = {}
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            if file.suffix == ".cypher" and file.stem in by_name:
                try:
                    answers[by_name[file.stem]] = file.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    answers[by_name[file.stem]] = ""  # graded as an empty answer: refused with a reason
            elif file.suffix.lower() in ANSWER_SUFFIXES:
                guess = closest_id(file.stem, by_name)
                if guess:
                    found.warnings.append(f"{file}: not graded; name it {guess}.cypher to grade it as "
                                          f"exercise {guess}")
        found.answers[trainee] = answers
    return found


def closest_id(stem: str, by_name: dict[str, str]) -> str | None:
    """The exercise id a misnamed file most likely means (other capitals, a typo, a missing number)."""
    lowered = {name.lower(): ex for name, ex in by_name.items()}
    if stem.lower() in lowered:
        return lowered[stem.lower()]
    close = difflib.get_close_matches(stem.lower(), list(lowered), n=1, cutoff=0.8)
    return lowered[close[0]] if close else None


def read_hints(folder: Path, trainees: list[str], single: str | None = None) -> dict[str, dict[str, int]]:
    """Hints used, from the progress.json a trainee hands in with the answers (optional; copied from
    `linklab progress --export`)."""
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
                digest, version = answer_digest(answers[exercise.id]), exercise.version
                jobs.extend(Job(trainee, exercise.id, key, digest, version)
                            for key in scenarios_for(exercise, course, trainee, case=case))
    return sorted(jobs, key=lambda j: (isinstance(j.key, CaseKey), j.key, j.trainee, j.exercise))


RECORD_FIELDS = {"job", "answer_sha256", "exercise_version", "linklab_version"}


def done_checks(log: Path) -> dict[str, CheckResult]:
    done = {}
    if log.exists():
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
                job = row["job"]
                done[job] = CheckResult(**{k: v for k, v in row.items() if k not in RECORD_FIELDS})
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a line cut short by a crash, or from an older linklab: that check runs again
    return done


@contextmanager
def results_folder(out: Path, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """One grading run at a time writes to `out` (an flock that dies with its process)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".grading.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if notify:
                notify(f"waiting for another grading run that writes to {out}...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def open_log(log: Path):
    """The log, for appending; a line that a crash cut short is ended first, so it is never glued to the
    next record (it is skipped when read)."""
    handle = log.open("a+b")
    if handle.seek(0, 2):
        handle.seek(-1, 2)
        if handle.read(1) != b"\n":
            handle.write(b"\n")
    return handle


def append_record(handle, job: Job, result: CheckResult) -> None:
    """One line per finished check, flushed at once."""
    record = {"job": job.ident, "answer_sha256": job.answer_sha256, "exercise_version": job.exercise_version,
              "linklab_version": __version__, **asdict(result)}
    handle.write((json.dumps(record) + "\n").encode("utf-8"))
    handle.flush()


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
                case: str | None = None, notify: Callable[[str], None] | None = None) -> ClassResults:
    """Grade every submission on its scenarios: `exercises` defaults to those on generated scenarios;
    pass the case catalogue and `case` to grade the exercises on an imported case network."""
    exercises = exercises or catalogue()
    by_id = {e.id: e for e in exercises}
    ensure_prepared(driver, course, worlds_for(exercises, course, list(submissions), case))
    began, reseed, ran = time.perf_counter(), 0.0, 0
    with results_folder(out, notify):
        log = out / "checks.jsonl"
        done = done_checks(log)
        jobs = plan(submissions, exercises, course, case)
        todo = [j for j in jobs if j.ident not in done]
        if progress:
            progress(len(jobs) - len(todo))
        budgets: dict[tuple[str, str], Budget] = {}
        stopped: set[tuple[str, str]] = {(j.trainee, j.exercise) for j in jobs
                                         if j.ident in done and done[j.ident].status in ("refused", "skipped")}
        with open_log(log) as handle:
            current = None
            for job in todo:
                exercise, answer = by_id[job.exercise], submissions[job.trainee][job.exercise]
                pair = (job.trainee, job.exercise)
                if pair in stopped:  # refused once: a runaway answer costs one limit, not three
                    result = skipped(exercise, job.key)
                elif (refusal := text_refusal(exercise, answer, [job.key])) is not None:
                    result = refusal[0]
                else:
                    if job.key != current:
                        t = time.perf_counter()
                        ensure_loaded(driver, job.key, on_wait=notify)
                        reseed += time.perf_counter() - t
                        current = job.key
                    budget = budgets.setdefault(pair, Budget(Limits().timeout_s))
                    result = check_answer(driver, exercise, answer, job.key, budget=budget, on_wait=notify)
                    ran += 1
                if result.status in ("refused", "skipped"):
                    stopped.add(pair)
                append_record(handle, job, result)
                done[job.ident] = result
                if progress:
                    progress(1)
    verdicts = {}
    for trainee, answers in submissions.items():
        verdicts[trainee] = []
        for exercise in exercises:
            if exercise.id not in answers:
                verdicts[trainee].append(ExerciseVerdict(exercise.id, False, 0, exercise.points,
                                                         words.NOT_SUBMITTED))
                continue
            digest, version = answer_digest(answers[exercise.id]), exercise.version
            checks = [done[Job(trainee, exercise.id, key, digest, version).ident]
                      for key in scenarios_for(exercise, course, trainee, case=case)]
            verdicts[trainee].append(summarise(exercise, checks))
    return ClassResults(course, verdicts, time.perf_counter() - began, reseed, ran)
