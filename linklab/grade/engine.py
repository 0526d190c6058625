"""Grading: which scenarios an answer is checked on, the answer keys, and one check.

An answer passes only if it is right on every scenario of its set: the trainee's own variant (seed derived
from course and trainee) and further hidden seeds of the same profile (derived from course and exercise,
shared by the class). A query that hard-codes names or ids is right on one seed at most. Exercises on an
imported case network check the case as imported and hidden variants of it (cases.network).
`linklab check` and `linklab grade` both use `check_answer` on the same scenarios, so they agree.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Callable, Iterator

import neo4j
from neo4j.exceptions import ClientError, DriverError

from .. import cypher
from ..cases.network import CaseNetwork, stored as stored_case
from ..errors import LinklabError
from ..exercises.answers import REGISTRY, Answer
from ..exercises.catalogue import Exercise, catalogue
from .. import feedback as words, lease
from ..load import LoadReport, load_case, loaded, reset
from ..scenario.generate import generate, generator_digest
from ..scenario.graphs import ScenarioGraphs
from ..scenario.profiles import profile_names
from . import health
from .compare import Verdict, compare
from .guard import Limits, Refused, RunResult, check_text, run_guarded
from .hidden import hidden_seeds, refuse_marker
from .mutants import name_mistake, normalised, unordered_limit, widened_limit
from .status import Status

EXTRA_SEEDS = 2
SIZE = "class"  # a trainee's own scenario
HIDDEN_SIZE = "tiny"
GDS_MEMORY_CAP = 1 << 30  # bytes: refuse projections that GDS estimates above this
PATIENCE_S = 30.0  # how long a check waits for a lost server to come back (grading a class waits longer)
PATIENCE_ENV = "LINKLAB_SERVER_PATIENCE"  # seconds, instead of each default
WARM_TIMEOUT_S = 60.0  # the reference solution that warms a cold server must finish within this


def patience(default: float) -> float:
    """How long to wait for a lost server: LINKLAB_SERVER_PATIENCE (seconds), else `default`."""
    try:
        return max(0.0, float(os.environ[PATIENCE_ENV]))
    except (KeyError, ValueError):
        return default


@dataclass(frozen=True, order=True)
class ScenarioKey:
    profile: str
    size: str
    seed: int
    hidden: int = field(default=0, compare=False, repr=False)  # 1, 2: how trainees see a hidden scenario

    def __str__(self) -> str:
        if self.hidden:
            return f"hidden scenario {self.hidden}"
        return f"{self.profile}/{self.size}/seed {self.seed}"

    def matches(self, props: dict) -> bool:
        """Whether the `:Scenario` properties say that this scenario is loaded, made by this generator (an
        older linklab's scenario of the same seed has other data: it is loaded again)."""
        return props.get("kind") != "case" and props.get("generator_digest") == generator_digest() and \
            (props.get("profile"), props.get("size"), props.get("seed")) == (self.profile, self.size, self.seed)


@dataclass(frozen=True, order=True)
class CaseKey:
    """An imported case network (variant 0) or one of its hidden variants (variant = seed)."""
    case: str
    variant: int
    case_hash: str  # of the case as imported: a case imported again under the same name is another key
    hidden: int = field(default=0, compare=False, repr=False)  # 1, 2: how trainees see a hidden variant

    def __str__(self) -> str:
        if self.hidden:
            return f"case {self.case}/hidden scenario {self.hidden}"
        return f"case {self.case}" + (f"/hidden variant {self.variant}" if self.variant else "")

    def matches(self, props: dict) -> bool:
        return props.get("kind") == "case" and \
            (props.get("case"), props.get("variant"), props.get("case_hash")) == (self.case, self.variant, self.case_hash)

    def network(self) -> CaseNetwork:
        case = stored_case(self.case)
        if case.digest != self.case_hash:
            raise LinklabError(f"case {self.case!r} was imported again since: check again")
        return case.hidden_variant(self.variant) if self.variant else case


def derive_seed(*parts: str) -> int:
    """A stable seed from text: sha256, first 8 hex digits, 1..999,999 (documented in the README)."""
    return int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:8], 16) % 999_999 + 1


def trainee_seed(course: str, trainee: str) -> int:
    return derive_seed(course, trainee)


def profile_for(exercise: Exercise, seed: int) -> str:
    """The trainee's profiles in an order of their own (from the seed); an exercise takes the first it
    supports, so most of a trainee's exercises share one world and one scenario."""
    names = profile_names()
    order = names[seed % len(names):] + names[:seed % len(names)]
    return next(p for p in order if p in exercise.profiles)


def class_profiles() -> tuple[str, ...]:
    """The profiles a class session uses: the fewest that cover every exercise (greedy, most exercises
    first, ties in profile order), one exploration server each."""
    left, chosen = [e.profiles for e in catalogue()], []
    while left:
        best = max(profile_names(), key=lambda p: sum(p in profiles for profiles in left))
        chosen.append(best)
        left = [profiles for profiles in left if best not in profiles]
    return tuple(chosen)


def class_profile_for(exercise: Exercise) -> str:
    return next(p for p in class_profiles() if p in exercise.profiles)


def class_key(exercise: Exercise, course: str, size: str = SIZE) -> ScenarioKey:
    """In a class session every trainee explores the course's scenario of the exercise's profile; hidden
    scenarios still tell a right answer from a copied literal one."""
    return class_scenario(class_profile_for(exercise), course, size)


def class_scenario(profile: str, course: str, size: str = SIZE) -> ScenarioKey:
    return ScenarioKey(profile, size, derive_seed(course, "class", profile))


def case_keys(course: str, case: str | None = None) -> list[CaseKey]:
    """The case as imported (the same for the whole class), then hidden variants shared by the class."""
    network = stored_case(case)
    hidden = hidden_seeds(course, f"case/{network.name}", network.digest)  # from the course secret
    return [CaseKey(network.name, 0, network.digest)] + \
        [CaseKey(network.name, v, network.digest, k) for k, v in enumerate(hidden, start=1)]


def scenarios_for(exercise: Exercise, course: str, trainee: str, size: str = SIZE,
                  case: str | None = None, shared: bool = False) -> list[ScenarioKey | CaseKey]:
    """The trainee's own scenario first, then hidden ones of the same profile, shared by the class
    (small: what they catch is a query that only works on one set of people). `shared` (a class session):
    the course's scenario instead of the trainee's own. For an exercise on a case network: that case
    (`case`, or the last one imported) and its hidden variants."""
    if exercise.on_case:
        return case_keys(course, case)
    if shared:
        own = class_key(exercise, course, size)
    else:
        seed = trainee_seed(course, trainee)
        own = ScenarioKey(profile_for(exercise, seed), size, seed)
    hidden = hidden_seeds(course, own.profile)  # from the course secret, chosen against the mutants
    return [own] + [ScenarioKey(own.profile, HIDDEN_SIZE, s, k) for k, s in enumerate(hidden, start=1)]


@lru_cache(maxsize=16)
def graphs_for(key: ScenarioKey | CaseKey) -> ScenarioGraphs | CaseNetwork:
    """What answer functions read: a generated scenario's graphs, or a case network."""
    if isinstance(key, CaseKey):
        return key.network()
    return ScenarioGraphs(generate(key.profile, key.size, key.seed))


def answer_key(exercise: Exercise, key: ScenarioKey | CaseKey) -> Answer:
    return cached_answer(exercise.answer, key)


@lru_cache(maxsize=4096)
def cached_answer(answer: str, key: ScenarioKey | CaseKey) -> Answer:
    """Answer keys are pure functions of the scenario: compute each once per process."""
    return REGISTRY[answer](graphs_for(key))


# ---------------------------------------------------------------- what is loaded, and loading it


class NotReady(Exception):
    """The scenario a check needs is not there to read: `reason` is busy (a load is under way), other
    (another scenario, or an incomplete one) or no-lease (a database linklab never wrote to)."""

    def __init__(self, reason: str, writer: str | None = None):
        super().__init__(reason)
        self.reason, self.writer = reason, writer


def require_key(key: ScenarioKey | CaseKey) -> Callable[[neo4j.Transaction], None]:
    """What a check runs first in the answer's own transaction: the shared lock on the lease node (held
    until the transaction ends, so no load can start meanwhile), then `key` must be loaded and complete."""
    def prepare(tx: neo4j.Transaction) -> None:
        state, props = lease.read_under_lock(tx)
        if state is None:
            raise NotReady("no-lease")
        if state.writer:
            raise NotReady("busy", state.writer)
        if not (props and props.get("complete") and key.matches(props)):
            raise NotReady("other")
    return prepare


def is_loaded(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str = "neo4j") -> bool:
    """Whether `key` is loaded, complete, and not being replaced right now."""
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        try:
            session.execute_read(require_key(key))
        except NotReady:
            return False
    return True


def load_key(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str, held: lease.Lease,
             progress: Callable[[int], None] | None = None) -> LoadReport:
    if isinstance(key, CaseKey):
        return load_case(driver, graphs_for(key), database, progress=progress, lease=held)
    return reset(driver, graphs_for(key).scenario, database, progress=progress, lease=held)


def load_and_hold(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str = "neo4j",
                  on_wait: Callable[[str], None] | None = None) -> tuple[lease.Lease, bool]:
    """Load `key` under the exclusive lease unless another process just did, then keep a shared lease,
    so that no other load comes between this one and the caller's use of it. (lease, whether it loaded)"""
    held = lease.acquire(driver, database, "exclusive", f"loading {key}", on_wait)
    try:
        current = loaded(driver, database)  # read by the only writer: nothing changes it meanwhile
        loaded_now = not (current.state == "complete" and key.matches(current.props))
        if loaded_now:
            load_key(driver, key, database, held)
        held.downgrade()
        return held, loaded_now
    except health.CONNECTION_LOST:
        held.abandon()  # the server is gone: asking it to release would only retry
        raise
    except BaseException:
        held.release()
        raise


def ensure_loaded(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str = "neo4j",
                  on_wait: Callable[[str], None] | None = None) -> bool:
    """Load `key` unless it is loaded already; True when it had to load."""
    if is_loaded(driver, key, database):
        return False
    held, loaded_now = load_and_hold(driver, key, database, on_wait)
    held.release()
    return loaded_now


# ---------------------------------------------------------------- one check


@dataclass
class CheckResult:
    exercise: str
    scenario: str
    status: Status  # passed, failed, refused, skipped (refused before), not graded (the server's fault)
    feedback: str
    seconds: float = 0.0  # the answer's own running time on this scenario (loads and waits not counted)
    limit: str = ""  # the limit that stopped the answer: time, rows, size, memory
    mistake: str = ""  # the diagnosis of the registered mutant whose rows the answer returned

    def __post_init__(self) -> None:
        self.status = Status(self.status)  # also when given as its text (a record read back)

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


@dataclass
class Budget:
    """The time one check may spend running an answer, over all its scenarios (loads not counted)."""
    seconds: float
    spent: float = 0.0

    def deadline(self) -> float:
        return time.monotonic() + max(0.0, self.seconds - self.spent)


def drop_graph(driver: neo4j.Driver, name: str, database: str) -> None:
    """Drop this check's GDS graph by its name: other checks' graphs are never touched."""
    try:
        driver.execute_query(cypher.GDS_DROP, name=name, database_=database)
    except (ClientError, DriverError, health.CONNECTION_LOST):
        pass  # no GDS, the graph was never made, or the server went away (and its graphs with it)


def gds_estimate_ok(driver: neo4j.Driver, database: str) -> None:
    """Upper bound: projecting the whole database. Refused above the cap."""
    try:
        records, _, _ = driver.execute_query(cypher.GDS_ESTIMATE_ALL, database_=database)
    except ClientError:
        raise Refused(words.refusal("no_gds")) from None
    if records[0]["bytesMax"] > GDS_MEMORY_CAP:
        raise Refused(words.refusal("gds_memory", mib=GDS_MEMORY_CAP >> 20), limit="memory")


MAX_TRIES = 20  # loads by other processes that a check lets pass before it gives up


def run_answer(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey,
               limits: Limits | None = None, database: str = "neo4j", budget: Budget | None = None,
               on_wait: Callable[[str], None] | None = None, load: bool = True) -> RunResult | None:
    """Run an answer on one scenario with the exercise's parameters for it, under every guard. The answer
    runs in a transaction that holds the scenario's shared lock and has verified that `key` is loaded; if
    it is not, the scenario is loaded (under the exclusive lease) and the run tried again, or, with
    load=False, None is returned. Its GDS graph has a name of its own and is dropped by that name.
    Raises Refused."""
    limits = limits or Limits()
    budget = budget or Budget(limits.timeout_s)
    params = dict(answer_key(exercise, key).params)
    uses_gds = "graph" in exercise.parameters or bool(re.search(r"\bgds\.", query))
    if uses_gds:
        params["graph"] = f"linklab-check-{uuid.uuid4().hex[:12]}"
    held: lease.Lease | None = None
    lost = False
    try:
        for _ in range(MAX_TRIES):
            started = time.monotonic()
            try:
                if uses_gds:
                    gds_estimate_ok(driver, database)
                return run_guarded(driver, query, params, limits, database, budget.deadline(), require_key(key))
            except NotReady as exc:
                why = exc
            finally:
                budget.spent += time.monotonic() - started  # the answer's own time; waits and loads are not
            if held:
                held.release()
                held = None
            if why.reason == "no-lease":
                lease.ensure_lease_node(driver, database, again=True)
            elif why.reason == "busy":
                lease.wait_for_writer(driver, database, on_wait)
            elif not load:
                return None
            else:
                held, _ = load_and_hold(driver, key, database, on_wait)
        raise LinklabError(f"database {database!r} kept changing scenario ({MAX_TRIES} loads by other "
                           "processes during one check): try again when fewer grading runs share it")
    except health.CONNECTION_LOST:
        lost = True  # nothing more to ask that server: its leases expire, a restart drops its graphs
        raise
    finally:
        if held:
            held.abandon() if lost else held.release()
        if uses_gds and not lost:
            drop_graph(driver, params["graph"], database)


def check_answer(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey,
                 limits: Limits | None = None, database: str = "neo4j", budget: Budget | None = None,
                 on_wait: Callable[[str], None] | None = None, load: bool = True, diagnose: bool = True,
                 rows_out: list | None = None, patience_s: float | None = None) -> CheckResult | None:
    """Check one answer on one scenario (run_answer, then compare with the answer key); None when the
    scenario is not loaded and load=False. A failing answer that returns a registered mutant's rows gets
    that mistake named (`diagnose`); `rows_out` receives the normalised rows. A server that is lost or cold
    never makes the verdict (run_fairly): the check is then tried again, or comes back not graded."""
    limits = limits or Limits()
    budget = budget or Budget(limits.timeout_s)
    patience_s = patience(PATIENCE_S) if patience_s is None else patience_s
    try:
        refuse_marker(query)
    except Refused as exc:
        return CheckResult(exercise.id, str(key), Status.REFUSED, str(exc), 0.0, exc.limit)
    try:
        return judged(driver, exercise, query, key, limits, database, budget, on_wait, load, diagnose, rows_out,
                      patience_s)
    except NotGraded as exc:
        return not_graded(exercise, key, exc.reason)


def judged(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey, limits: Limits,
           database: str, budget: Budget, on_wait, load: bool, diagnose: bool, rows_out: list | None,
           patience_s: float) -> CheckResult | None:
    spent_before = budget.spent

    def seconds() -> float:  # the answer's own running time here; loads and waits are not its time
        return budget.spent - spent_before

    try:
        result = run_fairly(driver, exercise, query, key, limits, database, budget, on_wait, load, patience_s)
    except Refused as exc:
        return CheckResult(exercise.id, str(key), Status.REFUSED, str(exc), seconds(), exc.limit)
    if result is None:
        return None
    try:
        verdict = compare(answer_key(exercise, key).expected, result.rows, exercise.compare)
        if verdict.passed and unordered_limit(exercise, query) and \
                limit_picks(driver, exercise, query, key, result, limits, database, budget):
            verdict = Verdict(False, words.UNORDERED_LIMIT, reason="unordered_limit")
        mistake = name_mistake(driver, exercise, key, result.rows, database) if diagnose and not verdict.passed else ""
    except health.CONNECTION_LOST:
        health.note_lost(driver)
        raise NotGraded("unavailable") from None
    if rows_out is not None:
        rows_out.extend(normalised(result.rows))
    feedback = f"{verdict.feedback} {words.KNOWN_MISTAKE.format(mistake=mistake)}" if mistake else verdict.feedback
    return CheckResult(exercise.id, str(key), Status.PASSED if verdict.passed else Status.FAILED, feedback,
                       seconds(), mistake=mistake)


class NotGraded(Exception):
    """The server could not give a verdict; `reason` is a feedback.NOT_GRADED code."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def run_fairly(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey, limits: Limits,
               database: str, budget: Budget, on_wait, load: bool, patience_s: float) -> RunResult | None:
    """run_answer, with the server's faults kept out of the verdict (grade.health). A lost server is waited
    for, then the answer runs once more; a refusal by a server that restarted, reconnected or was started
    here runs once more after the reference solution warmed it. Raises Refused for the answer's own doing,
    NotGraded when the server cannot give a verdict."""
    spent_before = budget.spent
    health.watch(driver, database)
    try:
        return run_answer(driver, exercise, query, key, limits, database, budget, on_wait, load)
    except health.CONNECTION_LOST:
        state = server_back(driver, database, patience_s, on_wait)
    except Refused:
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
    budget.spent = spent_before  # the first try does not count: the server's fault, not the answer's
    try:
        return run_answer(driver, exercise, query, key, limits, database, budget, on_wait, load)
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


def limit_picks(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey,
                result: RunResult, limits: Limits | None, database: str, budget: Budget | None) -> bool:
    """Whether a LIMIT without ORDER BY really picks among rows (then which come first is storage order, and
    the answer is right by chance): run once more with the final LIMIT one higher. A LIMIT that cuts
    nothing (`RETURN length(p) LIMIT 1` after one shortest path) is harmless. A LIMIT that is not the
    query's last clause counts as picking."""
    wider = widened_limit(query)
    if wider is None:
        return True
    try:  # may load the scenario again if another process replaced it meanwhile: never a verdict by accident
        more = run_answer(driver, exercise, wider, key, limits, database, budget)
    except Refused:
        return True
    return more is None or len(more.rows) > len(result.rows)


def check_on_scenarios(exercise: Exercise, query: str, keys: list,
                       drivers_for: Callable[[ScenarioKey | CaseKey], Iterator[tuple[neo4j.Driver, bool]]],
                       limits: Limits | None = None, on_wait: Callable[[str], None] | None = None,
                       patience_s: float | None = None) -> list[CheckResult]:
    """One answer on each of its scenarios, with one time budget for them all, stopping at the first
    scenario where it is refused (a runaway query costs one limit, not three) or not graded (the others are
    not graded either). `drivers_for(key)` yields (driver, may_load) pairs to try in turn: a trainee's own
    database first, then the grading server."""
    limits = limits or Limits()
    refused = text_refusal(exercise, query, keys, limits)
    if refused:
        return refused
    budget, results = Budget(limits.timeout_s), []
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
                    break
        except health.CONNECTION_LOST:  # choosing a server (it asks them what they hold) met a lost one
            result = not_graded(exercise, key, "unavailable")
        if result is None:
            raise LinklabError(f"no database could load {key}")
        results.append(result)
    return results


def skipped(exercise: Exercise, key: ScenarioKey | CaseKey) -> CheckResult:
    return CheckResult(exercise.id, str(key), Status.SKIPPED, words.refusal("skipped"))


def not_graded(exercise: Exercise, key: ScenarioKey | CaseKey, reason: str) -> CheckResult:
    return CheckResult(exercise.id, str(key), Status.NOT_GRADED, words.NOT_GRADED[reason])


def text_refusal(exercise: Exercise, query: str, keys: list, limits: Limits | None = None) -> list[CheckResult] | None:
    """An answer refused for its text alone (too long, several statements...) is refused once, not per scenario."""
    try:
        check_text(query, limits)
    except Refused as exc:
        return [CheckResult(exercise.id, str(keys[0]), Status.REFUSED, str(exc), 0.0, exc.limit)] + \
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
    mistake: str = ""  # for the instructor, never shown to the trainee as such: what a failure was diagnosed as
    status: Status | None = None  # passed, failed, refused, not graded, missing; from `passed` when not given

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = Status.PASSED if self.passed else Status.FAILED

    def to_dict(self) -> dict:
        return {**{k: v for k, v in asdict(self).items() if k != "checks"},
                "checks": [asdict(c) for c in self.checks]}


def missing(exercise: Exercise) -> ExerciseVerdict:
    return ExerciseVerdict(exercise.id, False, 0, exercise.points, words.NOT_SUBMITTED, status=Status.MISSING)


def summarise(exercise: Exercise, checks: list[CheckResult]) -> ExerciseVerdict:
    """All scenarios must pass. Feedback speaks of the trainee's own scenario, and says when only the
    hidden ones fail (the typical sign of a hard-coded answer), never what the answer is."""
    verdict = judge(exercise, checks)
    verdict.limit = next((c.limit for c in checks if c.limit), "")
    verdict.mistake = diagnose(verdict)
    return verdict


def diagnose(verdict: ExerciseVerdict) -> str:
    """What a failed answer was: the registered mistake it matched, else the kind of failure."""
    if verdict.passed or verdict.status is Status.NOT_GRADED:
        return ""
    named = next((c.mistake for c in verdict.checks if c.mistake), "")
    if named:
        return named
    if any(c.status is Status.REFUSED for c in verdict.checks):
        return f"stopped by the {verdict.limit} limit" if verdict.limit else "refused by the guard"
    if verdict.checks and verdict.checks[0].passed:
        return "right on the trainee's scenario only (hard-coded?)"
    return "another result (no registered mistake)"


JUDGED = (Status.FAILED, Status.REFUSED)  # a check that makes the answer wrong, whatever the others say


def judge(exercise: Exercise, checks: list[CheckResult]) -> ExerciseVerdict:
    own, hidden = checks[0], checks[1:]
    if all(c.passed for c in checks):
        return ExerciseVerdict(exercise.id, True, exercise.points, exercise.points,
                               words.PASSED.format(hidden=len(hidden), hidden_scenarios=words.plural(
                                   len(hidden), "scenario")), checks)
    if own.status in JUDGED:
        refused = own.status is Status.REFUSED
        template = words.OWN_REFUSED if refused else words.OWN_FAILED
        return ExerciseVerdict(exercise.id, False, 0, exercise.points, template.format(feedback=own.feedback), checks,
                               status=own.status)
    failing = next((c for c in hidden if c.status in JUDGED), None)
    if failing is None:  # nothing wrong so far, but a scenario had no verdict: the answer is not graded
        ungraded = next(c for c in checks if c.status is Status.NOT_GRADED)
        return ExerciseVerdict(exercise.id, False, 0, exercise.points, ungraded.feedback, checks,
                               status=Status.NOT_GRADED)
    if failing.status is Status.REFUSED:
        message = words.HIDDEN_REFUSED.format(feedback=failing.feedback)
    else:
        message = words.HARD_CODED
        if failing.mistake:  # a registered mistake that your scenario happens not to show
            message += " " + words.HIDDEN_MISTAKE.format(mistake=failing.mistake)
    return ExerciseVerdict(exercise.id, False, 0, exercise.points, message, checks, status=failing.status)
