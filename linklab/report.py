"""A class report from grading results: an HTML page that works offline (inline SVG chart, no scripts
from anywhere) and a CSV gradebook for an LMS."""

from __future__ import annotations

import csv
import html
import json
from collections import Counter
from pathlib import Path

from .errors import LinklabError
from .feedback import NOT_SUBMITTED


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


TRAINEE_FIELDS = {"score": int, "max_score": int, "exercises": list}
EXERCISE_FIELDS = {"exercise": str, "passed": bool, "points": int, "feedback": str}


def check_fields(data: dict, file: Path) -> None:
    """Every field the report reads, with its type: a damaged or hand-edited file gets one line that
    names the trainee and the field, not a traceback."""
    for name, trainee in data["trainees"].items():
        where = f"{file}: trainee {name!r}"
        if not isinstance(trainee, dict):
            raise LinklabError(f"{where} is not a record")
        for key, kind in TRAINEE_FIELDS.items():
            if not isinstance(trainee.get(key), kind):
                raise LinklabError(f"{where} has no {key!r} ({kind.__name__}): is this a linklab results.json?")
        for i, exercise in enumerate(trainee["exercises"], 1):
            for key, kind in EXERCISE_FIELDS.items():
                if not isinstance(exercise, dict) or not isinstance(exercise.get(key), kind):
                    raise LinklabError(f"{where}, exercise {i} has no {key!r} ({kind.__name__})")
        if not isinstance(trainee.get("hints", {}), dict):
            raise LinklabError(f"{where}: 'hints' is not a mapping of exercise to count")


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
            tally[1] += ex["feedback"] != NOT_SUBMITTED
            tally[2] += 1
    return [(ex, *tally) for ex, tally in counts.items()]


def failure_reasons(data: dict, top: int = 10) -> list[tuple[str, str, int]]:
    """(exercise, what the failed answers were diagnosed as, how many), most common first; answers that
    were not handed in are counted apart (pass_rates), not as a failure reason."""
    reasons = Counter((ex["exercise"], ex.get("mistake") or ex["feedback"]) for t in data["trainees"].values()
                      for ex in t["exercises"] if not ex["passed"] and ex["feedback"] != NOT_SUBMITTED)
    return [(exercise, reason, n) for (exercise, reason), n in reasons.most_common(top)]


def bar_chart(rates: list[tuple[str, int, int, int]]) -> str:
    row, width, label = 22, 360, 190
    height = row * len(rates) + 30
    bars = []
    for i, (name, passed, answered, total) in enumerate(rates):
        y, rate = 10 + i * row, passed / total if total else 0
        bars.append(f'<text x="{label - 6}" y="{y + 15}" text-anchor="end">{html.escape(name)}</text>'
                    f'<rect x="{label}" y="{y + 3}" width="{width * rate:.1f}" height="{row - 6}" fill="#2b6cb0"/>'
                    f'<text x="{label + width * rate + 4:.1f}" y="{y + 15}">{passed} of {total} passed '
                    f'({rate:.0%}); {total - answered} no answer</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{label + width + 220}" height="{height}" '
            f'font-family="sans-serif" font-size="12" role="img" aria-label="pass rate per exercise">'
            + "".join(bars) + "</svg>")


SYMBOL = {"passed": ("\u2713", "#2f855a"), "failed": ("\u2717", "#c53030"), "missing": ("\u2013", "#718096")}


def grid_table(data: dict) -> str:
    """Trainees x exercises: passed, failed, or no answer, with the diagnosis on hover."""
    names = sorted(data["trainees"])
    exercises = [ex["exercise"] for ex in data["trainees"][names[0]]["exercises"]]
    head = "".join(f'<th title="{html.escape(e)}">{i}</th>' for i, e in enumerate(exercises, 1))
    rows = []
    for name in names:
        cells = []
        for ex in data["trainees"][name]["exercises"]:
            kind = "passed" if ex["passed"] else "missing" if ex["feedback"] == NOT_SUBMITTED else "failed"
            mark, colour = SYMBOL[kind]
            tip = html.escape(f"{ex['exercise']}: {kind}" + (f" - {ex.get('mistake')}" if ex.get("mistake") else ""))
            cells.append(f'<td title="{tip}" style="color:{colour};text-align:center">{mark}</td>')
        rows.append(f"<tr><td>{html.escape(name)}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>trainee</th>{head}</tr>{''.join(rows)}</table>"


def html_report(data: dict) -> str:
    rates = pass_rates(data)
    rows = []
    for name, t in sorted(data["trainees"].items()):
        passed = sum(ex["passed"] for ex in t["exercises"])
        hints = sum(t.get("hints", {}).values())
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{t['score']}</td><td>{t['max_score']}</td>"
                    f"<td>{passed} of {len(t['exercises'])}</td><td>{hints}</td></tr>")
    reasons = "".join(f"<li><b>{html.escape(ex)}</b>: {html.escape(r)} ({n} answer{'s' if n != 1 else ''})</li>"
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
<p>\u2713 passed, \u2717 answered but not passed (hover for the diagnosis), \u2013 no answer. Columns follow
the catalogue's order.</p>
{grid_table(data)}
<h2>Trainees</h2>
<table><tr><th>trainee</th><th>score</th><th>of</th><th>passed</th><th>hints used</th></tr>
{''.join(rows)}</table>
<h2>Most common mistakes</h2>
<ol>{reasons or '<li>none</li>'}</ol>
</body></html>
"""


def gradebook(data: dict, out: Path) -> None:
    exercises = [ex["exercise"] for ex in next(iter(data["trainees"].values()))["exercises"]]
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["trainee", "score", "max_score", *map(spreadsheet_safe, exercises)])
        for name, t in sorted(data["trainees"].items()):
            points = {ex["exercise"]: ex["points"] for ex in t["exercises"]}
            writer.writerow([spreadsheet_safe(name), t["score"], t["max_score"],
                             *(points.get(e, 0) for e in exercises)])


def write_report(results: Path, out: Path) -> list[Path]:
    data = read_results(results)
    out.mkdir(parents=True, exist_ok=True)
    page, book = out / "report.html", out / "gradebook.csv"
    page.write_text(html_report(data), encoding="utf-8")
    gradebook(data, book)
    return [page, book]
