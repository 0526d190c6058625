"""`linklab import`: published networks (GraphML, GEXF, CSV edge lists) as case networks, their bad inputs,
and the exercises on any network, with keys from networkx on the file and checks on the real server."""

from __future__ import annotations

import csv
import html
import json
import os
from pathlib import Path

import networkx as nx
import pytest

from linklab.cases.network import CaseNetwork, save, stored
from linklab.cases.read import MAX_PEOPLE, read_case
from linklab.cases.shipped import read_catalogue, shipped
from linklab.errors import LinklabError
from linklab.exercises.answer_files import answer_function
from linklab.exercises.catalogue import any_exercise
from linklab.exercises.catalogue import case_catalogue, get
from linklab.grade.engine import answer_key
from linklab.grade.scenarios import case_keys
from linklab.load import database_counts, load_case, loaded

from .conftest import ROOT, SUITE_COURSE, run_cli_here
from .test_exercises import check_variants

SAMPLE = ROOT / "seed" / "cases" / "florentine-marriages.csv"


def karate() -> nx.Graph:
    """Zachary's karate club, members named 'Member 1'..'Member 34' (published 1977)."""
    graph = nx.karate_club_graph()
    for n in graph:
        graph.nodes[n]["label"] = f"Member {n + 1}"
        del graph.nodes[n]["club"]
    return graph


def edge_set(case: CaseNetwork) -> set[frozenset[str]]:
    return {frozenset((case.name_of(c.source), case.name_of(c.target))) for c in case.contacts}


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


# ---------------------------------------------------------------- reading files (no database)


def test_the_three_formats_read_the_same_network(tmp_path):
    graph = karate()
    nx.write_graphml(graph, tmp_path / "k.graphml")
    nx.write_gexf(graph, tmp_path / "k.gexf")
    with open(tmp_path / "k.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "target", "weight"])
        for a, b, w in graph.edges(data="weight"):
            writer.writerow([f"Member {a + 1}", f"Member {b + 1}", w])
    truth = {frozenset((f"Member {a + 1}", f"Member {b + 1}")) for a, b in graph.edges}
    weights = {frozenset((f"Member {a + 1}", f"Member {b + 1}")): w for a, b, w in graph.edges(data="weight")}
    for name in ("k.graphml", "k.gexf", "k.csv"):
        case, notes = read_case(tmp_path / name, "karate")
        assert len(case.people) == 34 and edge_set(case) == truth, name
        assert {frozenset((case.name_of(c.source), case.name_of(c.target))): c.weight
                for c in case.contacts} == weights, name
        assert case.weighted and notes == [], name


def test_the_committed_sample_is_padgetts_florentine_marriages():
    case, notes = read_case(SAMPLE, "florentine", "MARRIED")
    published = nx.florentine_families_graph()
    assert notes == [] and not case.weighted
    assert edge_set(case) == {frozenset(e) for e in published.edges}
    assert {p.name for p in case.people} == set(published)


PUBLISHED = {"florentine": nx.florentine_families_graph, "karate-club": lambda: nx.relabel_nodes(
    nx.karate_club_graph(), lambda n: f"Member {n + 1}"), "les-miserables": nx.les_miserables_graph}


def test_the_shipped_cases_are_the_published_networks():
    """Each network the lab offers (seed/cases/cases.toml) is the published one: the same people, links and weights."""
    assert [c.name for c in shipped()] == list(PUBLISHED)
    for shipped_case in shipped():
        case = shipped_case.read()
        published = PUBLISHED[shipped_case.name]()
        linked = {n for n in published if published.degree(n) > 0}  # an edge list cannot hold a family with no marriage
        assert {p.name for p in case.people} == linked, shipped_case.name
        assert edge_set(case) == {frozenset(e) for e in published.edges}, shipped_case.name
        if case.weighted:
            assert {frozenset((case.name_of(c.source), case.name_of(c.target))): c.weight for c in case.contacts} \
                == {frozenset((a, b)): w for a, b, w in published.edges(data="weight")}, shipped_case.name
        assert case.rel_type == shipped_case.rel_type and shipped_case.about and shipped_case.source


@pytest.mark.parametrize("entry, said", [
    ('name = "x"\nfile = "x.csv"\ntype = "KNOWS"\ntitle = "X"\nabout = "A"', "needs text for source"),
    ('name = "x y"\nfile = "x.csv"\ntype = "KNOWS"\ntitle = "X"\nabout = "A"\nsource = "S"', "case name 'x y'"),
    ('name = "x"\nfile = "../x.csv"\ntype = "KNOWS"\ntitle = "X"\nabout = "A"\nsource = "S"', "not in seed/cases"),
    ('name = "x"\nfile = "gone.csv"\ntype = "KNOWS"\ntitle = "X"\nabout = "A"\nsource = "S"', "not in seed/cases"),
    ('name = "x"\nfile = "x.csv"\ntype = "2X"\ntitle = "X"\nabout = "A"\nsource = "S"', "relationship type '2X'"),
    ('name = "x"\nfile = "x.csv"\ntype = "KNOWS"\ntitle = "X"\nabout = "A"\nsource = "S"\nyear = "1977"', "unknown field"),
])
def test_a_damaged_case_catalogue_is_one_clear_error(tmp_path, entry, said):
    (tmp_path / "x.csv").write_text("source,target\nA,B\n")
    (tmp_path / "cases.toml").write_text(f"[[case]]\n{entry}\n")
    with pytest.raises(LinklabError) as raised:
        read_catalogue(tmp_path / "cases.toml")
    assert said in str(raised.value) and raised.value.message.startswith("seed/cases/cases.toml")


def test_gephi_style_csv_with_semicolons_and_extra_columns(tmp_path):
    path = write(tmp_path, "gephi.csv", "Source;Target;Type;Weight\nA;B;Undirected;2\nB;C;Undirected;0.5\n")
    case, notes = read_case(path, "g")
    assert [(c.source, c.target, c.weight) for c in case.contacts] == [("A", "B", 2.0), ("B", "C", 0.5)]
    assert notes == ["column(s) not imported: type"]


def test_tab_separated_edge_lists(tmp_path):
    case, _ = read_case(write(tmp_path, "t.tsv", "source\ttarget\nA\tB, Jr.\n"), "t")
    assert [(c.source, c.target) for c in case.contacts] == [("A", "B, Jr.")]


def test_gexf_1_3_as_gephi_writes_it(tmp_path):
    text = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="undirected">
  <attributes class="node"><attribute id="role" title="role" type="string"/></attributes>
  <nodes><node id="0" label="Ana"><attvalues><attvalue for="role" value="courier"/></attvalues></node>
         <node id="1" label="Ben"/></nodes>
  <edges><edge id="0" source="0" target="1" weight="2.5"/></edges></graph></gexf>"""
    case, _ = read_case(write(tmp_path, "g.gexf", text), "g")
    assert [(p.name, dict(p.props)) for p in case.people] == [("Ana", {"role": "courier"}), ("Ben", {})]
    assert [(c.source, c.target, c.weight) for c in case.contacts] == [("0", "1", 2.5)]


def test_self_loops_are_dropped_and_duplicates_merged_with_weights_added(tmp_path):
    path = write(tmp_path, "d.csv", "source,target,weight\nA,B,1\nB,A,2\nA,B,\nC,C,5\nB,C,1\n")
    case, notes = read_case(path, "d")
    assert {(frozenset((c.source, c.target)), c.weight) for c in case.contacts} == \
        {(frozenset("AB"), 4.0), (frozenset("BC"), 1.0)}  # a missing weight counts 1
    assert case.source["self_loops_dropped"] == 1 and case.source["duplicates_merged"] == 2
    assert any("self-loop" in n and "line 5" in n for n in notes) and any("merged 2" in n for n in notes)


def test_unweighted_duplicates_count_the_observations(tmp_path):
    case, _ = read_case(write(tmp_path, "u.csv", "from,to\nA,B\nA,B\nB,A\n"), "u")
    assert [(c.source, c.target, c.weight) for c in case.contacts] == [("A", "B", 3.0)] and not case.weighted


def test_repeated_labels_get_their_id_and_attributes_are_kept(tmp_path):
    graph = nx.Graph()
    graph.add_node("n1", label="John Smith", role="driver", age=41)
    graph.add_node("n2", label="John Smith")
    graph.add_node("n3", label="Ana")
    graph.add_edges_from([("n1", "n3"), ("n2", "n3")])
    nx.write_graphml(graph, tmp_path / "same.graphml")
    case, notes = read_case(tmp_path / "same.graphml", "same")
    assert sorted(p.name for p in case.people) == ["Ana", "John Smith (n1)", "John Smith (n2)"]
    assert dict(next(p for p in case.people if p.id == "n1").props) == {"role": "driver", "age": 41}
    assert any("share a name" in n for n in notes)


BAD_INPUTS = [
    ("edges.graphml", "source,target\nA,B\n", "not GraphML: it does not start with XML"),
    ("gexf-inside.graphml", '<?xml version="1.0"?><gexf><graph/></gexf>', "its root element is <gexf>"),
    ("broken.gexf", '<?xml version="1.0"?><gexf><graph><nodes>', "not well-formed"),
    ("graph.gexf", "source,target\nA,B\n", "not GEXF"),
    ("graph.csv", '<?xml version="1.0"?><graphml/>', "looks like XML"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    ("graph.json", "{}", "cannot tell the format"),
    ("columns.csv", "a,b\n1,2\n", "no 'source' and 'target' columns (found: a, b)"),
    ("noheader.csv", "1 2\n2 3\n", "import it with --no-header"),
    ("short.csv", "source,target\nA\n", "line 2: 1 field(s)"),
    ("blank.csv", "source,target\nA,\n", "line 2: empty source or target"),
    ("weight.csv", "source,target,weight\nA,B,heavy\n", "line 2: weight 'heavy' is not a number"),
    ("negative.csv", "source,target,weight\nA,B,-1\n", "must be a finite number, 0 or more"),
    ("latin1.csv", "source,target\nJosé,Ana\n".encode("latin-1"), "not UTF-8 text (byte 0xe9 on line 2)"),
    ("latin1.graphml", '<?xml version="1.0"?><graphml><graph><node id="Jos\xe9"/></graph></graphml>'.encode("latin-1"),
     "not UTF-8 text"),
    ("empty.csv", "", "the file is empty"),
    ("header-only.csv", "source,target\n", "no people"),
    ("loops.csv", "source,target\nA,A\nB,B\n", "no contacts between two different people"),
    ("lonely.graphml", '<?xml version="1.0"?><graphml><graph><node id="a"/><node id="b"/></graph></graphml>',
     "no contacts between two different people"),
    ("nograph.graphml", '<?xml version="1.0"?><graphml></graphml>', "no <graph> element"),
]


@pytest.mark.parametrize("name,content,message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_files_give_one_clear_message(tmp_path, name, content, message):
    with pytest.raises(LinklabError) as caught:
        read_case(write(tmp_path, name, content), "bad")
    assert message in caught.value.message


def test_a_declared_latin1_xml_file_is_fine(tmp_path):
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><graphml><graph><node id="1"><data key="l">José</data></node>' \
           '<node id="2"/><edge source="1" target="2"/></graph><key id="l" for="node" attr.name="label"/></graphml>'
    case, _ = read_case(write(tmp_path, "ok.graphml", text.encode("latin-1")), "latin")
    assert {p.name for p in case.people} == {"José", "2"}


def test_networks_beyond_the_limit_are_refused(tmp_path):
    rows = "".join(f"p{i},p{i + 1}\n" for i in range(MAX_PEOPLE))
    with pytest.raises(LinklabError, match="limited to 1,000 people"):
        read_case(write(tmp_path, "big.csv", "source,target\n" + rows), "big")


def test_names_and_types_are_checked():
    with pytest.raises(LinklabError, match="case name"):
        read_case(SAMPLE, "../escape")
    with pytest.raises(LinklabError, match="relationship type"):
        read_case(SAMPLE, "ok", "KNOWS]->() DETACH DELETE (x")


# ---------------------------------------------------------------- variants and answer keys (no database)


def test_hidden_variants_shuffle_people_and_leave_out_a_tenth_of_the_links():
    case, _ = read_case(SAMPLE, "florentine")
    variant = case.hidden_variant(42)
    assert variant.digest == case.hidden_variant(42).digest != case.hidden_variant(43).digest
    assert sorted(p.name for p in variant.people) == sorted(p.name for p in case.people)
    assert sorted(p.id for p in variant.people) == sorted(p.id for p in case.people)
    assert len(variant.contacts) >= len(case.contacts) - len(case.contacts) // 10  # and the tie's new links
    assert len({frozenset((c.source, c.target)) for c in variant.contacts}) == len(variant.contacts)  # no pair twice
    assert variant.info()["case_hash"] == case.digest and variant.base is case


@pytest.mark.parametrize("graph", [nx.florentine_families_graph(), karate(), nx.les_miserables_graph()],
                         ids=["florentine", "karate", "les-miserables"])
def test_hidden_variants_break_what_the_case_prompts_do_not_promise(tmp_path, graph):
    """Ids are not in name order, and a ranking by contacts ties at a cut (among the top six) where the
    name that sorts first is stored last: an answer breaking ties by id or storage order, not by name as the
    prompts say, gets another top five or other arrests."""
    nx.write_graphml(graph, tmp_path / "g.graphml")
    case, _ = read_case(tmp_path / "g.graphml", "g")
    ids_in_name_order = tied_where_storage_disagrees = 0
    for seed in range(1, 11):
        variant = case.hidden_variant(seed)
        by_id = [p.name for p in variant.people]  # people are stored in id order
        ids_in_name_order += by_id == sorted(by_id)
        degree = dict(variant.graph.degree())
        ranked = sorted(variant.people, key=lambda p: (-degree[p.id], p.name))
        tied_where_storage_disagrees += any(
            degree[ranked[r].id] == degree[ranked[r + 1].id] and ranked[r].id > ranked[r + 1].id
            for r in range(5))
    assert ids_in_name_order == 0 and tied_where_storage_disagrees == 10


@pytest.mark.parametrize("graph", [nx.florentine_families_graph(), karate(), nx.les_miserables_graph()],
                         ids=["florentine", "karate", "les-miserables"])
def test_a_copied_answer_is_wrong_on_a_hidden_variant(tmp_path, monkeypatch, graph):
    """What catches hard-coding: for every case exercise, the case's own answer differs from the answer on
    at least one hidden variant (names, parameters or numbers)."""
    monkeypatch.setenv("LINKLAB_CASES", str(tmp_path))
    nx.write_graphml(graph, tmp_path / "g.graphml")
    save(read_case(tmp_path / "g.graphml", "g")[0])
    keys = case_keys("some-course", "g")
    for exercise in case_catalogue():
        own, *hidden = [answer_key(exercise, key) for key in keys]
        assert any((h.expected.rows, h.params) != (own.expected.rows, own.params) and
                   h.expected.rows != own.expected.rows for h in hidden), exercise.id


def test_answer_keys_on_the_smallest_networks(tmp_path):
    for text in ("source,target\nA,B\n", "source,target\nhub,a\nhub,b\nhub,c\n"):
        case, _ = read_case(write(tmp_path, "s.csv", text), "small")
        degree, path, arrest = (answer_function(any_exercise(e)) for e in ("case-degree", "case-path", "case-arrest"))
        for network in (case, case.hidden_variant(7)):
            assert degree(network).expected.rows[0][1] == max(dict(network.graph.degree()).values())
            assert path(network).expected.rows[0][0] in (1, 2)
            largest, cut_off = arrest(network).expected.rows[0]
            assert largest + cut_off == len(case.people) - arrest(network).params["k"]


def test_stored_cases_read_back_and_say_when_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKLAB_CASES", str(tmp_path))
    with pytest.raises(LinklabError, match="no case network is imported"):
        stored()
    case, _ = read_case(SAMPLE, "florentine", "MARRIED")
    save(case)
    assert stored().digest == stored("florentine").digest == case.digest
    with pytest.raises(LinklabError, match=r"no case named 'other' is imported \(imported: florentine\)"):
        stored("other")
    (tmp_path / "florentine.json").write_text("{not json")
    with pytest.raises(LinklabError, match="damaged"):
        stored("florentine")


# ---------------------------------------------------------------- on the real server


@pytest.fixture(scope="module")
def cases_home(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases")
    before = os.environ.get("LINKLAB_CASES")
    os.environ["LINKLAB_CASES"] = str(folder)
    yield folder
    if before is None:
        del os.environ["LINKLAB_CASES"]
    else:
        os.environ["LINKLAB_CASES"] = before


@pytest.fixture(scope="module")
def karate_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("files") / "karate.graphml"
    nx.write_graphml(karate(), path)
    return path


@pytest.fixture
def env(cli_env, cases_home) -> dict:
    """The test server, also for hidden variants; cases kept apart from the developer's. An import prepares the
    case's hidden variants: on two candidates here (tests/test_mutants.py measures what the variants catch)."""
    return {**cli_env, "LINKLAB_CASES": str(cases_home), "LINKLAB_GRADING_URI": cli_env["NEO4J_URI"],
            "LINKLAB_CASE_CANDIDATES": "2"}


def db_network(driver) -> tuple[set[str], set[frozenset[str]], set[str]]:
    names = {r["n"] for r in driver.execute_query("MATCH (p:Person) RETURN p.name AS n").records}
    links = driver.execute_query("MATCH (a:Person)-[r]->(b:Person) RETURN a.name AS a, b.name AS b, type(r) AS t").records
    return names, {frozenset((r["a"], r["b"])) for r in links}, {r["t"] for r in links}


def test_import_loads_the_file_and_records_it(driver, env, karate_file):
    result = run_cli_here("import", str(karate_file), "--name", "karate", "--type", "TRAINS_WITH", env=env)
    assert result.returncode == 0, result.stderr
    graph = karate()
    names, links, types = db_network(driver)
    assert names == {graph.nodes[n]["label"] for n in graph}
    assert links == {frozenset((graph.nodes[a]["label"], graph.nodes[b]["label"])) for a, b in graph.edges}
    assert types == {"TRAINS_WITH"}
    props = loaded(driver).props
    assert (props["kind"], props["case"], props["file"], props["format"], props["complete"]) == \
        ("case", "karate", "karate.graphml", "graphml", True)
    assert props["hash"] == props["case_hash"] == stored("karate").digest
    assert database_counts(driver) == {"Person": 34, "TRAINS_WITH": 78}
    shown = run_cli_here("scenario", env=env)
    assert shown.returncode == 0 and "case karate: 34 people, 78 :TRAINS_WITH relationships (weighted)" in shown.stdout


def test_a_bad_file_leaves_the_loaded_data_alone(driver, env, karate_file, tmp_path):
    assert run_cli_here("import", str(karate_file), "--name", "karate", env=env).returncode == 0
    before = loaded(driver).props
    for content in ("source,target\nA,A\n", "a,b\n1,2\n", b"source,target\n\xff,A\n"):
        bad = write(tmp_path, "bad.csv", content)
        result = run_cli_here("import", str(bad), "--name", "broken", env=env)
        assert result.returncode == 1 and result.stderr.startswith("error: bad.csv: ")
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    after = loaded(driver).props
    assert (after["hash"], after["loaded_at"], after["complete"]) == (before["hash"], before["loaded_at"], True)
    assert not (Path(env["LINKLAB_CASES"]) / "broken.json").exists()


def test_an_interrupted_import_is_marked_incomplete(driver, env, monkeypatch, cases_home):
    case, _ = read_case(SAMPLE, "florentine")

    def fail_on_links(self, query, rows):
        if "CREATE (a)-[r:" in query:
            raise RuntimeError("connection lost")
        return original(self, query, rows)

    from linklab.load import BatchWriter
    original = BatchWriter.write
    monkeypatch.setattr(BatchWriter, "write", fail_on_links)
    with pytest.raises(RuntimeError):
        load_case(driver, case)
    monkeypatch.undo()
    assert loaded(driver).state == "incomplete"
    result = run_cli_here("scenario", env=env)
    assert result.returncode == 1 and "did not finish" in result.stderr
    assert run_cli_here("import", str(SAMPLE), "--name", "florentine", env=env).returncode == 0
    assert loaded(driver).state == "complete"


@pytest.mark.parametrize("exercise_id", [e.id for e in case_catalogue()])
def test_case_exercises_right_and_wrong_answers(driver, env, karate_file, exercise_id):
    assert run_cli_here("import", str(karate_file), "--name", "karate", env=env).returncode == 0
    check_variants(driver, get(exercise_id), case_keys(SUITE_COURSE, "karate"))


def test_check_and_answers_on_the_command_line(env, karate_file, tmp_path):
    assert run_cli_here("import", str(karate_file), "--name", "karate", env=env).returncode == 0
    solution = get("case-path").solution_path
    passed = run_cli_here("check", "case-path", str(solution), "--trainee", "t1", "--json", env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert [c["scenario"] for c in json.loads(passed.stdout)["checks"]][0] == "case karate"
    failed = run_cli_here("check", "case-path", "--query", "RETURN 1", "--trainee", "t1", env=env)
    assert failed.returncode == 2 and "NOT YET" in failed.stdout
    keys = run_cli_here("answers", "--case", "karate", "--out", str(tmp_path), env=env)
    assert keys.returncode == 0, keys.stderr
    data = json.loads((tmp_path / "answer-key.json").read_text())
    assert [e["id"] for e in data["exercises"]] == [e.id for e in case_catalogue()]
    path_key = answer_key(get("case-path"), case_keys("linklab-101", "karate")[0])
    entry = next(e for e in data["exercises"] if e["id"] == "case-path")
    assert entry["expected_rows"] == [list(r) for r in path_key.expected.rows] and entry["case"] == "karate"


def test_grading_a_class_on_a_case(env, karate_file, tmp_path):
    assert run_cli_here("import", str(karate_file), "--name", "karate", env=env).returncode == 0
    for trainee, query in (("ana", None), ("ben", "RETURN 3")):
        folder = tmp_path / "subs" / trainee
        folder.mkdir(parents=True)
        (folder / "case-path.cypher").write_text(query or get("case-path").solution)
    result = run_cli_here("grade", str(tmp_path / "subs"), "--case", "karate", "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 0, result.stderr
    trainees = json.loads((tmp_path / "out" / "results.json").read_text())["trainees"]
    assert trainees["ana"]["score"] == get("case-path").points and trainees["ben"]["score"] == 0
    assert trainees["ana"]["max_score"] == sum(e.points for e in case_catalogue())
    report = run_cli_here("report", str(tmp_path / "out"), "--out", str(tmp_path / "report"), env=env)
    assert report.returncode == 0, report.stderr
    assert get("case-path").title in html.unescape((tmp_path / "report" / "report.html").read_text())
    with open(tmp_path / "report" / "gradebook.csv", newline="") as handle:
        rows = {row[0]: row for row in csv.reader(handle)}
    assert set(rows) >= {"ana", "ben"}


def picture_data(page: str) -> dict:
    """The data a picture page draws: the JSON in its <script id="linklab-data">."""
    return json.loads(page.split('<script id="linklab-data" type="application/json">', 1)[1].split("</script>", 1)[0])


def test_picture_and_export_of_a_case(driver, env, karate_file, tmp_path):
    assert run_cli_here("import", str(karate_file), "--name", "karate", env=env).returncode == 0
    result = run_cli_here("picture", "--out", str(tmp_path / "case.png"), env=env)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "case.html").read_text()
    data = picture_data(page)
    assert len(data["nodes"]) == 34 and len(data["edges"]) == 78
    assert data["legend"][0][0] == "community 1" and "https://" not in page and "<script src" not in page
    from PIL import Image

    with Image.open(tmp_path / "case.png") as image:
        assert image.size == (1100, 850) and len(image.convert("L").getcolors(maxcolors=1 << 16)) > 10
    around = run_cli_here("picture", "--out", str(tmp_path / "m1.png"), "--around", "Member 1", "--hops", "1", env=env)
    assert around.returncode == 0 and "Drew 17 people" in around.stdout  # Member 1 and 16 neighbours
    out = tmp_path / "case.graphml"
    assert run_cli_here("export", "--format", "graphml", "--out", str(out), env=env).returncode == 0
    exported = nx.read_graphml(out)
    assert (exported.number_of_nodes(), exported.number_of_edges()) == (34, 78)
    assert all("weight" in data for *_, data in exported.edges(data=True))


def test_a_case_too_large_for_a_picture_is_cut_and_says_so(driver, env, tmp_path):
    graph = nx.barabasi_albert_graph(600, 2, seed=3)
    nx.write_graphml(nx.relabel_nodes(graph, {n: f"p{n}" for n in graph}), tmp_path / "big.graphml")
    assert run_cli_here("import", str(tmp_path / "big.graphml"), "--name", "big", env=env).returncode == 0
    result = run_cli_here("picture", "--out", str(tmp_path / "big.png"), env=env)
    assert result.returncode == 0 and "showing the 400 most connected of 600 people" in result.stdout
    page = (tmp_path / "big.html").read_text()
    assert len(picture_data(page)["nodes"]) == 400
