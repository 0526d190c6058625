"""What a class changes about the trainee's API (web.trainee_api): exam rules and withheld results
(classroom.exam), queries refused at once while the instructor reloads a scenario (classroom.state), and
scores queued for the LMS when a trainee passes (lti.grades). The local lab uses LabRules, which changes
nothing."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from ..classroom import exam, state
from ..exercises.catalogue import Exercise, catalogue
from ..feedback import exam_message
from ..grade.scenarios import class_profile_for
from ..progress import Progress


class LabRules:
    def before_work(self, course: str, exercise: Exercise) -> None:
        """Raise when the exercise's database cannot serve now (the class: a reset under way)."""

    def check_slot(self, trainee: str, course: str, exercise: Exercise) -> AbstractContextManager:
        return nullcontext()

    def shown_verdict(self, trainee: str, course: str, exercise: Exercise, view: dict) -> dict:
        return view

    def shown_exercise(self, trainee: str, course: str, view: dict) -> dict:
        return view

    def shown_list(self, trainee: str, course: str, exercises: list[dict]) -> list[dict]:
        return exercises

    def shown_progress(self, trainee: str, course: str, progress: dict) -> dict:
        return progress

    def after_check(self, trainee: str, course: str, exercise: Exercise, passed: bool) -> None:
        """Called once the check is recorded."""


class ClassRules(LabRules):
    def __init__(self, course: str):
        self.course = course

    def withheld(self, exercise_id: str) -> bool:
        return not exam.results_shown(self.course, exercise_id)

    def before_work(self, course: str, exercise: Exercise) -> None:
        if state.busy(course, class_profile_for(exercise)):
            raise state.Busy(exercise.id)

    def check_slot(self, trainee: str, course: str, exercise: Exercise) -> AbstractContextManager:
        return exam.attempt(course, trainee, exercise.id)

    def shown_verdict(self, trainee: str, course: str, exercise: Exercise, view: dict) -> dict:
        standing = exam.standing(course, trainee, exercise.id)
        if not self.withheld(exercise.id):
            return {**view, "exam": standing.view()}
        return {"exercise": exercise.id, "passed": None, "status": "recorded", "points": None,
                "max_points": exercise.points, "feedback": exam_message("recorded"), "limit": "", "checks": [],
                "exam": standing.view()}

    def shown_exercise(self, trainee: str, course: str, view: dict) -> dict:
        standing = exam.standing(course, trainee, view["id"])
        shown = {**view, "exam": standing.view()}
        if standing.exam and self.withheld(view["id"]):
            shown["status"] = masked(view["status"])
        elif standing.exam:  # released: the latest result, with its feedback
            entry = Progress.load(trainee, course).exercises.get(view["id"], {})
            if entry.get("attempts"):
                shown["result"] = {"passed": bool(entry["passed"]), "feedback": entry.get("feedback", "")}
        return shown

    def shown_list(self, trainee: str, course: str, exercises: list[dict]) -> list[dict]:
        return [{**e, "status": masked(e["status"])} if self.withheld(e["id"]) else e for e in exercises]

    def shown_progress(self, trainee: str, course: str, progress: dict) -> dict:
        hidden = [e for e in catalogue() if self.withheld(e.id)]
        if not hidden:
            return progress
        record = Progress.load(trainee, course)
        passed_hidden = [e for e in hidden if record.status(e.id) == "passed"]
        answered = sum(1 for e in hidden if record.exercises.get(e.id, {}).get("attempts"))
        return {**progress, "passed": progress["passed"] - len(passed_hidden),
                "points": progress["points"] - sum(e.points for e in passed_hidden), "awaiting": answered}

    def after_check(self, trainee: str, course: str, exercise: Exercise, passed: bool) -> None:
        if passed and not self.withheld(exercise.id):
            from ..lti import grades

            grades.queue_scores(course, trainee, lambda exercise_id: not self.withheld(exercise_id))


def masked(status: str) -> str:
    """An exam's status before release: answered or not, never passed or failed."""
    return "answered" if status in ("passed", "trying") else status
