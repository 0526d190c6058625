"""Grading a class: a folder per trainee with one .cypher file per exercise.

    SUBMISSIONS/
      alice/hub-messages.cypher      (or 03-hub-messages.cypher)
      bob/...

Every (trainee, exercise) needs its scenarios (engine.scenarios_for); in a class session (`shared`) they
are the course's scenarios, so a whole class needs a handful. Jobs are grouped by scenario, and the
grading servers of a pool take whole groups, one worker thread each, so that each scenario is loaded
once, on one server. Every finished check is appended to OUT/checks.jsonl at once:
after a crash, the next run skips what is there. A record counts only for the same answer text (its
sha256), the same exercise version and the same linklab version, so a changed answer is graded again.
One grading run writes to a results folder at a time (a lock file); another one waits, then skips what
the first did.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

import neo4j

from .. import __version__, feedback as words
from ..errors import LinklabError
from ..exercises.catalogue import Exercise, catalogue
from .engine import (Budget, CaseKey, CheckResult, ExerciseVerdict, ScenarioKey, check_answer, ensure_loaded,
                     run_batch, scenarios_for, skipped, summarise, text_refusal)
from .guard import Limits
from .diagnosis import record_load
from .scenarios import worlds_for
from .worlds import ensure_prepared


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


def answer_scenarios(submissions: dict[str, dict[str, str]], exercises: tuple[Exercise, ...], course: str,
                     case: str | None = None, shared: bool = False) -> dict[tuple[str, str], list]:
    """Each submitted (trainee, exercise)'s scenarios, in order. In a class session, and on a case network,
    they are the same for every trainee: asked once per exercise (scenarios_for reads the course's stored
    choice of hidden scenarios, a few milliseconds each time)."""
    found: dict[tuple[str, str], list] = {}
    common: dict[str, list] = {}
    for trainee, answers in submissions.items():
        for exercise in exercises:
            if exercise.id not in answers:
                continue
            if shared or exercise.on_case:
                if exercise.id not in common:
                    common[exercise.id] = scenarios_for(exercise, course, trainee, case=case, shared=shared)
                found[(trainee, exercise.id)] = common[exercise.id]
            else:
                found[(trainee, exercise.id)] = scenarios_for(exercise, course, trainee, case=case)
    return found


def plan(submissions: dict[str, dict[str, str]], exercises: tuple[Exercise, ...], course: str,
         case: str | None = None, shared: bool = False, scenarios: dict | None = None) -> list[Job]:
    """One job per answer and scenario, grouped by scenario. `scenarios`: answer_scenarios(...), if known."""
    scenarios = scenarios if scenarios is not None else answer_scenarios(submissions, exercises, course, case, shared)
    versions = {e.id: e.version for e in exercises}  # reads the exercise's files
    jobs = [Job(trainee, exercise, key, answer_digest(submissions[trainee][exercise]), versions[exercise])
            for (trainee, exercise), keys in scenarios.items() for key in keys]
    return sorted(jobs, key=lambda j: (scenario_order(j.key), j.trainee, j.exercise))


def scenario_order(key: ScenarioKey | CaseKey) -> tuple:
    """Generated scenarios before case networks (the two kinds of key do not compare)."""
    return isinstance(key, CaseKey), key


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


STOPPED = ("refused", "skipped")  # after such a check an answer's other scenarios are not run


@dataclass
class ClassResults:
    course: str
    verdicts: dict[str, list[ExerciseVerdict]]  # trainee -> verdict per catalogue exercise
    seconds: float
    reseed_seconds: float  # loading scenarios, summed over the grading servers
    checks_run: int
    hints: dict[str, dict[str, int]] = field(default_factory=dict)
    loads: dict[int, list] = field(default_factory=dict)  # server (index in the pool) -> the scenarios it loaded
    server_seconds: list[float] = field(default_factory=list)  # each grading server's working time


def scenario_groups(jobs: list[Job]) -> list[list[Job]]:
    """The jobs by scenario, the largest group first (ties in scenario order), so that the longest work
    starts first and what is left at the end is small."""
    groups: dict = {}
    for job in jobs:
        groups.setdefault(job.key, []).append(job)
    return [groups[key] for key in sorted(groups, key=lambda k: (-len(groups[k]), scenario_order(k)))]


def within_budget(exercise: Exercise, keys: list, checks: list[CheckResult], limits: Limits) -> list[CheckResult]:
    """One answer's checks as a serial run in scenario order gives them (engine.check_on_scenarios),
    whichever server ran which check first: the time limit is for all the answer's scenarios together,
    so a check is refused for time once the running times so far exceed it, and after a refusal the
    remaining scenarios are skipped."""
    kept: list[CheckResult] = []
    spent = 0.0
    for key, check in zip(keys, checks):
        if kept and kept[-1].status in STOPPED:
            kept.append(skipped(exercise, key))
            continue
        spent += check.seconds
        if spent > limits.timeout_s and check.limit != "time":  # a serial run's deadline came first
            left = max(0.0, check.seconds - (spent - limits.timeout_s))
            check = CheckResult(exercise.id, str(key), "refused", limits.time_message(), left, "time")
        kept.append(check)
    return kept


class ClassRun:
    """What the workers (one per grading server) share: the scenario groups still to grade, which a worker
    takes whole, one after the other, so a scenario is loaded on one server only and a faster server (or
    one with cheaper scenarios) takes more groups; the finished checks, read and written under one lock
    that also keeps each checks.jsonl line whole; and a flag that stops them all when one fails."""

    def __init__(self, submissions: dict[str, dict[str, str]], by_id: dict[str, Exercise],
                 scenarios: dict[tuple[str, str], list], done: dict[str, CheckResult], handle,
                 progress: Callable[[int], None] | None, notify: Callable[[str], None] | None, limits: Limits):
        self.submissions, self.by_id, self.scenarios, self.done = submissions, by_id, scenarios, done
        self.handle, self.progress, self.notify, self.limits = handle, progress, notify, limits
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.groups: list[list[Job]] = []
        self.ran, self.reseed = 0, 0.0
        self.loads: dict[int, list] = {}

    def on_pool(self, pool: list[neo4j.Driver], groups: list[list[Job]]) -> list[float]:
        """Grade `groups` on the pool, a worker thread per server; the seconds each worked."""
        self.groups = list(groups)
        with ThreadPoolExecutor(max_workers=len(pool), thread_name_prefix="grading") as workers:
            futures = [workers.submit(self.work, server, driver) for server, driver in enumerate(pool)]
            try:
                return [future.result() for future in futures]
            finally:
                self.stop.set()  # on an error or Ctrl-C the others stop after their current check

    def next_group(self) -> list[Job]:
        with self.lock:
            return self.groups.pop(0) if self.groups and not self.stop.is_set() else []

    def work(self, server: int, driver: neo4j.Driver) -> float:
        began = time.perf_counter()
        try:
            while group := self.next_group():
                loaded = False
                for job in group:
                    if self.stop.is_set():
                        break
                    result, ran = self.without_running(job), False
                    if result is None:
                        if not loaded:  # one load per group, and none for a group that needs no run
                            self.load(server, driver, job.key)
                            loaded = True
                        result, ran = self.run(driver, job), True
                    self.record(job, result, ran)
        except BaseException:
            self.stop.set()
            raise
        return time.perf_counter() - began

    def answer(self, job: Job) -> tuple[Exercise, str]:
        return self.by_id[job.exercise], self.submissions[job.trainee][job.exercise]

    def earlier(self, job: Job) -> list[CheckResult]:
        """The answer's finished checks on the scenarios before this one (some may not be finished yet)."""
        keys = self.scenarios[(job.trainee, job.exercise)]
        with self.lock:
            found = [self.done.get(replace(job, key=key).ident) for key in keys[:keys.index(job.key)]]
        return [check for check in found if check is not None]

    def without_running(self, job: Job) -> CheckResult | None:
        """The result when the answer need not run here: refused before (a runaway answer costs one limit,
        not three; within_budget would skip this check anyway), or refused for its text alone."""
        exercise, answer = self.answer(job)
        before = self.earlier(job)
        if any(c.status in STOPPED for c in before) or sum(c.seconds for c in before) > self.limits.timeout_s:
            return skipped(exercise, job.key)
        refusal = text_refusal(exercise, answer, [job.key], self.limits)
        return refusal[0] if refusal else None

    def run(self, driver: neo4j.Driver, job: Job) -> CheckResult:
        """The check, with what the answer's finished earlier scenarios spent already taken off its time:
        as tight as a serial run's deadline when they are all done, never tighter (within_budget settles it)."""
        exercise, answer = self.answer(job)
        budget = Budget(self.limits.timeout_s, spent=sum(c.seconds for c in self.earlier(job)))
        result = check_answer(driver, exercise, answer, job.key, self.limits, budget=budget, on_wait=self.notify)
        if result.status == "failed":  # the known mistakes' rows on this load, to compare with (diagnosis)
            record_load(driver, exercise, job.key, result.load, result.digest)
        return result

    def load(self, server: int, driver: neo4j.Driver, key: ScenarioKey | CaseKey) -> None:
        began = time.perf_counter()
        loaded_now = ensure_loaded(driver, key, on_wait=self.notify)
        with self.lock:
            self.reseed += time.perf_counter() - began
            if loaded_now:
                self.loads.setdefault(server, []).append(key)

    def record(self, job: Job, result: CheckResult, ran: bool) -> None:
        with self.lock:
            append_record(self.handle, job, result)
            self.done[job.ident] = result
            self.ran += ran
            if self.progress:
                self.progress(1)


def grade_class(drivers: neo4j.Driver | list[neo4j.Driver], submissions: dict[str, dict[str, str]], course: str,
                out: Path, progress: Callable[[int], None] | None = None,
                exercises: tuple[Exercise, ...] | None = None, case: str | None = None,
                notify: Callable[[str], None] | None = None, shared: bool = False) -> ClassResults:
    """Grade every submission on its scenarios: `exercises` defaults to those on generated scenarios;
    pass the case catalogue and `case` to grade the exercises on an imported case network; `shared` for a
    class session (every trainee explored the course's scenarios).

    `drivers` is one grading server or a pool of them: a worker thread per server takes the scenario
    groups one by one (ClassRun), so each scenario's checks all run on the server that loaded it.

    The verdicts do not depend on which server ran what first. Each (trainee, exercise) has one time
    limit for all its scenarios together, applied when the verdict is assembled, in scenario order
    (within_budget): a check is refused for time once the answer's running times so far exceed the limit,
    and after a refusal the remaining scenarios count as skipped. While grading, a check starts with the
    time its answer's finished earlier scenarios spent already used up, and is not run at all after an
    earlier refusal; a check whose earlier scenarios are still running elsewhere gets the whole limit
    (a runaway answer may then cost one limit on each server at once, but its verdict is the serial one)."""
    pool = [drivers] if isinstance(drivers, neo4j.Driver) else list(drivers)
    if not pool:
        raise LinklabError("no grading server to grade on")
    exercises = exercises or catalogue()
    by_id = {e.id: e for e in exercises}
    ensure_prepared(pool[0], course, worlds_for(exercises, course, list(submissions), case, shared))
    limits, began = Limits(), time.perf_counter()
    scenarios = answer_scenarios(submissions, exercises, course, case, shared)
    with results_folder(out, notify):
        log = out / "checks.jsonl"
        done = done_checks(log)
        jobs = plan(submissions, exercises, course, case, shared, scenarios)
        todo = [j for j in jobs if j.ident not in done]
        if progress:
            progress(len(jobs) - len(todo))
        with open_log(log) as handle:
            run = ClassRun(submissions, by_id, scenarios, done, handle, progress, notify, limits)
            server_seconds = run.on_pool(pool, scenario_groups(todo))
    recorded = {(job.trainee, job.exercise, job.key): done[job.ident] for job in jobs}

    def mistakes_on(exercise: Exercise):  # where a known mistake's rows are not stored yet: run it (diagnosis)
        return lambda key, specs: run_batch(pool[0], exercise, [s.query for s in specs], key)

    verdicts = {trainee: [verdict(e, trainee, answers, scenarios, recorded, limits, mistakes_on(e)) for e in exercises]
                for trainee, answers in submissions.items()}
    return ClassResults(course, verdicts, time.perf_counter() - began, run.reseed, run.ran,
                        loads=run.loads, server_seconds=server_seconds)


def verdict(exercise: Exercise, trainee: str, answers: dict[str, str], scenarios: dict[tuple[str, str], list],
            recorded: dict[tuple, CheckResult], limits: Limits, run=None) -> ExerciseVerdict:
    """`recorded`: this run's checks by (trainee, exercise id, scenario key); `run`: how to run known
    mistakes on a world where their rows are not stored (grade.diagnosis)."""
    if exercise.id not in answers:
        return ExerciseVerdict(exercise.id, False, 0, exercise.points, words.NOT_SUBMITTED)
    keys = scenarios[(trainee, exercise.id)]
    checks = [recorded[(trainee, exercise.id, key)] for key in keys]
    return summarise(exercise, within_budget(exercise, keys, checks, limits), keys, answers[exercise.id], run)
