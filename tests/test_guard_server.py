"""The guard's layers behind the parse, on the real server (the test server, started with linklab's settings):
the server loads only the allowed procedures and functions, reaches no URL, and no answer sees or ends
another check's work. A loopback canary HTTP server proves that no answer reaches the network."""

from __future__ import annotations

import http.server
import socketserver
import threading
import time

import pytest
from neo4j.exceptions import ClientError

from linklab.exercises.catalogue import get
from linklab.grade import allow
from linklab.grade.engine import ScenarioKey, check_answer
from linklab.grade.evaluate import GRAPH_PREFIX, sweep_graphs
from linklab.grade.loading import ensure_loaded
from linklab.grade.evaluate import Budget
from linklab.grade.guard import BUSY_SHARE, Limits, Refused, run_guarded

KEY = ScenarioKey("investigation", "tiny", 777)
# Not loaded on linklab's servers at all (server.PLUGIN_ALLOWLIST): a gap in the parse would meet nothing.
ABSENT_PROCEDURES = ["apoc.cypher.run", "apoc.cypher.doIt", "apoc.load.json", "apoc.load.csv", "apoc.export.csv.all",
                     "apoc.import.csv", "apoc.periodic.iterate", "apoc.trigger.add", "apoc.create.node",
                     "apoc.merge.node", "apoc.util.sleep", "apoc.do.when", "apoc.when", "apoc.case",
                     "apoc.meta.schema", "apoc.refactor.mergeNodes", "apoc.atomic.add", "apoc.log.info",
                     "apoc.spatial.geocode", "gds.pageRank.write", "gds.graph.export", "gds.debug.sysInfo"]
ABSENT_FUNCTIONS = ["apoc.cypher.runFirstColumnSingle", "apoc.cypher.runFirstColumnMany", "apoc.static.get",
                    "apoc.util.md5", "apoc.meta.cypher.type", "apoc.create.uuid", "apoc.json.path"]


@pytest.fixture(scope="module")
def loaded(driver):
    ensure_loaded(driver, KEY)
    return KEY


def names(driver, kind: str) -> set[str]:
    return {r["name"] for r in driver.execute_query(f"SHOW {kind} YIELD name RETURN name").records}


def test_the_server_does_not_have_the_denied_procedures_and_functions(driver):
    procedures, functions = names(driver, "PROCEDURES"), names(driver, "FUNCTIONS")
    assert not set(ABSENT_PROCEDURES) & procedures and not set(ABSENT_FUNCTIONS) & functions
    assert not {p for p in procedures if p.startswith(("apoc.cypher", "apoc.load", "apoc.export", "apoc.periodic"))}
    assert "apoc.path.subgraphNodes" in procedures and "gds.pageRank.stream" in procedures  # what answers need
    assert "apoc.lock.read.nodes" in procedures  # what linklab needs
    for name in ABSENT_PROCEDURES[:4]:
        with pytest.raises(ClientError, match="no procedure|ProcedureNotFound"):
            driver.execute_query(f"CALL {name}('RETURN 1', {{}})")
    with pytest.raises(ClientError, match="Unknown function"):
        driver.execute_query("RETURN apoc.cypher.runFirstColumnSingle('RETURN 1', {}) AS x")


def test_every_loaded_plugin_procedure_reads_and_is_on_an_allowlist_or_linklabs_own(driver):
    """What the server loads is what answers may call, plus what linklab runs itself, plus GDS names that
    Neo4j's globs cannot leave out and the parse refuses (model pipelines, an export's estimate); none of
    them writes."""
    own = {"apoc.lock.read.nodes", "gds.graph.list"}
    records = driver.execute_query("SHOW PROCEDURES YIELD name, mode RETURN name, mode").records
    for record in records:
        name = record["name"]
        if name.startswith(("apoc.", "gds.")):
            assert record["mode"] in ("READ", "DEFAULT"), name
            assert allow.procedure_allowed(name.lower()) or name in own or \
                allow.allowed(name.lower(), allow.NEVER_PROCEDURES), name
    for name in names(driver, "FUNCTIONS"):
        if name.startswith(("apoc.", "gds.")):
            assert allow.function_allowed(name.lower()), name


def test_the_built_in_functions_answers_may_use_exist(driver):
    built_in = {r["name"].lower() for r in driver.execute_query(
        "SHOW FUNCTIONS YIELD name, isBuiltIn WHERE isBuiltIn RETURN name").records}
    assert allow.BUILT_IN_FUNCTIONS <= built_in
    assert built_in - allow.BUILT_IN_FUNCTIONS == {"file", "linenumber", "graph.byelementid", "graph.byname"}


class Canary(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        Canary.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"name\nleak\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    Canary.requests = []
    with socketserver.TCPServer(("127.0.0.1", 0), Canary) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"127.0.0.1:{server.server_address[1]}"
        server.shutdown()


def test_no_answer_reaches_the_network(driver, loaded, canary):
    url = f"http://{canary}/x.csv"
    attacks = [
        f"LOAD CSV FROM '{url}' AS row RETURN row",
        f"load csv with headers from '{url}' as row return row.name",
        f"CALL apoc.load.json('{url}') YIELD value RETURN value",
        f"CALL `apoc`.`load`.`csv`('{url}') YIELD map RETURN map",
        f"RETURN `apoc.cypher.runFirstColumnSingle`(\"LOAD CSV FROM '{url}' AS r RETURN r\", {{}}) AS x",
        f"CALL gds.graph.project.cypher($graph, \"LOAD CSV FROM '{url}' AS r RETURN 0 AS id\", "
        "'RETURN 0 AS source, 0 AS target') YIELD graphName RETURN graphName",
        f"CALL apoc.spatial.geocode('{url}') YIELD location RETURN location",
    ]
    exercise = get("crews")
    for attack in attacks:
        result = check_answer(driver, exercise, attack, loaded, Limits(timeout_s=5))
        assert result.status == "refused", attack
    for attack in attacks[:2]:  # the server's own layer, with the parse out of the way
        with pytest.raises(ClientError, match="blocked"):
            driver.execute_query(attack, graph="x")
    assert Canary.requests == []


def test_no_answer_lists_or_ends_another_checks_transaction(driver, loaded):
    """A slow check runs; another trainee's answers that would list or end it are refused before they run,
    and the slow check finishes with its own result."""
    slow = "MATCH (a:Person), (b:Person), (c:Person) WITH count(*) AS n CALL { RETURN 1 AS one } RETURN n, one"
    outcome = {}

    def first_trainee():
        outcome["rows"] = run_guarded(driver, slow, limits=Limits(timeout_s=20)).rows

    worker = threading.Thread(target=first_trainee)
    worker.start()
    time.sleep(0.2)
    for attack in ["SHOW TRANSACTIONS YIELD transactionId, currentQuery RETURN transactionId, currentQuery",
                   "show transactions", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
                   "CALL dbms.listConnections() YIELD connectionId RETURN connectionId",
                   "CALL `dbms`.`killConnections`(['bolt-1'])", "CALL tx.setMetaData({linklab_check: 'x'})",
                   "SHOW SETTINGS YIELD name RETURN name"]:
        with pytest.raises(Refused) as refused:
            run_guarded(driver, attack, limits=Limits(timeout_s=5))
        assert refused.value.code in ("clause", "procedure"), attack
    worker.join(30)
    assert outcome["rows"] and outcome["rows"][0][1] == 1


def test_leftover_check_graphs_are_swept_and_no_other(driver, loaded):
    left = f"{GRAPH_PREFIX}killed-mid-check"
    driver.execute_query("MATCH (a:Account) OPTIONAL MATCH (a)-[:FOLLOWS]->(b:Account) "
                         "RETURN gds.graph.project($name, a, b).graphName", name=left)
    driver.execute_query("CALL gds.graph.project('a-trainees-own-graph', 'Account', 'FOLLOWS')")
    try:
        assert sweep_graphs(driver, "neo4j", older_than_s=3600) == []  # too young to be a leftover
        assert sweep_graphs(driver, "neo4j", older_than_s=0) == [left]
        remaining = {r["graphName"] for r in driver.execute_query("CALL gds.graph.list() YIELD graphName").records}
        assert left not in remaining and "a-trainees-own-graph" in remaining
    finally:
        driver.execute_query("CALL gds.graph.drop('a-trainees-own-graph', false)")


# ---------------------------------------------------------------- the time limit under a busy server


def test_the_watchdog_tells_a_run_that_waited_from_one_that_worked(driver):
    """Stopped at the time limit, a run that mostly waited (here for a lock another transaction holds, as it
    waits for cores that other checks hold in a busy room) spent a small share of its time on a CPU; a run
    that worked all that time, most of it. Neo4j's CPU time tells them apart (db.track_query_cpu_time, set by
    linklab's server settings); grade.evaluate.Budget.busy_stop turns the first into no verdict."""
    probe = f"probe-{time.time_ns()}"
    driver.execute_query("CREATE (:GuardBusyProbe {id: $id})", id=probe)
    try:
        def wait_for_the_lock(tx) -> None:
            tx.run("MATCH (n:GuardBusyProbe {id: $id}) CALL apoc.lock.read.nodes([n]) RETURN count(*)",
                   id=probe).consume()

        with driver.session() as holder, holder.begin_transaction() as writer:
            writer.run("MATCH (n:GuardBusyProbe {id: $id}) SET n.held = true", id=probe).consume()
            began = time.monotonic()
            with pytest.raises(Refused) as waited:
                run_guarded(driver, "RETURN 1 AS one", limits=Limits(timeout_s=2), prepare=wait_for_the_lock)
            writer.rollback()
        assert time.monotonic() - began < 3.5  # the watchdog still stops it at its deadline
        with pytest.raises(Refused) as worked:
            run_guarded(driver, "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 0 RETURN count(*) AS n",
                        limits=Limits(timeout_s=2))
    finally:
        driver.execute_query("MATCH (n:GuardBusyProbe {id: $id}) DELETE n", id=probe)
    assert waited.value.limit == worked.value.limit == "time" and waited.value.ran_s >= 2
    assert waited.value.share is not None and waited.value.share < BUSY_SHARE, waited.value.share
    assert worked.value.share is not None and worked.value.share >= BUSY_SHARE, worked.value.share
    assert Budget(2, spent=waited.value.ran_s).busy_stop(waited.value)
    assert not Budget(2, spent=worked.value.ran_s).busy_stop(worked.value)
    ran = run_guarded(driver, "UNWIND range(1, 3000000) AS x WITH x WHERE x % 7 = 0 RETURN count(*) AS n")
    assert 0 < ran.worked <= ran.seconds  # a finished run over SLOW_RUN_S: its time on a CPU, read before it ended


def test_a_query_s_own_failure_is_told_as_such_however_the_driver_raises_it(driver):
    """Reading a failed query's rows, the driver raises the server's error or, when that failure reached the
    connection before the rows were asked for (timing: seen once in CI, a mutant's shortest path from a node
    to itself), a ResultFailedError made from it. Either is the query's own failure: a refusal or a mutant's
    REFUSED, never a lost server or a crashed preparation."""
    from neo4j.exceptions import ClientError, ResultFailedError

    from linklab.grade.guard import server_failure

    with driver.session(fetch_size=10) as session:
        tx = session.begin_transaction()
        try:
            result = tx.run("UNWIND range(1, 100) AS i RETURN 10 / (50 - i) AS x")  # fails after some rows
            with pytest.raises(ClientError) as first:
                list(result)
            with pytest.raises(ResultFailedError) as again:  # the same failure, told the other way
                list(result)
        finally:
            tx.close()  # a failed transaction: closed, nothing to commit
    assert server_failure(first.value) is first.value
    assert server_failure(again.value) is first.value and first.value.code.endswith("ArithmeticError")
    assert server_failure(ResultFailedError(None, "no cause")) is None
    with pytest.raises(Refused) as refusal:  # a trainee's answer that fails as it runs: refused, with the reason
        run_guarded(driver, "UNWIND range(1, 100) AS i RETURN 10 / (50 - i) AS x")
    assert refusal.value.code == "neo4j_error" and not refusal.value.limit
