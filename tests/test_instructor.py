"""Instructor tools: answer keys, and exports that Gephi and friends open (read back with ElementTree
and csv, not with the library that wrote them)."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

from linklab.exercises.catalogue import catalogue
from linklab.grade.engine import ScenarioKey, answer_key
from linklab.grade.loading import ensure_loaded
from linklab.load import database_counts

from .conftest import run_cli_here

KEY = ScenarioKey("investigation", "tiny", 31)


@pytest.fixture(scope="module")
def loaded_tiny(driver):
    ensure_loaded(driver, KEY)
    counts = database_counts(driver)
    nodes = sum(v for k, v in counts.items() if not k.isupper())
    rels = sum(v for k, v in counts.items() if k.isupper())
    return nodes, rels


def test_answer_key_for_a_seed(tmp_path):
    result = run_cli_here("answers", "--seed", "31", "--profile", "investigation", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "answer-key.json").read_text())
    assert data["confidential"].startswith("CONFIDENTIAL")
    expected_ids = [e.id for e in catalogue()]  # one world: every exercise has a key on it
    assert [e["id"] for e in data["exercises"]] == expected_ids
    hub = next(e for e in data["exercises"] if e["id"] == "hub-messages")
    truth = answer_key(next(e for e in catalogue() if e.id == "hub-messages"), ScenarioKey("investigation", "class", 31))
    assert hub["expected_rows"] == [list(r) for r in truth.expected.rows]
    markdown = (tmp_path / "answer-key.md").read_text()
    assert "CONFIDENTIAL" in markdown and "count(DISTINCT q) AS contacts" in markdown


def test_answer_key_for_a_trainee_and_bad_options(tmp_path):
    result = run_cli_here("answers", "--trainee", "alice", "--course", "c1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len(json.loads((tmp_path / "answer-key.json").read_text())["exercises"]) == len(catalogue())
    bad = run_cli_here("answers", "--seed", "1", "--trainee", "alice", "--out", str(tmp_path))
    assert bad.returncode == 1 and "give one of --seed N" in bad.stderr


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_graphml_export_reads_back(loaded_tiny, cli_env, tmp_path, driver):
    nodes, rels = loaded_tiny
    out = tmp_path / "scenario.graphml"
    result = run_cli_here("export", "--format", "graphml", "--out", str(out), env=cli_env)
    assert result.returncode == 0, result.stderr
    root = ET.parse(out).getroot()
    graph = next(e for e in root if local(e.tag) == "graph")
    xml_nodes = [e for e in graph if local(e.tag) == "node"]
    xml_edges = [e for e in graph if local(e.tag) == "edge"]
    assert (len(xml_nodes), len(xml_edges)) == (nodes, rels)
    keys = {k.get("id"): k.get("attr.name") for k in root if local(k.tag) == "key"}
    names = set()
    for node in xml_nodes:
        data = {keys[d.get("key")]: d.text for d in node if local(d.tag) == "data"}
        if data.get("label") == "Person":
            names.add(data["name"])
    in_db = {r["n"] for r in driver.execute_query("MATCH (p:Person) RETURN p.name AS n").records}
    assert names == in_db


def test_gexf_and_csv_exports_read_back(loaded_tiny, cli_env, tmp_path):
    nodes, rels = loaded_tiny
    gexf = tmp_path / "scenario.gexf"
    assert run_cli_here("export", "--format", "gexf", "--out", str(gexf), env=cli_env).returncode == 0
    root = ET.parse(gexf).getroot()
    assert len([e for e in root.iter() if local(e.tag) == "node"]) == nodes
    assert len([e for e in root.iter() if local(e.tag) == "edge"]) == rels
    folder = tmp_path / "csv"
    assert run_cli_here("export", "--format", "csv", "--out", str(folder), env=cli_env).returncode == 0
    with open(folder / "nodes.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == nodes and {"key", "label", "name"} <= set(rows[0])
    with open(folder / "edges.csv", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert len(edges) == rels and {r["type"] for r in edges} >= {"MESSAGED", "USES", "VENDOR_ON"}


def test_export_around_an_account(loaded_tiny, cli_env, tmp_path, driver):
    nodes, _ = loaded_tiny
    handle = driver.execute_query("MATCH (p:Person)-[:USES]->(a:Account) RETURN a.handle AS h "
                                  "ORDER BY a.id LIMIT 1").records[0]["h"]
    out = tmp_path / "around.graphml"
    result = run_cli_here("export", "--out", str(out), "--around", handle, "--hops", "1", env=cli_env)
    assert result.returncode == 0, result.stderr
    count = len([e for e in ET.parse(out).getroot().iter() if local(e.tag) == "node"])
    assert 2 <= count < nodes
    missing = run_cli_here("export", "--out", str(out), "--around", "no-such-handle", env=cli_env)
    assert missing.returncode == 1 and "no account with handle" in missing.stderr


def fake_results(path, trainees=3, exercises=("crews", "hub-messages", "alias-unmask")):
    data = {"course": "c1", "checks_run": 9, "trainees": {}}
    for i in range(trainees):
        rows = [{"exercise": ex, "passed": (i + j) % 2 == 0, "points": 5 if (i + j) % 2 == 0 else 0,
                 "max_points": 5, "feedback": "correct" if (i + j) % 2 == 0 else
                 f"failed on your scenario: {i + 1} expected row(s) missing", "checks": []}
                for j, ex in enumerate(exercises)]
        data["trainees"][f"t{i}"] = {"score": sum(r["points"] for r in rows), "max_score": 5 * len(rows),
                                     "exercises": rows, "hints": {"crews": i}}
    path.write_text(json.dumps(data))
    return data


def test_report_html_and_gradebook(tmp_path):
    data = fake_results(tmp_path / "results.json")
    result = run_cli_here("report", str(tmp_path / "results.json"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "report.html").read_text()
    assert page.count("<rect ") == 3 and page.count("<tr><td>t") == 6  # the grid and the trainee table
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched: works offline
    assert "2 of 3 passed (67%); 0 no answer" in page  # counts beside every rate
    # reasons as they were, per exercise (no numbers blanked to N), each with how many answers
    hubs = next(e for e in catalogue() if e.id == "hub-messages")
    # exercises named by title wherever a person reads them, never by id
    assert f"<b>{hubs.number}. {hubs.title}</b>: failed on your scenario: 1 expected row(s) missing (1 answer)" in page
    assert f'<th title="{hubs.number}. {hubs.title}">' in page and ">hub-messages<" not in page
    assert "N expected" not in page
    with open(tmp_path / "out" / "gradebook.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["trainee"] for r in rows] == ["t0", "t1", "t2"]
    assert [int(r["score"]) for r in rows] == [t["score"] for t in data["trainees"].values()]


def test_report_counts_missing_answers_apart_from_mistakes(tmp_path):
    """'No answer submitted' (status missing, as grade writes it) is a count in the pass-rate line, not the
    top 'mistake'; a diagnosed mistake is named as diagnosed."""
    data = fake_results(tmp_path / "results.json")
    for trainee in data["trainees"].values():
        trainee["exercises"][2] |= {"passed": False, "points": 0, "feedback": "No answer submitted.", "status": "missing"}
    data["trainees"]["t1"]["exercises"][0] |= {"passed": False, "points": 0, "feedback": "some words",
                                              "mistake": "counts messages in one direction only"}
    (tmp_path / "results.json").write_text(json.dumps(data))
    assert run_cli_here("report", str(tmp_path / "results.json"), "--out", str(tmp_path / "out")).returncode == 0
    page = (tmp_path / "out" / "report.html").read_text()
    assert "0 of 3 passed (0%); 3 no answer" in page
    mistakes = page.split("Most common mistakes")[1]
    assert "No answer submitted" not in mistakes
    crews = next(e for e in catalogue() if e.id == "crews")
    assert f"<b>{crews.number}. {crews.title}</b>: counts messages in one direction only (1 answer)" in mistakes


@pytest.mark.parametrize("content, message", [
    (None, "no results at"),
    ("not json", "is not a linklab results.json"),
    ('{"trainees": {}}', "no trainees"),
    ('[1, 2]', "is not a linklab results.json"),
])
def test_report_bad_input(tmp_path, content, message):
    if content is not None:
        (tmp_path / "results.json").write_text(content)
    result = run_cli_here("report", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "report.html").exists()


def test_picture_png_and_html_show_the_criminal_core(loaded_tiny, cli_env, tmp_path):
    from PIL import Image

    from linklab.scenario.graphs import ScenarioGraphs
    from linklab.scenario.generate import generate

    result = run_cli_here("picture", "--out", str(tmp_path / "net.png"), env=cli_env)
    assert result.returncode == 0, result.stderr
    image = Image.open(tmp_path / "net.png").convert("RGB")
    assert image.size == (1100, 850)
    colours = image.getcolors(maxcolors=1_000_000)
    assert len(colours) > 50  # drawn, not blank
    assert sum(c for c, rgb in colours if rgb != (255, 255, 255)) > 0.01 * image.size[0] * image.size[1]
    page = (tmp_path / "net.html").read_text()
    assert "<script src" not in page and "https://" not in page  # self-contained, works offline
    data = json.loads(page.split('<script id="linklab-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    org = ScenarioGraphs(generate(KEY.profile, KEY.size, KEY.seed)).org_network()
    org.remove_nodes_from([n for n in list(org) if org.degree(n) == 0])  # a member with no account: no contacts to draw
    assert len(data["nodes"]) == org.number_of_nodes() and len(data["edges"]) == org.number_of_edges()
    assert {n["group"] for n in data["nodes"]} == {g for g, _ in data["legend"]}
    again = run_cli_here("picture", "--out", str(tmp_path / "again.png"), env=cli_env)
    assert again.returncode == 0
    assert (tmp_path / "again.html").read_text().replace("again", "net") == page.replace("again", "net")


def test_picture_around_and_too_large(loaded_tiny, cli_env, tmp_path, driver, monkeypatch):
    from linklab import picture

    handle = driver.execute_query("MATCH (p:Person)-[:USES]->(a:Account)-[:MESSAGED]-() RETURN a.handle AS h "
                                  "ORDER BY a.id LIMIT 1").records[0]["h"]
    result = run_cli_here("picture", "--out", str(tmp_path / "a.png"), "--around", handle, "--hops", "1", env=cli_env)
    assert result.returncode == 0, result.stderr
    missing = run_cli_here("picture", "--out", str(tmp_path / "b.png"), "--around", "nobody-here", env=cli_env)
    assert missing.returncode == 1 and "no attributed account" in missing.stderr
    monkeypatch.setattr(picture, "MAX_NODES", 10)
    data, _ = picture.draw(driver, KEY.seed, tmp_path / "small.png")
    assert len(data["nodes"]) == 10 and "showing the 10 most connected" in data["note"]
