"""What users met by trying (issue: one verdict, whatever runs beside it): each gets one clear line and
a non-zero exit, never a traceback, never lost data; and the wheel carries its data."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile

import networkx as nx
import pytest

from linklab.cases.read import read_case
from linklab.errors import LinklabError
from linklab.exercises.catalogue import case_catalogue, catalogue
from linklab.grade.engine import ScenarioKey
from linklab.grade.loading import ensure_loaded
from linklab.load import load_case, observe
from linklab.report import gradebook

from .conftest import ROOT, run_cli_here


def one_line_error(result, code: int = 1) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def env(cli_env, tmp_path) -> dict:
    """The test server; cases kept apart. An import prepares the case's hidden variants: on two candidates here
    (these tests read what the import says and loads; tests/test_mutants.py measures what the variants catch)."""
    return {**cli_env, "LINKLAB_CASES": str(tmp_path / "cases"), "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"],
            "LINKLAB_CASE_CANDIDATES": "2"}


def test_a_seed_out_of_range_is_refused_before_anything_is_wiped(driver, env):
    key = ScenarioKey("investigation", "tiny", 901)
    ensure_loaded(driver, key)
    before = observe(driver).props
    line = one_line_error(run_cli_here("reset", "--seed", str(2**63), env=env), code=2)
    assert "9223372036854775808" in line and "--seed" in line
    after = observe(driver).props
    assert (after["hash"], after["loaded_at"]) == (before["hash"], before["loaded_at"])


def test_an_http_uri_names_the_schemes_that_work(env):
    line = one_line_error(run_cli_here("scenario", env={**env, "NEO4J_URI": "http://127.0.0.1:7474"}))
    assert "bolt://" in line and "neo4j+s" in line


def test_negative_hops_are_refused_in_one_line(env):
    assert "--hops" in one_line_error(run_cli_here("export", "--out", "x.graphml", "--around", "a", "--hops", "-1",
                                              env=env), code=2)


@pytest.mark.parametrize("given, written", [("knows", "KNOWS"), ("Person", "PERSON")])
def test_a_lower_case_or_label_like_type_is_counted_as_relationships(driver, env, given, written):
    result = run_cli_here("import", str(ROOT / "seed" / "cases" / "florentine-marriages.csv"), "--name", "flo",
                     "--type", given, env=env)
    assert result.returncode == 0, result.stderr
    assert "nodes (15): Person 15" in result.stdout
    assert f"relationships (20): {written} 20" in result.stdout
    assert f"is written {written}" in result.stderr


def karate_named() -> nx.Graph:
    graph = nx.karate_club_graph()
    for n in graph:
        graph.nodes[n]["name"] = f"Member {n + 1}"
        del graph.nodes[n]["club"]
    return graph


def network_in_database(driver) -> tuple[set, set]:
    people = {(r["id"], r["name"]) for r in driver.execute_query(
        "MATCH (p:Person) RETURN p.id AS id, p.name AS name").records}
    links = {(frozenset((r["a"], r["b"])), r["w"]) for r in driver.execute_query(
        "MATCH (a:Person)-[r]->(b:Person) RETURN a.id AS a, b.id AS b, r.weight AS w").records}
    return people, links


@pytest.mark.parametrize("fmt", ["gexf", "csv", "graphml"])
def test_an_export_imports_back_as_the_same_network(driver, env, tmp_path, fmt):
    source = tmp_path / "karate.graphml"
    nx.write_graphml(karate_named(), source)
    assert run_cli_here("import", str(source), "--name", "karate", env=env).returncode == 0
    expected = network_in_database(driver)
    out = tmp_path / ("export" if fmt == "csv" else f"export.{fmt}")
    assert run_cli_here("export", "--format", fmt, "--out", str(out), env=env).returncode == 0
    back = run_cli_here("import", str(out), "--name", "back", env=env)
    assert back.returncode == 0, back.stderr
    assert network_in_database(driver) == expected


def test_networkx_gexf_with_ids_as_labels_keeps_the_name_attribute(tmp_path):
    path = tmp_path / "named.gexf"
    nx.write_gexf(karate_named(), path)  # networkx writes each node's id as its GEXF label
    case, _ = read_case(path, "named")
    assert {p.name for p in case.people} == {f"Member {n}" for n in range(1, 35)}


def test_weights_that_add_up_to_infinity_are_refused(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("source,target,weight\nA,B,1e308\nB,A,1e308\n")
    with pytest.raises(LinklabError, match="add up to more than a number can hold"):
        read_case(path, "huge")


# ---------------------------------------------------------------- published covert networks as distributed


def test_a_headerless_edge_list_is_refused_with_the_option_and_read_with_it(tmp_path):
    path = tmp_path / "krebs.csv"  # as Krebs' 9/11 hijackers network is often shared: one link per line
    path.write_text("Mohamed Atta,Marwan Al-Shehhi\nMohamed Atta,Ziad Jarrah\nHani Hanjour,Nawaf Alhazmi\n")
    with pytest.raises(LinklabError, match="--no-header"):
        read_case(path, "krebs")
    case, _ = read_case(path, "krebs", no_header=True)
    assert len(case.people) == 5 and len(case.contacts) == 3


def test_a_tab_separated_file_without_header_named_csv(tmp_path):
    path = tmp_path / "montagna.csv"
    path.write_text("N1\tN2\t3\nN2\tN3\t1\nN3\tN1\t2\n")
    case, _ = read_case(path, "montagna", no_header=True)
    assert sorted(c.weight for c in case.contacts) == [1.0, 2.0, 3.0]


def test_a_weighted_matrix_with_a_bom_is_refused_with_the_option_and_read_with_it(tmp_path):
    path = tmp_path / "caviar.csv"  # CAVIAR's phases are weighted adjacency matrices
    rows = [",n1,n3,n8", "n1,0,4,0", "n3,4,0,2", "n8,0,2,0"]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode())
    with pytest.raises(LinklabError, match="--matrix"):
        read_case(path, "caviar")
    case, notes = read_case(path, "caviar", matrix=True)
    assert {frozenset((c.source, c.target)): c.weight for c in case.contacts} == \
        {frozenset(("n1", "n3")): 4.0, frozenset(("n3", "n8")): 2.0}
    assert not any("symmetric" in note for note in notes)


def test_an_asymmetric_matrix_merges_both_directions_and_says_so(tmp_path):
    path = tmp_path / "directed.csv"
    path.write_text(";a;b\na;0;1\nb;2;0\n")
    case, notes = read_case(path, "directed", matrix=True)
    assert [c.weight for c in case.contacts] == [3.0]
    assert any("not symmetric" in note for note in notes)


# ---------------------------------------------------------------- grading inputs and outputs


def test_near_miss_file_names_are_named_with_the_id_to_use(tmp_path):
    """What `linklab grade` reads and warns about (it prints each warning as one `warning:` line before grading,
    tests/test_faults.py runs that end to end); read here without a server, since grading adds nothing to it."""
    from linklab.grade.submissions import read_submissions

    folder = tmp_path / "subs" / "gil"
    folder.mkdir(parents=True)
    (folder / "crews.cypher").write_text("MATCH (o:Organization) RETURN o.name")
    (folder / "Hub-Messages.cypher").write_text("RETURN 1")
    (folder / "alias-unmask.txt").write_text("RETURN 1")
    (folder / "three-platfroms.cypher").write_text("RETURN 1")
    (folder / "notes.md").write_text("not an answer")
    found = read_submissions(tmp_path / "subs", catalogue(), others=case_catalogue())
    assert found.answers == {"gil": {"crews": "MATCH (o:Organization) RETURN o.name"}}  # only the right name
    warnings = found.warnings
    assert len(warnings) == 3
    for wrong, right in (("Hub-Messages.cypher", "hub-messages"), ("alias-unmask.txt", "alias-unmask"),
                         ("three-platfroms.cypher", "three-platforms")):
        assert any(wrong in w and f"{right}.cypher" in w for w in warnings), (wrong, warnings)


def test_the_gradebook_never_starts_a_cell_with_a_formula(tmp_path):
    data = {"trainees": {name: {"score": 0, "max_score": 10, "exercises": [
        {"exercise": "crews", "passed": False, "points": 0, "feedback": "x"}]}
        for name in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "plain")}}
    gradebook(data, tmp_path / "book.csv")
    names = [row["trainee"] for row in csv.DictReader(open(tmp_path / "book.csv", newline=""))]
    assert sorted(names) == sorted(["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "plain"])


def test_a_report_of_a_damaged_results_file_says_what_is_missing(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"trainees": {"ana": {"score": 5, "max_score": 10,
                                                     "exercises": [{"exercise": "crews", "passed": True}]}}}))
    line = one_line_error(run_cli_here("report", str(path), "--out", str(tmp_path / "r")))
    assert "'ana'" in line and "'points'" in line


def test_answers_without_options_gives_the_keys_of_the_loaded_scenario(driver, env, tmp_path):
    key = ScenarioKey("investigation", "tiny", 902)
    ensure_loaded(driver, key)
    result = run_cli_here("answers", "--out", str(tmp_path / "keys"), env=env)
    assert result.returncode == 0, result.stderr
    keys = json.loads((tmp_path / "keys" / "answer-key.json").read_text())
    assert str(key) in json.dumps(keys)


def test_an_interrupted_import_says_to_import_again(driver, env, monkeypatch):
    case, _ = read_case(ROOT / "seed" / "cases" / "florentine-marriages.csv", "florentine")

    def interrupted(count):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        load_case(driver, case, progress=interrupted)
    line = one_line_error(run_cli_here("scenario", env=env))
    assert "import the file again" in line and "--name florentine" in line


def test_the_grading_server_keeps_the_memory_it_was_given(monkeypatch, tmp_path):
    from linklab.service import grading_instance

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path))
    first = grading_instance()
    assert (first.heap, first.pagecache) == ("2g", "1g")
    first.home.mkdir(parents=True)
    first.heap, first.pagecache = "5g", "3g"
    (first.home / "instance.json").write_text(json.dumps(first.saved()))
    again = grading_instance()
    assert (again.heap, again.pagecache) == ("5g", "3g")


# ---------------------------------------------------------------- packaging


@pytest.mark.integration  # pip builds the wheel: seconds of CPU, beyond the unit tier's minute (no server needed)
def test_a_wheel_carries_the_data_and_works_outside_the_checkout(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("linklab-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("linklab/_data/exercises/01-crews/exercise.toml", "linklab/_data/exercises/01-crews/solution.cypher",
                   "linklab/_data/exercises/01-crews/mutants/all-organisations.cypher",
                   "linklab/_data/exercises/case/01-case-degree/exercise.toml", "linklab/_data/queries/schema.cypher",
                   "linklab/_data/seed/profiles/investigation.toml", "linklab/_data/seed/lexicons/en.toml",
                   "linklab/_data/neo4j/pom.xml"):
        assert needed in names, needed
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("from linklab.exercises.catalogue import catalogue, case_catalogue; from linklab import config; "
             "from linklab.scenario.generate import generate; "
             "print(len(catalogue()), len(case_catalogue()), config.IN_CHECKOUT, "
             "generate('investigation', 'tiny', 1).info.persons)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(site), "HOME": str(tmp_path)}, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [str(len(catalogue())), str(len(case_catalogue())), "False", "150"]


GOOD_RESULTS = {"course": "c", "checks_run": 3, "trainees": {"ana": {
    "score": 5, "max_score": 10, "hints": {"crews": 1}, "exercises": [
        {"exercise": "crews", "passed": True, "points": 5, "max_points": 5, "feedback": "Right.", "mistake": "",
         "status": "passed", "limit": ""},
        {"exercise": "hub-messages", "passed": False, "points": 0, "max_points": 5, "feedback": "No answer submitted.",
         "mistake": "", "status": "missing", "limit": ""}]}}}


def damaged(path: list, value) -> dict:
    data = json.loads(json.dumps(GOOD_RESULTS))
    where = data
    for step in path[:-1]:
        where = where[step]
    where[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value, field", [
    (["trainees", "ana", "exercises", 0, "mistake"], ["a", "list"], "'mistake'"),
    (["trainees", "ana", "exercises", 0, "mistake"], {"a": 1}, "'mistake'"),
    (["trainees", "ana", "hints", "crews"], "two", "'hints' of 'crews'"),
    (["trainees", "ana", "hints", "crews"], 1.5, "'hints' of 'crews'"),
    (["trainees", "ana", "hints", "crews"], -1, "'hints' of 'crews'"),
    (["trainees", "ana", "hints"], ["crews"], "'hints'"),
    (["trainees", "ana", "exercises", 0, "points"], "5", "'points'"),
    (["trainees", "ana", "exercises", 0, "passed"], "yes", "'passed'"),
    (["trainees", "ana", "exercises", 0, "status"], "great", "'status'"),
    (["trainees", "ana", "exercises", 0, "feedback"], None, "'feedback'"),
    (["trainees", "ana", "exercises", 1], "crews", "exercise 2 is not a record"),
    (["trainees", "ana", "score"], True, "'score'"),
    (["trainees", "ana", "max_score"], float("nan"), "'max_score'"),
    (["course"], 7, "'course'"),
    (["checks_run"], "many", "'checks_run'"),
])
def test_every_malformed_results_field_gets_one_line_naming_it(tmp_path, path, value, field):
    from linklab.report import read_results, write_report

    file = tmp_path / "results.json"
    file.write_text(json.dumps(damaged(path, value)))
    with pytest.raises(LinklabError) as refused:
        write_report(file, tmp_path / "report")
    assert field in refused.value.message and "\n" not in refused.value.message
    assert not (tmp_path / "report" / "report.html").exists()
    file.write_text(json.dumps(GOOD_RESULTS))
    assert read_results(file)["trainees"]["ana"]["score"] == 5  # the file as linklab writes it is read


def test_a_malformed_results_file_is_one_line_from_the_command(tmp_path):
    file = tmp_path / "results.json"
    file.write_text(json.dumps(damaged(["trainees", "ana", "exercises", 0, "mistake"], 42)))
    line = one_line_error(run_cli_here("report", str(file), "--out", str(tmp_path / "r")))
    assert "'mistake'" in line and "'ana'" in line
    file.write_text(json.dumps(GOOD_RESULTS))
    done = run_cli_here("report", str(file), "--out", str(tmp_path / "r"))
    assert done.returncode == 0 and (tmp_path / "r" / "report.html").exists()


@pytest.mark.parametrize("option, value, said", [
    ("--heap", "lots", "not a memory size"), ("--heap", "1.5g", "not a memory size"),
    ("--heap", "64m", "too small"), ("--pagecache", "12q", "not a memory size"),
    ("--pagecache", "100000g", "more than this machine"),
])
def test_a_bad_memory_size_is_refused_before_it_is_saved(tmp_path, option, value, said):
    env = {**os.environ, "LINKLAB_HOME": str(tmp_path)}
    result = run_cli_here("server", "start", "--name", "pytest-memory", "--bolt-port", "1", "--http-port", "2",
                     option, value, env=env)
    line = one_line_error(result)
    assert f"{option} {value}" in line and said in line and "java" not in result.stderr.lower()
    assert not (tmp_path / "servers" / "pytest-memory").exists()  # nothing saved, nothing started


def test_a_design_with_too_few_venues_is_one_clear_line(tmp_path, monkeypatch):
    """A world places up to nine venues, each named once: a design that lists fewer names is refused on load."""
    import re
    import shutil

    from linklab.scenario import profiles

    for folder in ("profiles", "lexicons"):
        (tmp_path / folder).mkdir()
    shutil.copy(profiles.SEED_DIR / "lexicons" / "en.toml", tmp_path / "lexicons")
    design = (profiles.SEED_DIR / "profiles" / f"{profiles.DESIGN}.toml").read_text()
    short = re.sub(r"\nvenues = \[.*?\]\n", '\nvenues = ["Club Neon", "Club Neon", "Canton Pub"]\n', design, flags=re.S)
    assert short != design
    (tmp_path / "profiles" / "short.toml").write_text(short)
    monkeypatch.setattr(profiles, "SEED_DIR", tmp_path)
    with pytest.raises(LinklabError, match=r"short.toml: venues: 9 different names at least"):
        profiles.load_profile("short")
    (tmp_path / "profiles" / "short.toml").write_text(design)
    assert len(set(profiles.load_profile("short").venues)) >= profiles.VENUES_NEEDED
