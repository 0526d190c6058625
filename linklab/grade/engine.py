"""Grading: which scenarios an answer is checked on, the answer keys, and one check.

An answer passes only if it is right on every scenario of its set: the trainee's own variant (seed derived
from course and trainee) and further hidden seeds of the same profile (derived from course and exercise,
shared by the class). A query that hard-codes names or ids is right on one seed at most. Exercises on an
imported case network check the case as imported and hidden variants of it (cases.network).
`linklab check` and `linklab grade` both use `check_answer` on the same scenarios, so they agree.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import neo4j
from neo4j.exceptions import ClientError

from .. import cypher
from ..cases.network import CaseNetwork, stored as stored_case
from ..errors import LinklabError
from ..exercises.answers import REGISTRY, Answer
from ..exercises.catalogue import Exercise
from ..load import load_case, loaded, reset
from ..scenario.generate import generate
from ..scenario.graphs import ScenarioGraphs
from ..scenario.profiles import profile_names
from .compare import Verdict, compare
from .guard import Limits, Refused, run_guarded
from .hidden import hidden_seeds, refuse_marker
from .mutants import name_mistake, normalised, unordered_limit

EXTRA_SEEDS = 2
SIZE = "class"  # a trainee's own scenario
HIDDEN_SIZE = "tiny"
GDS_MEMORY_CAP = 1 << 30  # bytes: refuse projections that GDS estimates above this


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
        """Whether the `:Scenario` properties say that this scenario is loaded."""
        return props.get("kind") != "case" and \
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


def case_keys(course: str, case: str | None = None) -> list[CaseKey]:
    """The case as imported (the same for the whole class), then hidden variants shared by the class."""
    network = stored_case(case)
    hidden = hidden_seeds(course, f"case/{network.name}", network.digest)  # from the course secret
    return [CaseKey(network.name, 0, network.digest)] + \
        [CaseKey(network.name, v, network.digest, k) for k, v in enumerate(hidden, start=1)]


def scenarios_for(exercise: Exercise, course: str, trainee: str, size: str = SIZE,
                  case: str | None = None) -> list[ScenarioKey | CaseKey]:
    """The trainee's own scenario first, then hidden ones of the same profile, shared by the class
    (small: what they catch is a query that only works on one set of people). For an exercise on a case
    network: that case (`case`, or the last one imported) and its hidden variants."""
    if exercise.on_case:
        return case_keys(course, case)
    seed = trainee_seed(course, trainee)
    profile = profile_for(exercise, seed)
    hidden = hidden_seeds(course, profile)  # from the course secret, chosen against the mutants
    return [ScenarioKey(profile, size, seed)] + \
        [ScenarioKey(profile, HIDDEN_SIZE, s, k) for k, s in enumerate(hidden, start=1)]


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


def is_loaded(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str = "neo4j") -> bool:
    current = loaded(driver, database)
    return current.state == "complete" and key.matches(current.props)


def ensure_loaded(driver: neo4j.Driver, key: ScenarioKey | CaseKey, database: str = "neo4j") -> bool:
    """Load `key` unless it is loaded already; True when it had to load."""
    if is_loaded(driver, key, database):
        return False
    if isinstance(key, CaseKey):
        load_case(driver, graphs_for(key), database)
    else:
        reset(driver, graphs_for(key).scenario, database)
    return True


@dataclass
class CheckResult:
    exercise: str
    scenario: str
    status: str  # passed | failed | refused
    feedback: str
    seconds: float = 0.0
    mistake: str = ""  # the diagnosis of the registered mutant whose rows the answer returned

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def gds_graph_names(driver: neo4j.Driver, database: str) -> set[str]:
    try:
        records, _, _ = driver.execute_query(cypher.GDS_GRAPHS, database_=database)
    except ClientError:
        raise Refused("Graph Data Science is not installed on this Neo4j server") from None
    return {r["graphName"] for r in records}


def drop_graphs(driver: neo4j.Driver, names: set[str], database: str) -> None:
    for name in names:
        driver.execute_query(cypher.GDS_DROP, name=name, database_=database)


def gds_estimate_ok(driver: neo4j.Driver, database: str) -> None:
    """Upper bound: projecting the whole database. Refused above the cap."""
    records, _, _ = driver.execute_query(cypher.GDS_ESTIMATE_ALL, database_=database)
    if records[0]["bytesMax"] > GDS_MEMORY_CAP:
        raise Refused(f"GDS estimates more than {GDS_MEMORY_CAP >> 20} MiB for a projection: not graded here")


def check_answer(driver: neo4j.Driver, exercise: Exercise, query: str, key: ScenarioKey | CaseKey,
                 limits: Limits | None = None, database: str = "neo4j", diagnose: bool = True,
                 rows_out: list | None = None) -> CheckResult:
    """Check one answer on one scenario, which must be loaded in `database` already. A failing answer
    that returns a registered mutant's rows gets that mistake named (`diagnose`); `rows_out` receives
    the normalised rows."""
    answer = answer_key(exercise, key)
    params = dict(answer.params)
    uses_gds = bool(re.search(r"\bgds\.", query))
    before: set[str] | None = None
    if "graph" in exercise.parameters or uses_gds:
        params["graph"] = f"linklab-check-{uuid.uuid4().hex[:12]}"
    began = time.perf_counter()
    try:
        refuse_marker(query)
        if uses_gds:
            before = gds_graph_names(driver, database)
            gds_estimate_ok(driver, database)
        result = run_guarded(driver, query, params, limits, database)
    except Refused as exc:
        return CheckResult(exercise.id, str(key), "refused", str(exc), time.perf_counter() - began)
    finally:
        if uses_gds and before is not None:  # whatever the outcome: the answer's graph and any other it made
            drop_graphs(driver, gds_graph_names(driver, database) - before, database)
    verdict = compare(answer.expected, result.rows, exercise.compare)
    if verdict.passed and unordered_limit(exercise, query):
        verdict = Verdict(False, unordered_limit(exercise, query))
    if rows_out is not None:
        rows_out.extend(normalised(result.rows))
    mistake = name_mistake(driver, exercise, key, result.rows, database) if diagnose and not verdict.passed else ""
    return CheckResult(exercise.id, str(key), "passed" if verdict.passed else "failed",
                       f"{verdict.feedback}; {mistake}" if mistake else verdict.feedback,
                       time.perf_counter() - began, mistake)


@dataclass
class ExerciseVerdict:
    exercise: str
    passed: bool
    points: int
    max_points: int
    feedback: str
    checks: list[CheckResult] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {**{k: v for k, v in asdict(self).items() if k != "checks"},
                "checks": [asdict(c) for c in self.checks]}


def summarise(exercise: Exercise, checks: list[CheckResult]) -> ExerciseVerdict:
    """All scenarios must pass. Feedback speaks of the trainee's own scenario, and says when only the
    hidden ones fail (the typical sign of a hard-coded answer), never what the answer is."""
    own, hidden = checks[0], checks[1:]
    if all(c.passed for c in checks):
        return ExerciseVerdict(exercise.id, True, exercise.points, exercise.points,
                               f"passed on your scenario and {len(hidden)} hidden one(s)", checks)
    if not own.passed:
        return ExerciseVerdict(exercise.id, False, 0, exercise.points,
                               f"{own.status} on your scenario: {own.feedback}", checks)
    failing = next(c for c in hidden if not c.passed)
    if failing.status == "refused":
        message = f"right on your scenario, but on a hidden scenario: {failing.feedback}"
    else:
        message = ("right on your scenario but wrong on a hidden one with other people: does the query "
                   "hard-code names, ids or numbers instead of finding them?")
        if failing.mistake:  # a registered mistake that your scenario happens not to show
            message += f" There it gives the rows of a known mistake: {failing.mistake}"
    return ExerciseVerdict(exercise.id, False, 0, exercise.points, message, checks)
