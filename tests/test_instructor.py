"""Instructor tools: answer keys, and exports that Gephi and friends open (read back with ElementTree
and csv, not with the library that wrote them)."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

from linklab.exercises.catalogue import catalogue
from linklab.grade.engine import ScenarioKey, answer_key, ensure_loaded
from linklab.load import database_counts

from .conftest import run_cli

KEY = ScenarioKey("darknet", "tiny", 31)


@pytest.fixture(scope="module")
def loaded_tiny(driver):
    ensure_loaded(driver, KEY)
    counts = database_counts(driver)
    nodes = sum(v for k, v in counts.items() if not k.isupper())
    rels = sum(v for k, v in counts.items() if k.isupper())
    return nodes, rels


def test_answer_key_for_a_seed(tmp_path):
    result = run_cli("answers", "--seed", "31", "--profile", "darknet", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "answer-key.json").read_text())
    assert data["confidential"].startswith("CONFIDENTIAL")
    expected_ids = [e.id for e in catalogue() if "darknet" in e.profiles]
    assert [e["id"] for e in data["exercises"]] == expected_ids
    hub = next(e for e in data["exercises"] if e["id"] == "hub-messages")
    truth = answer_key(next(e for e in catalogue() if e.id == "hub-messages"), ScenarioKey("darknet", "class", 31))
    assert hub["expected_rows"] == [list(r) for r in truth.expected.rows]
    markdown = (tmp_path / "answer-key.md").read_text()
    assert "CONFIDENTIAL" in markdown and "count(DISTINCT q) AS contacts" in markdown


def test_answer_key_for_a_trainee_and_bad_options(tmp_path):
    result = run_cli("answers", "--trainee", "alice", "--course", "c1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len(json.loads((tmp_path / "answer-key.json").read_text())["exercises"]) == len(catalogue())
    bad = run_cli("answers", "--out", str(tmp_path))
    assert bad.returncode == 1 and "give --seed N" in bad.stderr


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_graphml_export_reads_back(loaded_tiny, cli_env, tmp_path, driver):
    nodes, rels = loaded_tiny
    out = tmp_path / "scenario.graphml"
    result = run_cli("export", "--format", "graphml", "--out", str(out), env=cli_env)
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
    assert run_cli("export", "--format", "gexf", "--out", str(gexf), env=cli_env).returncode == 0
    root = ET.parse(gexf).getroot()
    assert len([e for e in root.iter() if local(e.tag) == "node"]) == nodes
    assert len([e for e in root.iter() if local(e.tag) == "edge"]) == rels
    folder = tmp_path / "csv"
    assert run_cli("export", "--format", "csv", "--out", str(folder), env=cli_env).returncode == 0
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
    result = run_cli("export", "--out", str(out), "--around", handle, "--hops", "1", env=cli_env)
    assert result.returncode == 0, result.stderr
    count = len([e for e in ET.parse(out).getroot().iter() if local(e.tag) == "node"])
    assert 2 <= count < nodes
    missing = run_cli("export", "--out", str(out), "--around", "no-such-handle", env=cli_env)
    assert missing.returncode == 1 and "no account with handle" in missing.stderr
