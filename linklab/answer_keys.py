"""Answer keys for instructors: every exercise's reference query and expected result for one scenario,
as Markdown (to discuss solutions) and JSON (for tools). Marked confidential; no trainee command writes them."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .exercises.catalogue import Exercise
from .grade.engine import CaseKey, ScenarioKey, answer_key

BANNER = "CONFIDENTIAL: instructor answer key. Do not share with trainees."


def key_entries(exercises: list[tuple[Exercise, ScenarioKey | CaseKey]]) -> list[dict]:
    entries = []
    for exercise, key in exercises:
        answer = answer_key(exercise, key)
        entries.append({
            "id": exercise.id, "number": exercise.number, "title": exercise.title, "scenario": str(key),
            **asdict(key),  # profile, size, seed; or case, variant, case_hash
            "parameters": {k: v for k, v in answer.params.items()},
            "reference_query": exercise.solution.split("\n", 1)[1].strip(),
            "expected_rows": [list(r) for r in answer.expected.rows],
            "also_accepted_at_the_boundary": [list(r) for r in answer.expected.tied],
            "comparison": exercise.compare.mode,
        })
    return entries


def markdown(entries: list[dict], title: str) -> str:
    lines = [f"# {title}", "", f"**{BANNER}**", ""]
    for e in entries:
        lines += [f"## {e['number']}. {e['title']} (`{e['id']}`)", "", f"Scenario: {e['scenario']}", ""]
        if e["parameters"]:
            lines += ["Parameters: " + ", ".join(f"`${k}` = `{v}`" for k, v in e["parameters"].items()), ""]
        lines += ["```cypher", e["reference_query"], "```", "", f"Expected ({e['comparison']}):", ""]
        lines += [f"- {' | '.join(json.dumps(v, ensure_ascii=False) for v in row)}" for row in e["expected_rows"][:50]]
        if len(e["expected_rows"]) > 50:
            lines.append(f"- … {len(e['expected_rows']) - 50} more rows in the JSON file")
        lines.append("")
    return "\n".join(lines)


def write_keys(entries: list[dict], out: Path, title: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "answer-key.md", out / "answer-key.json"
    md.write_text(markdown(entries, title) + "\n", encoding="utf-8")
    js.write_text(json.dumps({"confidential": BANNER, "title": title, "exercises": entries},
                             indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [md, js]
