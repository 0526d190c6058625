"""Grading one answer: it runs on every world of its set (grade.scenarios: the trainee's own, then the
course's hidden ones), each run judged by the shared step (grade.evaluate), and the verdict says in plain
words what is wrong without giving the answer away (linklab.feedback):

- a known mistake is named only when the answer's rows equal that mistake's rows on every world checked
  (grade.diagnosis);
- "hard-coded" is said only when the answer writes out values that are in the trainee's own world's data;
- nothing said of a hidden world carries one of its numbers or values.

`linklab check`, the lab, the class server and `linklab grade` all come here, so they agree.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterator

import neo4j

from .. import feedback as words
from ..cypherlang.names import unescape_string
from ..errors import LinklabError
from ..exercises.catalogue import Exercise
from ..keys import CaseKey, ScenarioKey  # noqa: F401  (re-exported: the grader's keys)
from .compare import STABLE_KEY, Verdict
from .diagnosis import Observation, name_mistake, record_load
from .evaluate import Budget, Trial, judge_rows, limit_picks, run_answer, run_batch, unordered_limit
from .expected import answer_key, graphs_for
from . import health
from .allow import unwrap
from .guard import Limits, Refused, RunResult, inspect
from .ordering import order_matters, tie_breaks
from .status import Status

EXTRA_SEEDS = 2  # (kept for callers that size a class's grading pool)
PATIENCE_S = 30.0  # how long a check waits for a lost server to come back (grading a class waits longer)
PATIENCE_ENV = "LINKLAB_SERVER_PATIENCE"  # seconds, instead of each default
WARM_TIMEOUT_S = 60.0  # the reference solution that warms a cold server must finish within this


def patience(default: float) -> float:
    """How long to wait for a lost server: LINKLAB_SERVER_PATIENCE (seconds), else `default`."""
    try:
        return max(0.0, float(os.environ[PATIENCE_ENV]))
    except (KeyError, ValueError):
        return default


@dataclass
class CheckResult:
    exercise: str
    scenario: str
    status: Status  # passed, failed, refused, skipped (refused before), not graded (the server's fault)
    feedback: str
    seconds: float = 0.0  # the answer's own running time on this scenario (loads and waits not counted)
    limit: str = ""  # the limit that stopped the answer: time, rows, size, memory
    mistake: str = ""  # (records of older versions; verdicts carry the diagnosis)
    reason: str = ""  # the comparison's or the refusal's reason code
    digest: str = ""  # of the rows the answer returned here (evaluate.rows_digest)
    load: str = ""  # the load of the world it ran on (grade.loading.load_id)

    def __post_init__(self) -> None:
        self.status = Status(self.status)  # also when given as its text (a record read back)

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


def check_answer(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey,
                 limits: Limits | None = None, database: str = "neo4j", budget: Budget | None = None,
                 on_wait: Callable[[str], None] | None = None, load: bool = True,
                 patience_s: float | None = None) -> CheckResult | None:
    """Check one answer on one world (run_answer, then judge_rows); None when the world is not loaded and
    load=False. On a hidden world the feedback says what kind of thing is wrong, never with its numbers. A
    server that is lost or cold never makes the verdict (run_fairly): the check is then tried again, or comes
    back not graded."""
    limits = limits or Limits()
    budget = budget or Budget(limits.timeout_s)
    patience_s = patience(PATIENCE_S) if patience_s is None else patience_s
    try:
        return judged(driver, exercise, query, key, limits, database, budget, on_wait, load, patience_s)
    except NotGraded as exc:
        return not_graded(exercise, key, exc.reason)


def judged(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey, limits: Limits,
           database: str, budget: Budget, on_wait, load: bool, patience_s: float) -> CheckResult | None:
    spent_before = budget.spent

    def seconds() -> float:  # the answer's own running time here; loads and waits are not its time
        return budget.spent - spent_before

    try:
        result = run_fairly(driver, exercise, query, key, limits, database, budget, on_wait, load, patience_s)
    except Refused as exc:
        return CheckResult(exercise.id, str(key), Status.REFUSED, str(exc), seconds(), exc.limit, reason=exc.code)
    if result is None:
        return None
    try:
        verdict, _, digest = judge_rows(exercise, key, result.rows)
        if verdict.passed and unordered_limit(exercise, inspect(query, answer_key(exercise, key).params).shape) and \
                limit_picks(driver, exercise, query, key, result, limits, database, budget):
            verdict = Verdict(False, words.UNORDERED_LIMIT, reason="unordered_limit")
        if verdict.reason != "unordered_limit" and rests_on_storage_order(driver, exercise, query, key, verdict,
                                                                           limits, database, budget, load):
            verdict = Verdict(False, words.STORAGE_ORDER, reason="storage_order")
    except health.CONNECTION_LOST:
        health.note_lost(driver)
        raise NotGraded("unavailable") from None
    except Refused as exc:  # a probe's run stopped while the server was busy: it proves nothing either way
        raise unless_busy(exc) from None
    feedback = words.hidden_reason(verdict.reason) if key.hidden and not verdict.passed else verdict.feedback
    return CheckResult(exercise.id, str(key), Status.PASSED if verdict.passed else Status.FAILED, feedback,
                       seconds(), reason=verdict.reason, digest=digest, load=result.load)


def rests_on_storage_order(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey,
                           verdict: Verdict, limits: Limits, database: str, budget: Budget, load: bool) -> bool:
    """Whether the verdict is the storage order's doing (grade.ordering): a pass that fails with the ties
    settled one way or the other, or a failure that passes with them settled one way (then what is wrong is
    provably the order, and the feedback says so). A tie-broken run that the guard stops proves nothing."""
    for variant in tie_breaks(query, order_matters(exercise)):
        try:
            result = run_answer(driver, exercise, variant, key, limits, database, budget, load=load)
        except Refused as exc:
            if exc.code == "time_busy":
                raise  # unknown, not "no dependence on the order": judged gives no verdict
            continue
        if result is not None and judge_rows(exercise, key, result.rows)[0].passed != verdict.passed:
            return True
    return False


class NotGraded(Exception):
    """The server could not give a verdict; `reason` is a feedback.NOT_GRADED code."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def unless_busy(exc: Refused) -> Refused:
    """A refusal to raise again, unless the run was stopped while it mostly waited for a CPU (guard's
    time_busy): that was the busy server's doing, and the check is not graded."""
    if exc.code == "time_busy":
        raise NotGraded("slow") from None
    return exc


def run_fairly(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey, limits: Limits,
               database: str, budget: Budget, on_wait, load: bool, patience_s: float) -> RunResult | None:
    """run_answer, with the server's faults kept out of the verdict (grade.health). A lost server is waited
    for, then the answer runs once more; a refusal by a server that restarted, reconnected or was started
    here runs once more after the reference solution warmed it. Raises Refused for the answer's own doing,
    NotGraded when the server cannot give a verdict."""
    spent_before, worked_before = budget.spent, budget.worked
    health.watch(driver, database)
    try:
        return run_answer(driver, exercise, query, key, limits, database, budget, on_wait, load)
    except health.CONNECTION_LOST:
        state = server_back(driver, database, patience_s, on_wait)
    except Refused as exc:
        unless_busy(exc)
        state = health.probe(driver, database)
        if not state.usable:
            state = server_back(driver, database, patience_s, on_wait)
        elif not health.warm_retry_due(driver, state, exercise.id, str(key)):
            raise  # a well server that was warm already: the answer's own doing
        else:
            warm(driver, exercise, key, database, on_wait, load)
            state = None  # warmed already
    if state is not None and health.warm_retry_due(driver, state, exercise.id, str(key)):
        warm(driver, exercise, key, database, on_wait, load)
    budget.spent, budget.worked = spent_before, worked_before  # the first try does not count: the server's fault
    try:
        return run_answer(driver, exercise, query, key, limits, database, budget, on_wait, load)
    except Refused as exc:
        raise unless_busy(exc) from None
    except health.CONNECTION_LOST:
        health.note_lost(driver)
        raise NotGraded("unavailable") from None


def server_back(driver: neo4j.Driver, database: str, patience_s: float, on_wait) -> health.ServerState:
    """The server's state once it answers again after a loss; NotGraded if it does not within `patience_s`."""
    health.note_lost(driver)
    state = health.wait_until_back(driver, database, patience_s, on_wait)
    if state is None:
        raise NotGraded("unavailable")
    return state


def warm(driver: neo4j.Driver, exercise: Exercise, key: ScenarioKey | CaseKey, database: str, on_wait,
         load: bool) -> None:
    """Run the exercise's reference solution on `key` (its plans compiled, its pages read, GDS loaded), so
    that the retry meets a warm server. NotGraded when the server cannot run even that in WARM_TIMEOUT_S."""
    if on_wait:
        on_wait(f"the database server at {health.server_name(driver)} has restarted or reconnected: warming it "
                f"up for {exercise.id} before running the answer again")
    try:
        run_answer(driver, exercise, exercise.solution, key, Limits(timeout_s=WARM_TIMEOUT_S), database, load=load)
    except Refused as exc:
        raise NotGraded("slow" if exc.limit == "time" else "unwell") from None
    except health.CONNECTION_LOST:
        health.note_lost(driver)
        raise NotGraded("unavailable") from None


def check_on_scenarios(exercise: Exercise, query: str, keys: list,
                       drivers_for: Callable[[ScenarioKey | CaseKey], Iterator[tuple[neo4j.Driver, bool]]],
                       limits: Limits | None = None, on_wait: Callable[[str], None] | None = None,
                       patience_s: float | None = None) -> list[CheckResult]:
    """One answer on each of its worlds, with one time budget for them all, stopping at the first world
    where it is refused (a runaway query costs one limit, not three) or not graded (the others are not
    graded either). `drivers_for(key)` yields (driver, may_load) pairs to try in turn: a trainee's own
    database first, then the grading server."""
    return run_checks(exercise, query, keys, drivers_for, limits, on_wait, patience_s)[0]


def run_checks(exercise: Exercise, query: str, keys: list, drivers_for, limits: Limits | None = None,
               on_wait: Callable[[str], None] | None = None, patience_s: float | None = None
               ) -> tuple[list[CheckResult], dict]:
    """check_on_scenarios, and the driver each world was checked on (to run known mistakes there)."""
    limits = limits or Limits()
    refused = text_refusal(exercise, query, keys, limits)
    if refused:
        return refused, {}
    budget, results, used = Budget(limits.timeout_s), [], {}
    for key in keys:
        if results and results[-1].status.stops:
            after = results[-1]
            results.append(skipped(exercise, key) if after.status is not Status.NOT_GRADED else
                           CheckResult(exercise.id, str(key), Status.NOT_GRADED, after.feedback))
            continue
        result = None
        try:
            for driver, may_load in drivers_for(key):
                result = check_answer(driver, exercise, query, key, limits, budget=budget, on_wait=on_wait,
                                      load=may_load, patience_s=patience_s)
                if result is not None:
                    used[key] = driver
                    break
        except health.SERVER_FAULT as exc:  # a lost server, or one the driver could not use: no verdict from it
            if not isinstance(exc, health.CONNECTION_LOST):  # unusual: say which, for the operator's log
                logging.getLogger("linklab.grade").warning("%s not graded on %s: %s: %s", exercise.id, key,
                                                           type(exc).__name__, exc)
            result = not_graded(exercise, key, "unavailable")
        if result is None:
            raise LinklabError(f"no database could load {key}")
        if result.status is Status.FAILED:  # while this load is there: the known mistakes' rows on it (diagnosis)
            try:
                record_load(used[key], exercise, key, result.load, result.digest)
            except health.SERVER_FAULT:
                pass  # no diagnosis from a lost server; the verdict stands
        results.append(result)
    return results, used


def check_and_judge(exercise: Exercise, query: str, keys: list, drivers_for, limits: Limits | None = None,
                    on_wait: Callable[[str], None] | None = None, patience_s: float | None = None
                    ) -> "ExerciseVerdict":
    """The whole check: every world, then the verdict, with a known mistake named when the answer's rows
    equal it on every world (running the few mistakes still in question where their rows are not known)."""
    checks, used = run_checks(exercise, query, keys, drivers_for, limits, on_wait, patience_s)

    def run(key, specs):
        try:
            return run_batch(used[key], exercise, [s.query for s in specs], key)
        except health.SERVER_FAULT:  # no mistake is named from runs that did not happen; the verdict stands
            return [Trial(Status.NOT_GRADED) for _ in specs]

    return summarise(exercise, checks, keys, query, run if used else None)


def skipped(exercise: Exercise, key: ScenarioKey | CaseKey) -> CheckResult:
    return CheckResult(exercise.id, str(key), Status.SKIPPED, words.refusal("skipped"), reason="skipped")


def not_graded(exercise: Exercise, key: ScenarioKey | CaseKey, reason: str) -> CheckResult:
    return CheckResult(exercise.id, str(key), Status.NOT_GRADED, words.NOT_GRADED[reason], reason=reason)


def text_refusal(exercise: Exercise, query: str, keys: list, limits: Limits | None = None) -> list[CheckResult] | None:
    """An answer refused for its text alone (too long, several statements...) is refused once, not per world."""
    try:
        inspect(query, answer_key(exercise, keys[0]).params, limits)
    except Refused as exc:
        return [CheckResult(exercise.id, str(keys[0]), Status.REFUSED, str(exc), 0.0, exc.limit, reason=exc.code)] + \
            [skipped(exercise, k) for k in keys[1:]]
    return None


@dataclass
class ExerciseVerdict:
    exercise: str
    passed: bool
    points: int
    max_points: int
    feedback: str
    checks: list[CheckResult] = field(default_factory=list)
    limit: str = ""  # the limit that stopped the answer (time, rows, size, memory), if one did
    mistake: str = ""  # for the instructor: what a failure was diagnosed as
    status: Status | None = None  # passed, failed, refused, not graded, missing; from `passed` when not given

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = Status.PASSED if self.passed else Status.FAILED

    def to_dict(self) -> dict:
        return {**{k: v for k, v in asdict(self).items() if k != "checks"},
                "checks": [asdict(c) for c in self.checks]}


def missing(exercise: Exercise) -> ExerciseVerdict:
    return ExerciseVerdict(exercise.id, False, 0, exercise.points, words.NOT_SUBMITTED, status=Status.MISSING)


def summarise(exercise: Exercise, checks: list[CheckResult], keys: list | None = None, query: str | None = None,
              run=None) -> ExerciseVerdict:
    """All worlds must pass. With `keys` (in the order of `checks`), a failing answer's rows are compared with
    the known mistakes' rows on every world (run: how to run a mistake where its rows are not stored);
    with `query`, "hard-coded" is said only when the answer writes out values of the trainee's world."""
    mistake = ""
    if keys and not all(c.passed for c in checks) and all(c.status in (Status.PASSED, Status.FAILED) for c in checks):
        seen = [Observation(key, c.passed, c.digest, c.load) for key, c in zip(keys, checks)]
        mistake = name_mistake(exercise, seen, run)
    literals = bool(query and keys) and writes_out_data(exercise, query, keys[0])
    verdict = judge(exercise, checks, mistake, literals)
    verdict.limit = next((c.limit for c in checks if c.limit), "")
    verdict.mistake = diagnose(verdict, mistake, literals)
    return verdict


def diagnose(verdict: ExerciseVerdict, mistake: str, literals: bool) -> str:
    """What a failed answer was, for the instructor: the mistake it provably made, else the kind of failure."""
    if verdict.passed or verdict.status is Status.NOT_GRADED:
        return ""
    if mistake:
        return mistake
    if any(c.status is Status.REFUSED for c in verdict.checks):
        return f"stopped by the {verdict.limit} limit" if verdict.limit else "refused by the guard"
    if verdict.checks and verdict.checks[0].passed:
        return "right on the trainee's world only: writes out its values" if literals else \
            "right on the trainee's world only: leans on something the prompt does not promise"
    return "another result (no known mistake fits on every world)"


JUDGED = (Status.FAILED, Status.REFUSED)  # a check that makes the answer wrong, whatever the others say


def judge(exercise: Exercise, checks: list[CheckResult], mistake: str = "", literals: bool = False) -> ExerciseVerdict:
    own, hidden = checks[0], checks[1:]
    if all(c.passed for c in checks):
        return ExerciseVerdict(exercise.id, True, exercise.points, exercise.points,
                               words.PASSED.format(hidden=len(hidden), hidden_scenarios=words.plural(
                                   len(hidden), "scenario")), checks)
    named = " " + words.known_mistake(mistake) if mistake else ""
    if own.status in JUDGED:
        template = words.OWN_REFUSED if own.status is Status.REFUSED else words.OWN_FAILED
        return ExerciseVerdict(exercise.id, False, 0, exercise.points, template.format(feedback=own.feedback) + named,
                               checks, status=own.status)
    failing = next((c for c in hidden if c.status in JUDGED), None)
    if failing is None:  # nothing wrong so far, but a world had no verdict: the answer is not graded
        ungraded = next(c for c in checks if c.status is Status.NOT_GRADED)
        return ExerciseVerdict(exercise.id, False, 0, exercise.points, ungraded.feedback, checks,
                               status=Status.NOT_GRADED)
    if failing.status is Status.REFUSED:
        message = words.HIDDEN_REFUSED.format(feedback=failing.feedback)
    elif literals:
        message = words.HARD_CODED
    else:
        message = words.HIDDEN_WRONG.format(what=failing.feedback)
    return ExerciseVerdict(exercise.id, False, 0, exercise.points, message + named, checks, status=failing.status)


def writes_out_data(exercise: Exercise, query: str, own: ScenarioKey | CaseKey) -> bool:
    """Whether the answer writes out, as a literal, a name, handle or other key value of the trainee's own
    world's data (not a parameter's value given to it, nor a word of the prompt), or one of the own
    world's expected numbers as a returned value."""
    try:
        tree = inspect(query, answer_key(exercise, own).params).tree
    except Refused:
        return False
    strings = {unescape_string(n.text) for n in tree.all("stringLiteral")}
    strings -= {str(v) for v in answer_key(exercise, own).params.values()}
    strings -= set(exercise.prompt.replace("'", " ").replace("`", " ").split())
    if strings & data_values(own):
        return True
    returned = {leaf.text for n in tree.all("numberLiteral") if given_as_data(n) for leaf in n.leaves()}
    expected = {str(v) for row in answer_key(exercise, own).expected.rows for v in row
                if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return bool(returned & expected)


def given_as_data(number) -> bool:
    """A number the answer gives as a value (in a list, or as a whole returned column), not one it compares,
    limits or computes with (a threshold from the prompt, LIMIT 1)."""
    if number.inside("listLiteral"):
        return True
    item = next((a for a in number.ancestors() if a.rule == "returnItem"), None)
    return item is not None and unwrap(item.child("expression")) is number


def data_values(key: ScenarioKey | CaseKey) -> set[str]:
    graphs = graphs_for(key)
    if isinstance(key, CaseKey):
        return {p.name for p in graphs.people} | {p.id for p in graphs.people}
    return {str(row.get(prop)) for label, prop in STABLE_KEY.items() for row in graphs.nodes.get(label, {}).values()
            if row.get(prop) is not None}
