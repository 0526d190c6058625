"""Grading a class: a folder per trainee with one .cypher file per exercise (read by grade.submissions).

Every (trainee, exercise) needs its scenarios (grade.scenarios.scenarios_for); in a class session (`shared`) they
are the course's scenarios, so a whole class needs a handful. Jobs are grouped by scenario, and the
grading servers of a pool take whole groups, one worker thread each, so that each scenario is loaded
once, on one server. Every finished check is appended to OUT/checks.jsonl at once (grade.records): after
a crash, the next run skips what is there. A record counts only for the same answer text, exercise and
grader, so a changed answer, exercise or grader is graded again; `regrade` grades recorded checks again,
and the newest record wins. One grading run writes to a results folder at a time (a lock file); another
one waits, then skips what the first did.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import neo4j

from .. import feedback as words
from ..errors import LinklabError
from ..exercises.catalogue import Exercise, catalogue
from . import health
from .diagnosis import record_load
from .expected import world_key
from .engine import (Budget, CaseKey, CheckResult, ExerciseVerdict, ScenarioKey, check_answer, missing, patience,
                     run_batch, skipped, summarise, text_refusal)
from .loading import ensure_loaded
from .scenarios import scenarios_for
from .guard import Limits
from .records import (Job, Log, answer_digest, done_checks, exercise_version, grader_digest, out_of_date,  # noqa: F401
                      read_records, results_folder)
from .scenarios import worlds_for
from .status import Status
from .worlds import ensure_prepared

PATIENCE_S = 120.0  # how long grading waits for a lost grading server before it stops (and says so)


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
    versions = {e.id: exercise_version(e) for e in exercises}  # reads the exercise's files
    grader = grader_digest()
    jobs = [Job(trainee, exercise, key, answer_digest(submissions[trainee][exercise]), versions[exercise], grader)
            for (trainee, exercise), keys in scenarios.items() for key in keys]
    return sorted(jobs, key=lambda j: (scenario_order(j.key), j.trainee, j.exercise))


def scenario_order(key: ScenarioKey | CaseKey) -> tuple:
    """Generated scenarios before case networks (the two kinds of key do not compare)."""
    return isinstance(key, CaseKey), key


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
    out_of_date: dict[str, int] = field(default_factory=dict)  # checks graded again since X changed: how many
    regraded: int = 0  # checks graded again because a re-grade asked for them


def scenario_groups(jobs: list[Job]) -> list[list[Job]]:
    """The jobs by world loaded (a class world's checks about different organisations are one group: one
    load, on one server), the largest group first (ties in scenario order), so that the longest work starts
    first and what is left at the end is small."""
    groups: dict = {}
    for job in jobs:
        groups.setdefault(world_key(job.key) if isinstance(job.key, ScenarioKey) else job.key, []).append(job)
    return [groups[key] for key in sorted(groups, key=lambda k: (-len(groups[k]), scenario_order(k)))]


def within_budget(exercise: Exercise, keys: list, checks: list[CheckResult], limits: Limits) -> list[CheckResult]:
    """One answer's checks as a serial run in scenario order gives them (engine.check_on_scenarios),
    whichever server ran which check first: the time limit is for all the answer's scenarios together,
    so a check is refused for time once the running times so far exceed it, and after a refusal the
    remaining scenarios are skipped."""
    kept: list[CheckResult] = []
    spent = 0.0
    for key, check in zip(keys, checks):
        if kept and kept[-1].status.stops:
            kept.append(skipped(exercise, key))
            continue
        spent += check.seconds
        if spent > limits.timeout_s and check.limit != "time":  # a serial run's deadline came first
            left = max(0.0, check.seconds - (spent - limits.timeout_s))
            check = CheckResult(exercise.id, str(key), Status.REFUSED, limits.time_message(), left, "time")
        kept.append(check)
    return kept


class ClassRun:
    """What the workers (one per grading server) share: the scenario groups still to grade, which a worker
    takes whole, one after the other, so a scenario is loaded on one server only and a faster server (or
    one with cheaper scenarios) takes more groups; the finished checks, read and written under one lock
    that also keeps each checks.jsonl line whole; and a flag that stops them all when one fails."""

    def __init__(self, submissions: dict[str, dict[str, str]], by_id: dict[str, Exercise],
                 scenarios: dict[tuple[str, str], list], done: dict[str, CheckResult], log: Log,
                 progress: Callable[[int], None] | None, notify: Callable[[str], None] | None, limits: Limits,
                 why: dict[str, str] | None = None):
        self.submissions, self.by_id, self.scenarios, self.done = submissions, by_id, scenarios, done
        self.log, self.progress, self.notify, self.limits = log, progress, notify, limits
        self.why = why or {}  # job ident -> why it runs (new, regrade, changed), as recorded
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.groups: list[list[Job]] = []
        self.ran, self.reseed, self.recorded = 0, 0.0, 0
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
        if any(c.status.stops for c in before) or sum(c.seconds for c in before) > self.limits.timeout_s:
            return skipped(exercise, job.key)
        refusal = text_refusal(exercise, answer, [job.key], self.limits)
        return refusal[0] if refusal else None

    def run(self, driver: neo4j.Driver, job: Job) -> CheckResult:
        """The check, with what the answer's finished earlier scenarios spent already taken off its time:
        as tight as a serial run's deadline when they are all done, never tighter (within_budget settles it)."""
        exercise, answer = self.answer(job)
        budget = Budget(self.limits.timeout_s, spent=sum(c.seconds for c in self.earlier(job)))
        result = check_answer(driver, exercise, answer, job.key, self.limits, budget=budget, on_wait=self.notify,
                              patience_s=patience(PATIENCE_S))
        if result.status is Status.FAILED:  # the known mistakes' rows on this load, to compare with (diagnosis)
            record_load(driver, exercise, job.key, result.load, result.digest)
        return result

    def load(self, server: int, driver: neo4j.Driver, key: ScenarioKey | CaseKey) -> None:
        began = time.perf_counter()
        try:
            loaded_now = ensure_loaded(driver, key, on_wait=self.notify)
        except health.CONNECTION_LOST:
            raise ServerLost(health.server_name(driver)) from None
        with self.lock:
            self.reseed += time.perf_counter() - began
            if loaded_now:
                self.loads.setdefault(server, []).append(key)

    def record(self, job: Job, result: CheckResult, ran: bool) -> None:
        """Append the check to checks.jsonl; a not-graded one (its server stayed lost) stops the run."""
        with self.lock:
            try:
                self.log.append(job, result, self.why.get(job.ident))
            except OSError as exc:
                raise LinklabError(f"cannot write to {self.log.path}: {exc.strerror}; the {self.recorded} check(s) "
                                   "recorded before are kept and the results files were not written: free some "
                                   "space, then run the same `linklab grade` again to finish") from None
            if result.status is Status.NOT_GRADED:
                raise ServerLost(job.key)
            self.done[job.ident] = result
            self.ran += ran
            self.recorded += 1
            if self.progress:
                self.progress(1)


class ServerLost(Exception):
    """A grading server stopped answering for longer than the grading waits: the run stops."""


def regrade_filter(trainee: str | None = None, exercise: str | None = None) -> Callable[[Job], bool]:
    """Which recorded checks `grade --regrade` grades again: all, a trainee's, an exercise's, or both."""
    return lambda job: trainee in (None, job.trainee) and exercise in (None, job.exercise)


def grade_class(drivers: neo4j.Driver | list[neo4j.Driver], submissions: dict[str, dict[str, str]], course: str,
                out: Path, progress: Callable[[int], None] | None = None,
                exercises: tuple[Exercise, ...] | None = None, case: str | None = None,
                notify: Callable[[str], None] | None = None, shared: bool = False,
                regrade: Callable[[Job], bool] | None = None,
                unreadable: dict[str, dict[str, tuple[str, str]]] | None = None) -> ClassResults:
    """Grade every submission on its scenarios: `exercises` defaults to those on generated scenarios;
    pass the case catalogue and `case` to grade the exercises on an imported case network; `shared` for a
    class session (every trainee explored the course's scenarios). `regrade` picks recorded checks to grade
    again (their earlier records stay in checks.jsonl; the newest wins). `unreadable`: trainee -> exercise ->
    (why, file name) of a file that was not read (grade.submissions): refused, with that reason.

    `drivers` is one grading server or a pool of them: a worker thread per server takes the scenario
    groups one by one (ClassRun), so each scenario's checks all run on the server that loaded it.

    The verdicts do not depend on which server ran what first. Each (trainee, exercise) has one time
    limit for all its scenarios together, applied when the verdict is assembled, in scenario order
    (within_budget): a check is refused for time once the answer's running times so far exceed the limit,
    and after a refusal the remaining scenarios count as skipped. While grading, a check starts with the
    time its answer's finished earlier scenarios spent already used up, and is not run at all after an
    earlier refusal; a check whose earlier scenarios are still running elsewhere gets the whole limit
    (a runaway answer may then cost one limit on each server at once, but its verdict is the serial one).

    A grading server that stays lost (engine.run_fairly waits PATIENCE_S for it) stops the run with one
    line that says what is recorded and what to run: nothing is graded as failed for it."""
    pool = [drivers] if isinstance(drivers, neo4j.Driver) else list(drivers)
    if not pool:
        raise LinklabError("no grading server to grade on")
    exercises = exercises or catalogue()
    by_id = {e.id: e for e in exercises}
    unreadable = unreadable or {}
    ensure_prepared(pool[0], course, worlds_for(exercises, course, list(submissions), case, shared))
    limits, began = Limits(), time.perf_counter()
    scenarios = answer_scenarios(submissions, exercises, course, case, shared)
    with results_folder(out, notify):
        log = out / "checks.jsonl"
        records = read_records(log)
        done = done_checks(records)
        jobs = plan(submissions, exercises, course, case, shared, scenarios)
        asked = [j for j in jobs if j.ident in done and regrade and regrade(j)]
        for job in asked:
            del done[job.ident]  # graded again: its record stays in the file, the new one wins
        todo = [j for j in jobs if j.ident not in done]
        again = {j.ident for j in asked}
        changed = out_of_date([j for j in todo if j.ident not in again], records)
        why = {j.ident: "regrade" for j in asked}
        if progress:
            progress(len(jobs) - len(todo))
        with Log(log) as handle:
            run = ClassRun(submissions, by_id, scenarios, done, handle, progress, notify, limits, why)
            try:
                server_seconds = run.on_pool(pool, scenario_groups(todo))
            except (ServerLost, *health.CONNECTION_LOST):
                raise LinklabError(f"a grading server stopped answering during grading: {run.recorded} of "
                                   f"{len(todo)} check(s) are recorded in {log}, and the results files were not "
                                   "written (the last ones are kept); when it answers again, run the same "
                                   "`linklab grade` to finish (what is recorded is not graded again)") from None
    recorded = {(job.trainee, job.exercise, job.key): done[job.ident] for job in jobs}

    def mistakes_on(exercise: Exercise):  # where a known mistake's outcome is not stored yet: run it (diagnosis)
        return lambda key, specs: run_batch(pool[0], exercise, [s.query for s in specs], key)

    verdicts = {trainee: [verdict(e, trainee, answers, scenarios, recorded, limits, unreadable.get(trainee, {}),
                                  mistakes_on(e))
                          for e in exercises]
                for trainee, answers in submissions.items()}
    return ClassResults(course, verdicts, time.perf_counter() - began, run.reseed, run.ran,
                        loads=run.loads, server_seconds=server_seconds, out_of_date=changed, regraded=len(asked))


def verdict(exercise: Exercise, trainee: str, answers: dict[str, str], scenarios: dict[tuple[str, str], list],
            recorded: dict[tuple, CheckResult], limits: Limits, unreadable: dict[str, tuple[str, str]] | None = None,
            run=None) -> ExerciseVerdict:
    """`recorded`: this run's checks by (trainee, exercise id, scenario key); `unreadable`: exercise -> (why,
    file name) of the trainee's file for it that was not read; `run`: how to run known mistakes on a world
    where their outcome is not stored (grade.diagnosis)."""
    if unreadable and exercise.id in unreadable:
        why, name = unreadable[exercise.id]
        what = words.UNREADABLE_WHAT[why]
        return ExerciseVerdict(exercise.id, False, 0, exercise.points, words.NOT_A_FILE.format(name=name, what=what),
                               status=Status.REFUSED, mistake=f"the file was not read: {what}")
    if exercise.id not in answers:
        return missing(exercise)
    keys = scenarios[(trainee, exercise.id)]
    checks = [recorded[(trainee, exercise.id, key)] for key in keys]
    return summarise(exercise, within_budget(exercise, keys, checks, limits), keys, answers[exercise.id], run)
