"""Grading results as files: results.json (everything), junit.xml (CI dashboards) and Gradescope's
results.json per trainee (score, execution_time, output, visibility, tests[])."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from ..exercises.catalogue import case_catalogue, catalogue
from ..feedback import NOT_SUBMITTED
from .batch import ClassResults
from .engine import ExerciseVerdict


def results_json(results: ClassResults) -> dict:
    trainees = {}
    for trainee, verdicts in results.verdicts.items():
        trainees[trainee] = {
            "score": sum(v.points for v in verdicts),
            "max_score": sum(v.max_points for v in verdicts),
            "exercises": [v.to_dict() for v in verdicts],
            "hints": results.hints.get(trainee, {}),
        }
    return {"course": results.course, "seconds": round(results.seconds, 3),
            "reseed_seconds": round(results.reseed_seconds, 3), "checks_run": results.checks_run,
            "trainees": trainees}


def status_of(verdict: ExerciseVerdict) -> str:
    """passed | failed | refused | missing"""
    if verdict.passed:
        return "passed"
    if verdict.feedback == NOT_SUBMITTED:
        return "missing"
    if any(c.status == "refused" for c in verdict.checks):
        return "refused"
    return "failed"


def exercise_titles() -> dict[str, str]:
    return {e.id: e.title for e in catalogue() + case_catalogue()}


def junit_xml(results: ClassResults) -> ET.ElementTree:
    titles = exercise_titles()
    root = ET.Element("testsuites", name=f"linklab {results.course}")
    total = failures = 0
    for trainee, verdicts in results.verdicts.items():
        failed = sum(1 for v in verdicts if not v.passed)
        seconds = sum(c.seconds for v in verdicts for c in v.checks)
        suite = ET.SubElement(root, "testsuite", name=trainee, tests=str(len(verdicts)), failures=str(failed),
                              errors="0", skipped="0", time=f"{seconds:.3f}")
        for v in verdicts:
            case = ET.SubElement(suite, "testcase", name=f"{v.exercise}: {titles.get(v.exercise, '')}",
                                 classname=f"linklab.{trainee}", time=f"{sum(c.seconds for c in v.checks):.3f}")
            if not v.passed:
                failure = ET.SubElement(case, "failure", message=v.feedback, type=status_of(v))
                failure.text = "\n".join(f"{c.status} {c.scenario}: {c.feedback}" for c in v.checks)
            ET.SubElement(case, "system-out").text = f"{v.points}/{v.max_points} points"
        total += len(verdicts)
        failures += failed
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return ET.ElementTree(root)


def gradescope(verdicts: list[ExerciseVerdict], seconds: float) -> dict:
    titles = exercise_titles()
    return {
        "score": sum(v.points for v in verdicts),
        "max_score": sum(v.max_points for v in verdicts),
        "execution_time": round(seconds, 3),
        "output": "Each answer is checked on your scenario and on hidden scenarios with other people.",
        "visibility": "visible",
        "tests": [{
            "name": f"{v.exercise}: {titles.get(v.exercise, '')}",
            "score": v.points,
            "max_score": v.max_points,
            "status": "passed" if v.passed else "failed",
            "output": v.feedback,
            "visibility": "visible",
        } for v in verdicts],
    }


def write_all(results: ClassResults, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "junit": out / "junit.xml"}
    paths["json"].write_text(json.dumps(results_json(results), indent=2) + "\n")
    junit_xml(results).write(paths["junit"], encoding="utf-8", xml_declaration=True)
    for trainee, verdicts in results.verdicts.items():
        path = out / "gradescope" / trainee / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        seconds = sum(c.seconds for v in verdicts for c in v.checks)
        path.write_text(json.dumps(gradescope(verdicts, seconds), indent=2) + "\n")
    paths["gradescope"] = out / "gradescope"
    return paths
