"""Grading results as files: results.json (everything), junit.xml (CI dashboards) and Gradescope's
results.json per trainee (score, execution_time, output, visibility, tests[]).

Feedback can quote an answer (a syntax error names what it found), and an answer can hold any character:
every text is made one its format can carry, so that no answer makes a file unreadable. XML 1.0 cannot hold
most control characters, lone surrogates or U+FFFE/U+FFFF (xml_text); UTF-8 and strict JSON readers cannot
hold lone surrogates (json_safe). Each becomes U+FFFD, the replacement character.

Every file is written to a temporary file and renamed into place, all of them only once all are written:
a full disk leaves the last complete results as they were, and the error names the file."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..config import write_files_atomically
from ..errors import LinklabError
from ..exercises.catalogue import case_catalogue, catalogue
from .batch import ClassResults
from .engine import ExerciseVerdict
from .status import Status


NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub("\ufffd", str(text))


def json_safe(value):
    """`value` with every lone surrogate in its texts (keys too) replaced."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def folder_name(trainee: str) -> str:
    """The trainee's folder in gradescope/: their name, unless it cannot be one folder's name."""
    name = re.sub(r"[/\\\x00-\x1f]", "_", json_safe(trainee))
    return "_" if name in ("", ".", "..") else name


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


def status_of(verdict: ExerciseVerdict) -> Status:
    """passed | failed | refused | not_graded | missing"""
    return verdict.status


def exercise_titles() -> dict[str, str]:
    return {e.id: e.title for e in catalogue() + case_catalogue()}


def junit_xml(results: ClassResults) -> ET.ElementTree:
    titles = exercise_titles()
    root = ET.Element("testsuites", name=xml_text(f"linklab {results.course}"))
    total = failures = 0
    for trainee, verdicts in results.verdicts.items():
        failed = sum(1 for v in verdicts if not v.passed)
        seconds = sum(c.seconds for v in verdicts for c in v.checks)
        suite = ET.SubElement(root, "testsuite", name=xml_text(trainee), tests=str(len(verdicts)),
                              failures=str(failed), errors="0", skipped="0", time=f"{seconds:.3f}")
        for v in verdicts:
            case = ET.SubElement(suite, "testcase", name=xml_text(f"{v.exercise}: {titles.get(v.exercise, '')}"),
                                 classname=xml_text(f"linklab.{trainee}"),
                                 time=f"{sum(c.seconds for c in v.checks):.3f}")
            if not v.passed:
                failure = ET.SubElement(case, "failure", message=xml_text(v.feedback), type=status_of(v))
                failure.text = xml_text("\n".join(f"{c.status} {c.scenario}: {c.feedback}" for c in v.checks))
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


def json_bytes(data: dict) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def junit_bytes(results: ClassResults) -> bytes:
    buffer = io.BytesIO()
    junit_xml(results).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue()


def write_all(results: ClassResults, out: Path, gradescope_file: tuple[str, Path] | None = None) -> dict[str, Path]:
    """results.json, junit.xml and gradescope/TRAINEE/results.json in `out`; `gradescope_file`: (trainee,
    path) for one more copy of a trainee's Gradescope file (`grade --single --gradescope PATH`)."""
    paths = {"json": out / "results.json", "junit": out / "junit.xml", "gradescope": out / "gradescope"}
    files = {paths["json"]: json_bytes(json_safe(results_json(results))), paths["junit"]: junit_bytes(results)}
    for trainee, verdicts in results.verdicts.items():
        seconds = sum(c.seconds for v in verdicts for c in v.checks)
        files[out / "gradescope" / folder_name(trainee) / "results.json"] = json_bytes(json_safe(gradescope(verdicts, seconds)))
    if gradescope_file:
        trainee, path = gradescope_file
        files[path] = json_bytes(json_safe(gradescope(results.verdicts[trainee], results.seconds)))
    try:
        write_files_atomically(files)
    except OSError as exc:
        raise LinklabError(f"cannot write {exc.filename}: {exc.strerror}; no results file was changed (the last "
                           f"complete {paths['json'].name} is kept): free some space, then run the same "
                           "`linklab grade` again (the checks done are kept in checks.jsonl)") from None
    return paths
