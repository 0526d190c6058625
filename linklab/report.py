"""A class report from grading results: an HTML page that works offline (inline SVG chart, no scripts
from anywhere) and a CSV gradebook for an LMS."""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter
from pathlib import Path

from .config import write_files_atomically
from .errors import LinklabError
from .classroom.names import sort_key
from .grade.status import Status, status_of


def read_results(path: Path) -> dict:
    """results.json itself, or a grading output folder that holds it."""
    file = path / "results.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LinklabError(f"no results at {file}: run `linklab grade` first") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise LinklabError(f"{file} is not a linklab results.json") from None
    if not isinstance(data, dict) or not isinstance(data.get("trainees"), dict):
        raise LinklabError(f"{file} is not a linklab results.json (no 'trainees')")
    if not data["trainees"]:
        raise LinklabError(f"{file} has no trainees: nothing to report")
    check_fields(data, file)
    return data


# Every field the report reads, and what it must be (bool is not a number here, though Python says it is).
TOP_FIELDS = {"course": (str, False), "checks_run": (int, False)}  # field: (type, required)
TRAINEE_FIELDS = {"score": (int, True), "max_score": (int, True), "exercises": (list, True), "hints": (dict, False)}
EXERCISE_FIELDS = {"exercise": (str, True), "passed": (bool, True), "points": (int, True), "feedback": (str, True),
                   "max_points": (int, False), "mistake": (str, False), "status": (str, False), "limit": (str, False)}
TYPE_WORDS = {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a mapping"}


def fits(value, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def check_record(record: dict, fields: dict, where: str) -> None:
    for key, (kind, required) in fields.items():
        if key not in record:
            if required:
                raise LinklabError(f"{where} has no {key!r} ({TYPE_WORDS[kind]}): is this a linklab results.json?")
        elif not fits(record[key], kind):
            raise LinklabError(f"{where}: {key!r} is {type(record[key]).__name__}, not {TYPE_WORDS[kind]}")


def check_fields(data: dict, file: Path) -> None:
    """Every field the report reads, with its type: a damaged or hand-edited file gets one line that
    names the trainee and the field, not a traceback."""
    check_record(data, TOP_FIELDS, str(file))
    for name, trainee in data["trainees"].items():
        where = f"{file}: trainee {name!r}"
        if not isinstance(trainee, dict):
            raise LinklabError(f"{where} is not a record")
        check_record(trainee, TRAINEE_FIELDS, where)
        for i, exercise in enumerate(trainee["exercises"], 1):
            if not isinstance(exercise, dict):
                raise LinklabError(f"{where}, exercise {i} is not a record")
            check_record(exercise, EXERCISE_FIELDS, f"{where}, exercise {i}")
            if "status" in exercise and exercise["status"] not in set(Status):
                raise LinklabError(f"{where}, exercise {i}: 'status' is {exercise['status']!r}, not one of "
                                   f"{', '.join(Status)}")
        for exercise, count in trainee.get("hints", {}).items():
            if not fits(count, int) or count < 0:
                raise LinklabError(f"{where}: 'hints' of {exercise!r} is {count!r}, not a count")


def exercise_titles() -> dict[str, str]:
    """Exercise id -> "N. Title" as people read it (case exercises by title); an unknown id stays itself."""
    from .exercises.catalogue import case_catalogue, catalogue

    titles = {e.id: f"{e.number}. {e.title}" for e in catalogue()}
    titles.update({e.id: e.title for e in case_catalogue()})
    return titles


def titled(exercise_id: str, titles: dict[str, str]) -> str:
    return titles.get(exercise_id, exercise_id)


def status(exercise: dict) -> Status:
    """An exercise's status as recorded (files of an older linklab have only `passed`)."""
    return status_of(exercise.get("status", ""), exercise["passed"])


def answered(exercise: dict) -> bool:
    return status(exercise) not in (Status.MISSING, Status.NOT_GRADED)


def spreadsheet_safe(value):
    """A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is quoted with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def pass_rates(data: dict) -> list[tuple[str, int, int, int]]:
    """(exercise, passed, answered, trainees) per exercise, in catalogue order."""
    counts: dict[str, list[int]] = {}
    for trainee in data["trainees"].values():
        for ex in trainee["exercises"]:
            tally = counts.setdefault(ex["exercise"], [0, 0, 0])
            tally[0] += bool(ex["passed"])
            tally[1] += answered(ex)
            tally[2] += 1
    return [(ex, *tally) for ex, tally in counts.items()]


def failure_reasons(data: dict, top: int = 10) -> list[tuple[str, str, int]]:
    """(exercise, what the failed answers were diagnosed as, how many), most common first; answers that
    were not handed in are counted apart (pass_rates), not as a failure reason."""
    reasons = Counter((ex["exercise"], ex.get("mistake") or ex["feedback"]) for t in data["trainees"].values()
                      for ex in t["exercises"] if not ex["passed"] and answered(ex))
    return [(exercise, reason, n) for (exercise, reason), n in reasons.most_common(top)]


def bar_chart(rates: list[tuple[str, int, int, int]]) -> str:
    titles = exercise_titles()
    row, width, label = 22, 360, 300
    height = row * len(rates) + 30
    bars = []
    for i, (name, passed, answered, total) in enumerate(rates):
        y, rate = 10 + i * row, passed / total if total else 0
        bars.append(f'<text x="{label - 6}" y="{y + 15}" text-anchor="end">{html.escape(titled(name, titles)[:45])}'
                    f'<title>{html.escape(titled(name, titles))}</title></text>'
                    f'<rect x="{label}" y="{y + 3}" width="{width * rate:.1f}" height="{row - 6}" fill="#2b6cb0"/>'
                    f'<text x="{label + width * rate + 4:.1f}" y="{y + 15}">{passed} of {total} passed '
                    f'({rate:.0%}); {total - answered} no answer</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{label + width + 220}" height="{height}" '
            f'font-family="sans-serif" font-size="12" role="img" aria-label="pass rate per exercise">'
            + "".join(bars) + "</svg>")


SYMBOL = {"passed": ("\u2713", "#2f855a"), "failed": ("\u2717", "#c53030"), "missing": ("\u2013", "#718096"),
          "not graded": ("?", "#718096")}


def grid_table(data: dict) -> str:
    """Trainees x exercises: passed, failed, or no answer, with the diagnosis on hover."""
    names = sorted(data["trainees"], key=sort_key)
    exercises = [ex["exercise"] for ex in data["trainees"][names[0]]["exercises"]]
    titles = exercise_titles()
    head = "".join(f'<th title="{html.escape(titled(e, titles))}">{i}</th>' for i, e in enumerate(exercises, 1))
    rows = []
    for name in names:
        cells = []
        for ex in data["trainees"][name]["exercises"]:
            kind = {Status.PASSED: "passed", Status.MISSING: "missing", Status.NOT_GRADED: "not graded"}.get(
                status(ex), "failed")
            mark, colour = SYMBOL[kind]
            tip = html.escape(f"{titled(ex['exercise'], titles)}: {kind}" +
                              (f" - {ex.get('mistake')}" if ex.get("mistake") else ""))
            cells.append(f'<td title="{tip}" style="color:{colour};text-align:center">{mark}</td>')
        rows.append(f"<tr><td>{html.escape(name)}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>trainee</th>{head}</tr>{''.join(rows)}</table>"


def html_report(data: dict) -> str:
    rates = pass_rates(data)
    rows = []
    titles = exercise_titles()
    for name, t in sorted(data["trainees"].items(), key=lambda item: sort_key(item[0])):
        passed = sum(ex["passed"] for ex in t["exercises"])
        hints = sum(t.get("hints", {}).values())
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{t['score']}</td><td>{t['max_score']}</td>"
                    f"<td>{passed} of {len(t['exercises'])}</td><td>{hints}</td></tr>")
    first = next(iter(data["trainees"].values()))["exercises"]
    columns = "; ".join(f"{i} {titled(ex['exercise'], titles)}" for i, ex in enumerate(first, 1))
    reasons = "".join(f"<li><b>{html.escape(titled(ex, titles))}</b>: {html.escape(r)} ({n} answer{'s' if n != 1 else ''})</li>"
                      for ex, r, n in failure_reasons(data))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>linklab report: {html.escape(data.get('course', ''))}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}} table{{border-collapse:collapse;margin-bottom:1em}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}</style></head><body>
<h1>Class report: {html.escape(data.get('course', ''))}</h1>
<p>{len(data['trainees'])} trainee(s), {len(rates)} exercise(s), {data.get('checks_run', 0)} checks run.</p>
<h2>Pass rate per exercise</h2>
{bar_chart(rates)}
<h2>Who passed what</h2>
<p>\u2713 passed, \u2717 answered but not passed (hover for the diagnosis), \u2013 no answer, ? not graded (a
server was not available). Columns follow the catalogue's order: {html.escape(columns)}.</p>
{grid_table(data)}
<h2>Trainees</h2>
<table><tr><th>trainee</th><th>score</th><th>of</th><th>passed</th><th>hints used</th></tr>
{''.join(rows)}</table>
<h2>Most common mistakes</h2>
<ol>{reasons or '<li>none</li>'}</ol>
</body></html>
"""


def gradebook(data: dict, out: Path) -> None:
    write_files_atomically({out: gradebook_text(data).encode("utf-8")})


def gradebook_text(data: dict) -> str:
    exercises = [ex["exercise"] for ex in next(iter(data["trainees"].values()))["exercises"]]
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow(["trainee", "score", "max_score", *map(spreadsheet_safe, exercises)])
    for name, t in sorted(data["trainees"].items()):
        points = {ex["exercise"]: ex["points"] for ex in t["exercises"]}
        writer.writerow([spreadsheet_safe(name), t["score"], t["max_score"], *(points.get(e, 0) for e in exercises)])
    return handle.getvalue()


def write_report(results: Path, out: Path) -> list[Path]:
    """report.html and gradebook.csv, both or neither (a full disk leaves the last ones as they were)."""
    data = read_results(results)
    page, book = out / "report.html", out / "gradebook.csv"
    try:
        write_files_atomically({page: html_report(data).encode("utf-8"), book: gradebook_text(data).encode("utf-8")})
    except OSError as exc:
        raise LinklabError(f"cannot write {exc.filename}: {exc.strerror}; the report files were not changed") from None
    return [page, book]
