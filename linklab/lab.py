"""The trainee's side of the library face: one trainee's session in one course, as `Course` is the
instructor's. The exercises they are offered and their standing, one exercise with their parameters, hints,
loading their scenario, running (and stopping) a query, the graph view's neighbours and paths, checking an
answer (recorded), their progress and the name the lab calls them. `linklab exercises|show|hint|check|progress`
and the lab's API (web.trainee_api, in a trainee's own lab and in a class) are thin shells over it.

It holds who the trainee is, their course, whether they are in a class (`shared`: the course's world on an
exploration server, the exercises on generated scenarios only) and the databases (service.Databases, one
driver each, shared by every request of a process; a lab given none opens its own when a method needs one,
and closes them with the lab: `with Lab.of(...) as lab`). Its methods return result objects and dicts; it
prints nothing and says how far it is through `notify`. The work is service.py's functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import service
from .exercises.catalogue import Exercise
from .grade.engine import CaseKey, ExerciseVerdict, ScenarioKey
from .grade.guard import Limits

Notify = Callable[[str], None]


@dataclass
class Lab:
    trainee: str
    course: str
    given: service.Databases | None = None  # the process's databases; None: the lab's own, opened when needed
    notify: Notify | None = None
    owned: service.Databases | None = field(default=None, init=False, repr=False)

    @classmethod
    def of(cls, trainee: str | None = None, course: str | None = None,
           databases: service.Databases | None = None, notify: Notify | None = None) -> "Lab":
        """The lab of a trainee and course as given, else as the environment or the system says
        (LINKLAB_TRAINEE, LINKLAB_COURSE, the user's name, service.DEFAULT_COURSE)."""
        return cls(*service.identity(trainee, course), databases, notify)

    @property
    def databases(self) -> service.Databases:
        if self.given is not None:
            return self.given
        if self.owned is None:
            self.owned = service.Databases(self.notify)
        return self.owned

    def close(self) -> None:
        """Close the databases the lab opened itself (never those it was given)."""
        if self.owned is not None:
            self.owned.close()
            self.owned = None

    def __enter__(self) -> "Lab":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def shared(self) -> bool:
        """In a class: the course's world on an exploration server, and no case exercises."""
        return self.given is not None and self.given.shared

    # ------------------------------------------------------------ what the trainee is offered

    def exercises(self) -> list[dict]:
        """The exercises offered, each with the trainee's status."""
        return service.exercise_list(self.trainee, self.course, self.shared)

    def exercise(self, exercise: Exercise, case: str | None = None) -> dict:
        """The task, the trainee's parameters, the hints taken so far, their scenario and whether it is loaded."""
        return service.exercise_view(exercise, self.trainee, self.course, self.databases.explorer_for(exercise),
                                     case, self.shared)

    def scenario(self, exercise: Exercise, case: str | None = None) -> ScenarioKey | CaseKey:
        """The world the trainee explores for this exercise."""
        return service.exploring(exercise, self.trainee, self.course, case, self.shared)

    def is_loaded(self, exercise: Exercise, case: str | None = None) -> bool:
        return service.is_loaded(self.databases.explorer_for(exercise), self.scenario(exercise, case))

    def hint(self, exercise: Exercise) -> dict:
        """The next hint (recorded: hints taken are part of the trainee's standing)."""
        return service.next_hint(exercise, self.trainee, self.course)

    def progress(self) -> dict:
        """Exercises passed, points and hints, over every exercise offered."""
        return service.progress_view(self.trainee, self.course, self.shared)

    def display_name(self) -> str:
        return service.display_name(self.trainee, self.course)

    # ------------------------------------------------------------ working on the trainee's scenario

    def load(self, exercise: Exercise, case: str | None = None) -> str:
        """Load the trainee's scenario for this exercise into their database, unless it is there."""
        return service.load_for(exercise, self.trainee, self.course, self.databases.explorer_for(exercise), case,
                                self.notify, self.shared)

    def run(self, exercise: Exercise, query: str, limits: Limits | None = None, run_id: str = "",
            case: str | None = None) -> service.RunOutcome:
        """Run a query on the trainee's scenario under the guards of a check (EXPLAIN: its plan instead);
        `run_id` lets `stop` end it."""
        return service.run(exercise, query, self.trainee, self.course, self.databases.explorer_for(exercise), case,
                           limits, self.shared, run_id)

    def stop(self, exercise: Exercise, run_id: str) -> bool:
        """End one of the trainee's runs (never another trainee's: the id is scoped to them)."""
        return service.stop(self.databases.explorer_for(exercise), self.trainee, self.course, run_id)

    def around(self, exercise: Exercise, node: str, other: str | None = None) -> service.RunOutcome:
        """A node's neighbours, or with `other` a shortest path between the two, on the trainee's scenario."""
        return service.look_around(exercise, self.trainee, self.course, self.databases.explorer_for(exercise), node,
                                   other, None, self.shared)

    # ------------------------------------------------------------ checking

    def check(self, exercise: Exercise, query: str, case: str | None = None, wait: bool = True) -> ExerciseVerdict:
        """Check an answer on the trainee's scenario and the course's hidden ones, and record the verdict;
        without `wait`, a right answer whose hidden worlds are not ready yet is PENDING (not recorded)."""
        return service.check_and_record(exercise, query, self.trainee, self.course, case, self.notify,
                                        self.databases, wait)
