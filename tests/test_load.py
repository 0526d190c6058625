"""Loading scenarios into the real server: determinism, counts, every profile and size, no ground
truth in the database, interrupted resets detected and recovered, old schema dropped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict

import pytest

from linklab.load import database_counts, loaded, require_complete, reset
from linklab.scenario.export import scenario_hash
from linklab.scenario.generate import faker_version, generate
from linklab.scenario.model import NODE_PROPERTIES, REL_SPECS
from linklab.scenario.profiles import SIZES, profile_names

from .conftest import ROOT, run_cli, run_cli_here

ROLE_WORDS = {"hub", "broker", "leader", "lieutenant", "spoke", "mesh", "advertiser", "alias", "stash",
              "migrated", "impostor", "laundering", "suspect", "criminal", "innocent", "background"}


def test_same_seed_same_bytes_other_seed_other_bytes():
    first, again = scenario_hash(generate("investigation", "class", 7)), scenario_hash(generate("investigation", "class", 7))
    assert first == again
    assert scenario_hash(generate("investigation", "class", 8)) != first
    assert scenario_hash(generate("investigation", "tiny", 7)) != first


def test_hash_is_the_same_in_another_process_with_another_hash_seed(tmp_path):
    """Guards against set or dict iteration order leaking into the data (PYTHONHASHSEED)."""
    hashes = set()
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        result = run_cli("generate", "--profile", "investigation", "--size", "tiny", "--seed", "5", "--out", str(out),
                         env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert result.returncode == 0, result.stderr
        hashes.add(json.loads((out / "scenario.json").read_text())["hash"])
    assert hashes == {scenario_hash(generate("investigation", "tiny", 5))}


def test_scenario_json_lines_hash_to_the_recorded_hash(tmp_path):
    import hashlib

    result = run_cli_here("generate", "--profile", "investigation", "--size", "tiny", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    meta = json.loads((tmp_path / "scenario.json").read_text())
    assert hashlib.sha256((tmp_path / "scenario.jsonl").read_bytes()).hexdigest() == meta["hash"]
    lines = (tmp_path / "scenario.jsonl").read_text().splitlines()
    assert len(lines) == sum(meta["counts"].values())
    assert meta["faker_version"] == faker_version() and meta["seed"] == 1 and meta["profile"] == "investigation"


def test_csv_export_has_a_file_per_label_with_all_rows(tmp_path):
    result = run_cli_here("generate", "--profile", "investigation", "--size", "tiny", "--format", "csv", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    meta = json.loads((tmp_path / "scenario.json").read_text())
    persons = (tmp_path / "Person.csv").read_text().splitlines()
    assert persons[0] == ",".join(NODE_PROPERTIES["Person"]) and len(persons) - 1 == meta["counts"]["Person"]


# The one world at every size (at 100,000 people a load takes a minute on two cores; `python -m bench reset`
# measures large loads for speed).
LOADS = [(p, s) for p in profile_names() for s in SIZES]


@pytest.mark.parametrize("profile, size", LOADS)
def test_every_profile_and_size_loads_with_matching_counts(driver, profile, size):
    scenario = generate(profile, size, 11)
    report = reset(driver, scenario)
    assert database_counts(driver) == report.meta["counts"] == scenario.counts()
    current = require_complete(driver)
    assert current.props["hash"] == scenario_hash(scenario)
    assert current.props["profile"] == profile and current.props["seed"] == 11
    assert current.props["faker_version"] == faker_version()
    assert current.props["persons"] == SIZES[size]


def test_the_ground_truth_is_not_in_the_database(driver):
    scenario = generate("investigation", "class", 3)
    reset(driver, scenario)
    allowed_nodes = {label: set(props) | {"location"} for label, props in NODE_PROPERTIES.items()}
    allowed_rels = {}
    for (rel_type, _, _), props in REL_SPECS.items():
        allowed_rels.setdefault(rel_type, set()).update(props)
    for record in driver.execute_query(
            "MATCH (n) WHERE NOT n:Scenario UNWIND labels(n) AS label "
            "RETURN label, collect(DISTINCT keys(n)) AS keys").records:
        assert set().union(*map(set, record["keys"])) <= allowed_nodes[record["label"]], record["label"]
    for record in driver.execute_query(
            "MATCH ()-[r]->() RETURN type(r) AS t, collect(DISTINCT keys(r)) AS keys").records:
        assert set().union(*map(set, record["keys"])) <= allowed_rels[record["t"]], record["t"]
    values = driver.execute_query(
        "MATCH (n) WHERE NOT n:Scenario AND NOT n:Post UNWIND keys(n) AS k WITH n[k] AS v "
        "WHERE v IS :: STRING RETURN collect(DISTINCT toLower(v)) AS vs").records[0]["vs"]
    assert not ROLE_WORDS & set(values)
    scenario_keys = set(driver.execute_query("MATCH (s:Scenario {id: 'current'}) RETURN keys(s) AS k").records[0]["k"])
    assert scenario_keys <= set(asdict(scenario.info)) | {"id", "hash", "counts", "entities", "complete",
                                                          "generator_digest", "token",
                                                          "status", "started_at", "loaded_at"}
    truth = scenario.truth.organisation("hub-and-spoke")
    hub_name = driver.execute_query("MATCH (p:Person {id: $id}) RETURN p.name AS n", id=truth.hub).records[0]["n"]
    assert hub_name  # the hub exists as an ordinary person; nothing marks it
    assert driver.execute_query("MATCH (p:Person {id: $id}) RETURN keys(p) AS k",
                                id=truth.hub).records[0]["k"] == \
        driver.execute_query("MATCH (p:Person {id: $id}) RETURN keys(p) AS k",
                             id=truth.broker).records[0]["k"]


def test_reset_drops_the_leftovers_of_an_older_schema(driver):
    reset(driver, generate("investigation", "tiny", 1))
    driver.execute_query("CREATE INDEX legacy_suspect IF NOT EXISTS FOR (n:Suspect) ON (n.alias)")
    driver.execute_query("CREATE CONSTRAINT legacy_case IF NOT EXISTS FOR (n:Case) REQUIRE n.number IS UNIQUE")
    reset(driver, generate("investigation", "tiny", 2))
    names = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    assert "legacy_suspect" not in names and "legacy_case" not in names
    assert {"person_id", "account_handle", "post_location"} <= names


def test_a_failure_mid_load_leaves_an_incomplete_scenario_that_the_next_reset_recovers(driver):
    def explode_after_some(n, seen=[0]):
        seen[0] += n
        if seen[0] > 3000:
            raise ConnectionError("connection lost")

    with pytest.raises(ConnectionError):
        reset(driver, generate("investigation", "class", 4), progress=explode_after_some)
    assert loaded(driver).state == "incomplete"
    with pytest.raises(Exception, match="incomplete"):
        require_complete(driver)
    report = reset(driver, generate("investigation", "class", 4))
    assert loaded(driver).state == "complete" and database_counts(driver) == report.meta["counts"]


def test_a_killed_reset_is_detected_by_every_command_and_recovered(cli_env):
    process = subprocess.Popen([sys.executable, "-m", "linklab", "reset", "--size", "large", "--seed", "2",
                                "--no-bulk"],  # the UNWIND route (tests/test_bulk.py: neo4j-admin's)
                               env=cli_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until loading is under way, then kill it hard
            state = run_cli_here("scenario", "--json", env=cli_env)
            data = json.loads(state.stdout) if state.stdout.strip().startswith("{") else {}
            if data.get("status") == "resetting" and data.get("profile"):
                time.sleep(2)
                break
            time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    shown = run_cli_here("scenario", env=cli_env)
    assert shown.returncode == 1 and "did not finish" in shown.stderr and "Traceback" not in shown.stderr
    recovered = run_cli_here("reset", "--size", "tiny", env=cli_env)
    assert recovered.returncode == 0, recovered.stderr
    shown = run_cli_here("scenario", env=cli_env)
    assert shown.returncode == 0 and "investigation / size tiny" in shown.stdout


def test_bad_profile_and_size_are_clear_errors(cli_env):
    for args, expected in ((["--profile", "mafia"], "unknown profile 'mafia'"),
                           (["--size", "huge"], "unknown size 'huge'"),
                           (["--size", "3000000"], "person count must be between")):
        result = run_cli_here("reset", *args, env=cli_env)
        assert result.returncode == 1 and expected in result.stderr and "Traceback" not in result.stderr


def test_the_warm_up_at_server_start_writes_nothing(driver):
    from linklab.grade.engine import ScenarioKey
    from linklab.grade.loading import ensure_loaded
    from linklab.load import database_counts, loaded, warm_up

    ensure_loaded(driver, ScenarioKey("investigation", "tiny", 5))
    before, marker = database_counts(driver), loaded(driver).props
    assert warm_up(driver) > 0
    assert database_counts(driver) == before and loaded(driver).props == marker
