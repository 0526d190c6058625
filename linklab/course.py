"""The instructor's side of the library face: one course's hidden worlds, grading a folder of submissions,
the self-test and the answer keys; and, for a course run as a class on its own servers (`linklab lab
--class`), preparing and resetting those servers, re-grading the records, the console's views, its exports
and the scores for the LMS. `linklab prepare|grade|selftest|answers` and the class server's console are thin
shells over it (as the trainee's commands and the lab are over service.py). It prints nothing: it returns
result objects, and says how far it is through `notify` (one line at a time) and `progress` (a count)."""

from __future__ import annotations

import io
import json
import tempfile
import time
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .answer_keys import key_entries, write_keys
from .classroom import accounts, console, exam, regrade as regrading, servers, state
from .db import connect
from .errors import LinklabError
from .exercises.catalogue import Exercise, case_catalogue, catalogue, get
from .grade import worlds
from .grade.batch import ClassResults, grade_class, plan, regrade_filter
from .grade.engine import CaseKey, ScenarioKey, answer_key, check_answer
from .grade.loading import ensure_loaded
from .grade.scenarios import SIZE, case_keys, class_key, class_scenario, scenarios_for
from .keys import derive_seed
from .grade.outputs import write_all
from .grade.submissions import Submissions, read_submissions, require_answers
from .load import require_complete
from .lti import grades as lti_grades
from .scenario.profiles import DESIGN, load_profile, profile_names
from .service import grading_connection, grading_connections, identity

Notify = Callable[[str], None]


@dataclass
class Prepared:
    """What `prepare` did: the worlds it chose now (those chosen before are kept), and how long it took."""
    course: str
    chosen: list[worlds.Preparation]
    seconds: float
    kept_in: Path


@dataclass
class GradingPlan:
    """Submissions read and checked before any server is reached: how many checks grading will run."""
    submissions: Path
    submitted: Submissions
    exercises: tuple[Exercise, ...]
    case: str | None
    shared: bool
    single: str | None
    gradescope: Path | None
    regrade: bool
    regrade_trainee: str | None
    regrade_exercise: str | None
    checks: int

    @property
    def trainees(self) -> int:
        return len(self.submitted.answers)


@dataclass
class Graded:
    results: ClassResults
    paths: dict[str, Path]


@dataclass
class SelfTest:
    """Every reference solution on several seeds of each profile (as generated and varied), then the
    course's registered mistakes on its hidden worlds."""
    checks: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (exercise, scenario, feedback)
    chosen_now: bool = False
    choices: dict[str, worlds.Choice] = field(default_factory=dict)  # profile -> its choice
    not_separated: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # profile -> written mistakes

    @property
    def passed(self) -> int:
        return self.checks - len(self.failures)


@dataclass
class AnswerKeys:
    answers: int
    paths: list[Path]
    not_separated: list[tuple[str, str]] | None = None  # for a case: the mistakes it cannot separate


@dataclass
class Reset:
    """A class's exploration server loaded with the course's scenario again."""
    profile: str
    seconds: float


# The console's downloads: file name -> the export (classroom.console.export) it is
EXPORTS = {"gradebook.csv": "gradebook", "report.html": "report", "results.json": "json", "junit.xml": "junit",
           "gradescope.zip": "gradescope"}


class Course:
    def __init__(self, name: str | None = None, notify: Notify | None = None,
                 databases: servers.ClassDatabases | None = None):
        """`databases`: the class's own servers, when the course runs as a class (the class server's)."""
        self.name = name or identity()[1]  # (identity() also asks the system who the user is: not for a named course)
        self.notify = notify or (lambda _: None)
        self.databases = databases

    # ------------------------------------------------------------ hidden worlds

    def prepare(self, profiles: tuple[str, ...] = ()) -> Prepared:
        """Choose the course's hidden worlds (from the course secret) so that every registered mistake fails,
        on the grading server; worlds chosen before are kept."""
        for profile in profiles:
            load_profile(profile)  # an unknown name: one clear line, before any server is reached
        began = time.perf_counter()
        with connect(grading_connection(self.notify)) as driver:
            done = worlds.ensure_prepared(driver, self.name, {(p, "") for p in profiles or profile_names()},
                                          progress=self.notify)
        return Prepared(self.name, done, time.perf_counter() - began, worlds.database())

    def not_separable(self, case_name: str, digest: str) -> list[tuple[str, str]]:
        """Choose a case's hidden variants (grading server) and say which mistakes it cannot separate."""
        world = (f"case/{case_name}", digest)
        worlds.prepare_with(lambda: connect(grading_connection(self.notify)), self.name, {world},
                            progress=self.notify)
        return worlds.not_separable(self.name, *world)

    # ------------------------------------------------------------ grading

    def grading_plan(self, submissions: Path, *, single: str | None = None, gradescope: Path | None = None,
                     case: str | None = None, shared: bool = False, regrade: bool = False,
                     regrade_trainee: str | None = None, regrade_exercise: str | None = None) -> GradingPlan:
        """Read a folder of submissions (one sub-folder per trainee, one .cypher per exercise; with `single`,
        one trainee's files, and Gradescope's results.json to `gradescope`) and refuse, with one line, what
        cannot be graded; what it skips is said through `notify`, as a warning."""
        if gradescope and not single:
            raise LinklabError("--gradescope goes with --single (one trainee per results.json)")
        if (regrade_trainee or regrade_exercise) and not regrade:
            raise LinklabError("--trainee and --exercise say what --regrade grades again: add --regrade")
        exercises, others = (case_catalogue(), catalogue()) if case else (catalogue(), case_catalogue())
        submitted = read_submissions(submissions, exercises, single, others)
        for warning in submitted.warnings:
            self.notify(f"warning: {warning}")
        require_answers(submitted, submissions, single, bool(case))
        if regrade_trainee and regrade_trainee not in submitted.answers:
            raise LinklabError(f"--trainee {regrade_trainee!r}: no such trainee in {submissions}")
        if regrade_exercise:
            regrade_exercise = get(regrade_exercise).id
            if regrade_exercise not in {e.id for e in exercises}:
                raise LinklabError(f"--exercise {regrade_exercise!r} is not graded here"
                                   + (" (a case exercise: add --case NAME)" if not case else " (not a case exercise)"))
        checks = len(plan(submitted.answers, exercises, self.name, case, shared))
        return GradingPlan(submissions, submitted, exercises, case, shared, single, gradescope, regrade,
                           regrade_trainee, regrade_exercise, checks)

    def grade(self, planned: GradingPlan, out: Path, progress: Callable[[int], None] | None = None) -> Graded:
        """Grade on every grading server of LINKLAB_GRADING_URI (or a local one started on demand) and write
        results.json, junit.xml and the Gradescope files into `out` (checks.jsonl makes it resumable)."""
        with ExitStack() as stack:
            pool = [stack.enter_context(connect(conn)) for conn in grading_connections(self.notify)]
            self.notify(f"Grading {planned.trainees} trainee(s), {planned.checks} check(s) on {len(pool)} grading "
                        "server(s)")
            regrade = regrade_filter(planned.regrade_trainee, planned.regrade_exercise) if planned.regrade else None
            results = grade_class(pool, planned.submitted.answers, self.name, out, progress=progress,
                                  exercises=planned.exercises, case=planned.case, notify=self.notify,
                                  shared=planned.shared, regrade=regrade, unreadable=planned.submitted.unreadable)
        results.hints = planned.submitted.hints
        paths = write_all(results, out, (planned.single, planned.gradescope) if planned.gradescope else None)
        return Graded(results, paths)

    # ------------------------------------------------------------ self-test

    def selftest(self, seeds: int = 3, size: str = "tiny",
                 checked: Callable[[str, list[tuple[str, str, str]]], None] | None = None) -> SelfTest:
        """Every reference solution must pass its own exercise on `seeds` seeds of the world, as generated
        and varied, asked about each organisation it may ask about; then the course's hidden worlds are chosen (if not yet) and the mistakes counted. On the
        grading server, never the trainee's. `checked(profile, its failures)` as each profile is done: the
        work takes minutes, and its results are shown as they come."""
        test = SelfTest()
        with connect(grading_connection(self.notify)) as driver:
            for profile in profile_names():
                before = len(test.failures)
                for k in range(1, seeds + 1):
                    for varied in (False, True):
                        key = ScenarioKey(profile, size, derive_seed("selftest", profile, str(k)), varied=varied)
                        ensure_loaded(driver, key)
                        for exercise in catalogue():
                            # another pick asks about another organisation where the exercise allows it
                            for pick in range(1 + len(exercise.organisations)):
                                result = check_answer(driver, exercise, exercise.solution, replace(key, pick=pick))
                                test.checks += 1
                                if not result.passed:
                                    test.failures.append((exercise.id, f"{key} (pick {pick})", result.feedback))
                if checked:
                    checked(profile, test.failures[before:])
            test.chosen_now = bool(worlds.ensure_prepared(driver, self.name, {(p, "") for p in profile_names()},
                                                          progress=self.notify))
        for profile in profile_names():
            choice = worlds.stored_choice(self.name, profile)
            if choice is not None:
                test.choices[profile] = choice
                test.not_separated[profile] = worlds.written_not_separable(self.name, profile)
        return test

    # ------------------------------------------------------------ answer keys

    def answer_keys(self, out: Path, profile: str | None = None, seed: int | None = None,
                    trainee: str | None = None, case: str | None = None) -> AnswerKeys:
        """The confidential answer key of every exercise for one scenario (Markdown and JSON): a seed's, a
        trainee's own, a case's, or (none given) the scenario or case loaded in the database now."""
        if sum(x is not None for x in (seed, trainee, case)) > 1:
            raise LinklabError("give one of --seed N (with --profile), --trainee ID or --case NAME "
                               "(or none: the scenario loaded now)")
        separated = None
        if seed is None and trainee is None and case is None:
            pairs, title = loaded_scenario_keys()
        elif case:
            key = case_keys(self.name, case)[0]
            pairs = [(e, key) for e in case_catalogue()]
            title = f"Answer key for case {case}"
            separated = self.not_separable(key.case, key.case_hash)
        elif trainee:
            pairs = [(e, scenarios_for(e, self.name, trainee)[0]) for e in catalogue()]
            title = f"Answer key for trainee {trainee} ({self.name})"
        else:
            pairs = [(e, ScenarioKey(profile or DESIGN, SIZE, seed)) for e in catalogue()]
            title = f"Answer key for seed {seed}"
        return AnswerKeys(len(pairs), write_keys(key_entries(pairs), out, title), separated)


    # ------------------------------------------------------------ a course run as a class, on its own servers

    def class_servers(self) -> servers.ClassDatabases:
        if self.databases is None:
            raise LinklabError(f"course {self.name!r} is not running as a class here (linklab lab --class)")
        return self.databases

    def prepare_class(self) -> servers.Preparation:
        """Choose the hidden worlds (once per course), load the course's scenarios and pin the hidden ones on
        the class's grading servers."""
        return servers.prepare(self.class_servers(), self.name, self.notify)

    def is_prepared(self) -> bool:
        """The course's hidden worlds are chosen (kept in the store: true after a restart too)."""
        return all(worlds.stored_choice(self.name, p) is not None for p in self.class_servers().plan.profiles)

    def require_profile(self, profile: str) -> None:
        """Refuse, in one line, a profile the class has no exploration server for."""
        profiles = self.class_servers().plan.profiles
        if profile not in profiles:
            raise LinklabError(f"no exploration server for profile {profile!r}: one of {', '.join(profiles)}")

    def reset(self, profile: str) -> Reset:
        """Load the course's scenario on the exploration server of `profile` again; trainees are told while
        it loads (and their checks wait rather than fail)."""
        databases = self.class_servers()
        self.require_profile(profile)
        scenario = class_scenario(profile, self.name)
        self.notify(f"loading the course's {profile} scenario again...")
        state.begin(self.name, state.Notice.RESET, profile)
        try:
            seconds = servers.reload(databases.explorers[profile], scenario, self.notify)
        finally:
            state.end(self.name, state.Notice.RESET, profile)
        return Reset(profile, round(seconds, 1))

    def regrade(self, trainee: str | None = None, exercise: str | None = None) -> regrading.Regrade:
        """Every recorded answer (or one trainee's, one exercise's) checked again with today's grader; the old
        verdicts stay in the records, superseded; a verdict that changed is queued for the LMS too."""
        exercise = get(exercise).id if exercise else None
        done = regrading.regrade(self.class_servers(), self.name, self.notify, trainee or None, exercise)
        self.queue_scores()
        return done

    def queue_scores(self) -> int:
        """Every trainee's scores the LMS may see now (exam rules), queued to be sent (lti.grades.Outbox)."""
        def visible(exercise_id: str) -> bool:
            return exam.results_shown(self.name, exercise_id)
        return sum(lti_grades.queue_scores(self.name, t, visible) for t in accounts.trainees(self.name))

    # ------------------------------------------------------------ the console's views and exports

    def grid(self) -> dict:
        return console.grid(self.name)

    def common_mistakes(self) -> list[dict]:
        return console.common_mistakes(self.name)

    def answers_of(self, trainee: str, exercise: str) -> dict:
        return console.answers_of(self.name, trainee, exercise)

    def key_view(self, exercise_id: str, rows: int = 100) -> dict:
        """An exercise's answer on the course's own scenario (its first `rows` rows), with its solution."""
        exercise = get(exercise_id)
        scenario = class_key(exercise, self.name)
        answer = answer_key(exercise, scenario)
        view = {"exercise": exercise.id, "title": exercise.title, "scenario": str(scenario),
                "solution": exercise.solution, "parameters": answer.params,
                "rows": [list(row) for row in answer.expected.rows[:rows]], "total_rows": len(answer.expected.rows)}
        return json.loads(json.dumps(view, default=str))  # dates and the like as text, as the console shows them

    def export(self, name: str) -> bytes:
        """One of EXPORTS, made from the records in a folder that is removed afterwards."""
        if name not in EXPORTS:
            raise LinklabError(f"no export called {name!r}: one of {', '.join(EXPORTS)}")
        with tempfile.TemporaryDirectory(prefix="linklab-export-") as folder:
            paths = console.export(self.name, Path(folder))
            if name != "gradescope.zip":
                return paths[EXPORTS[name]].read_bytes()
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for file in sorted(paths["gradescope"].rglob("*.json")):
                    archive.write(file, file.relative_to(paths["gradescope"]))
            return buffer.getvalue()


def loaded_scenario_keys() -> tuple[list, str]:
    """(exercise, key) pairs and a title for the scenario or case loaded in the database now."""
    with connect() as driver:
        props = require_complete(driver).props
    if props.get("kind") == "hidden":
        raise LinklabError("this database holds a hidden scenario (the grader loaded it): reset it first, or "
                           "give --seed/--trainee/--case")
    if props.get("kind") == "case":
        key = CaseKey(props["case"], props["variant"], props["case_hash"])
        return [(e, key) for e in case_catalogue()], f"Answer key for {key} (loaded now)"
    key = ScenarioKey(props["profile"], props["size"], props["seed"])
    return [(e, key) for e in catalogue()], f"Answer key for {key} (loaded now)"
