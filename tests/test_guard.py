"""The guard's first layer on its own (no Neo4j, no Java): Neo4j's Cypher 5 grammar parses each answer and
the allowlists decide (linklab.cypherlang, linklab.grade.allow).

A grammar-based fuzzer rewrites every denied clause, procedure and function the ways a hostile trainee
would (names quoted per part or whole, spaces and comments between tokens, any case, keywords spelled in
other cases) and keeps the variants that Neo4j's grammar still parses: each one must be refused, for what
it is (never as a syntax error, which would mean the guard only refused by luck). Right answers written in
unusual but valid styles must pass.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from linklab.cypherlang.parser import CypherSyntaxError, parse, tokens_of
from linklab.exercises.catalogue import case_catalogue, catalogue
from linklab.grade import allow
from linklab.grade.guard import Refused, inspect

ROOT = Path(__file__).resolve().parent.parent
PARAMS = {"graph": "linklab-check-0123", "a": "Ana", "b": "Ben", "k": 3, "hub": "Hal", "name": "Nia",
          "buyer": "bc1qxyz"}

# What a hostile answer tries, one template each; the fuzzer makes the variants.
DENIED_CLAUSES = [
    "LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row",
    "LOAD CSV WITH HEADERS FROM 'file:///etc/passwd' AS row RETURN row",
    "CREATE (n:Person {name: 'x'}) RETURN n",
    "MERGE (n:Person {name: 'x'}) RETURN n",
    "MATCH (n) SET n.name = 'x' RETURN n",
    "MATCH (n) REMOVE n.name RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n) FOREACH (x IN [1] | SET n.x = x)",
    "USE system SHOW USERS",
    "MATCH (n) CALL (n) { RETURN n AS m } IN TRANSACTIONS RETURN m",
    "SHOW TRANSACTIONS",
    "SHOW TRANSACTIONS YIELD transactionId, currentQuery RETURN transactionId, currentQuery",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "SHOW SETTINGS YIELD name, value RETURN name, value",
    "SHOW PROCEDURES YIELD name RETURN name",
    "SHOW FUNCTIONS",
    "SHOW DATABASES",
    "SHOW INDEXES",
    "SHOW CONSTRAINTS",
    "SHOW USERS",
    "CREATE INDEX evil FOR (n:Person) ON (n.name)",
    "DROP CONSTRAINT person_id",
    "ALTER CURRENT USER SET PASSWORD FROM 'a' TO 'b'",
    "CREATE USER evil SET PASSWORD 'password1'",
    "STOP DATABASE neo4j",
    "MATCH (n) WHERE n:$('Scen' + 'ario') RETURN n",
]
DENIED_PROCEDURES = [
    "CALL apoc.cypher.run('MATCH (n) RETURN n', {}) YIELD value RETURN value",
    "CALL apoc.cypher.doIt('MATCH (n) DETACH DELETE n', {}) YIELD value RETURN value",
    "CALL apoc.load.json('http://127.0.0.1:9/x') YIELD value RETURN value",
    "CALL apoc.load.csv('http://127.0.0.1:9/x.csv') YIELD map RETURN map",
    "CALL apoc.export.csv.all('/tmp/x.csv', {})",
    "CALL apoc.import.csv([{fileName: 'file:///x', labels: ['X']}], [], {})",
    "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})",
    "CALL apoc.trigger.add('t', 'RETURN 1', {})",
    "CALL apoc.create.node(['X'], {}) YIELD node RETURN node",
    "CALL apoc.util.sleep(100000)",
    "CALL apoc.do.when(true, 'MATCH (n) RETURN n', '', {}) YIELD value RETURN value",
    "CALL apoc.when(true, 'MATCH (n) RETURN n') YIELD value RETURN value",
    "CALL apoc.lock.read.nodes([])",
    "CALL apoc.meta.schema() YIELD value RETURN value",
    "CALL dbms.listConfig() YIELD name, value RETURN name, value",
    "CALL dbms.listConnections() YIELD connectionId RETURN connectionId",
    "CALL dbms.killConnection('bolt-1')",
    "CALL dbms.components() YIELD name RETURN name",
    "CALL tx.setMetaData({linklab_check: 'another-check'})",
    "CALL db.createLabel('Evil')",
    "CALL db.info() YIELD id RETURN id",
    "CALL db.stats.retrieve('GRAPH COUNTS') YIELD data RETURN data",
    "CALL gds.graph.list() YIELD graphName RETURN graphName",
    "CALL gds.pageRank.write($graph, {writeProperty: 'rank'}) YIELD nodePropertiesWritten RETURN 1",
    "CALL gds.graph.export($graph, {dbName: 'copy'}) YIELD dbName RETURN dbName",
    "CALL gds.debug.sysInfo() YIELD key, value RETURN key, value",
]
DENIED_FUNCTIONS = [
    "RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) RETURN count(n)', {}) AS x",
    "RETURN apoc.cypher.runFirstColumnMany('MATCH (n:Scenario) RETURN n', {}) AS x",
    "RETURN apoc.static.get('x') AS x",
    "RETURN apoc.util.md5(['x']) AS x",
    "RETURN apoc.meta.cypher.type(1) AS x",
    "RETURN apoc.create.uuid() AS x",
    "RETURN file() AS f",
    "RETURN linenumber() AS n",
    "RETURN graph.names() AS g",
]
OTHER_GRAPHS = [  # GDS graphs that are not the check's own $graph
    "CALL gds.graph.project('leak1', 'Person', 'KNOWS') YIELD graphName RETURN graphName",
    "CALL gds.graph.drop('linklab-check-someone-else') YIELD graphName RETURN graphName",
    "CALL gds.pageRank.stream('linklab-check-someone-else') YIELD nodeId RETURN nodeId",
    "MATCH (a)-->(b) WITH gds.graph.project('leak2', a, b) AS g RETURN g.graphName",
    "MATCH (a)-->(b) WITH gds.graph.project($graph + 'x', a, b) AS g RETURN g.graphName",
    "WITH 'linklab-check-other' AS name CALL gds.graph.drop(name) YIELD graphName RETURN graphName",
    "CALL gds.graph.list() YIELD graphName CALL gds.graph.drop(graphName) YIELD nodeCount RETURN nodeCount",
    "CALL gds.graph.project($graph, 'Person', 'KNOWS') YIELD nodeCount AS graphName "
    "CALL gds.graph.drop(graphName) YIELD nodeCount RETURN nodeCount",
    # a name bound twice (the inference does not follow scopes): the other graph's name first, the check's later
    "WITH 'linklab-check-other' AS g CALL gds.graph.drop(g) YIELD nodeCount WITH nodeCount "
    "CALL gds.graph.project($graph, 'Person', 'KNOWS') YIELD graphName AS g RETURN 1",
    "WITH {graphName: 'linklab-check-other'} AS g CALL gds.graph.drop(g.graphName) YIELD nodeCount WITH nodeCount "
    "MATCH (a:Person)-->(b:Person) WITH gds.graph.project($graph, a, b) AS g RETURN g.graphName",
]
MARKER = [
    "MATCH (s:Scenario) RETURN s.token",
    "MATCH (s) WHERE s:Scenario RETURN s",
    "MATCH (s:Person|Scenario) RETURN count(s)",
    "MATCH (s IS Scenario) RETURN s",
    "MATCH (a:Person) RETURN exists { (a)--(:Scenario) } AS odd",
]
COMPUTED_KEYS = [
    "MATCH (n) RETURN n['se' + 'ed']",
    "MATCH (n) WITH n, 'token' AS k RETURN n[k]",
    "MATCH (n) UNWIND keys(n) AS k RETURN n[k]",
    "MATCH (n)-[r]->() RETURN r[toLower('COUNT')]",
    "WITH {a: 1} AS m, 'a' AS k RETURN m[k]",
]


class Fuzzer:
    """Token-level rewrites of a query that keep it one and the same query to Neo4j: qualified names quoted
    per part or whole and spaced around their dots, names and keywords in any case, the spaces between
    tokens replaced by other spaces, newlines and comments. Seeded: the same variants on every run."""

    FILLERS = [" ", "  ", "\n", "\t", " /* x */ ", "/**/", " // note\n", "\r\n "]

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def case(self, text: str) -> str:
        return self.rng.choice([text.upper(), text.lower(), text.swapcase(),
                                "".join(c.upper() if self.rng.random() < 0.5 else c.lower() for c in text)])

    def gap(self, original: str) -> str:
        if not original:
            return "" if self.rng.random() < 0.7 else self.rng.choice(["/**/", " "])
        return original if self.rng.random() < 0.4 else self.rng.choice(self.FILLERS)

    def name(self, parts: list[str]) -> str:
        parts = [self.case(p) if self.rng.random() < 0.5 else p for p in parts]  # names ignore case
        style = self.rng.randrange(3)
        if style == 0:
            return ".".join(f"`{p}`" for p in parts)
        if style == 1:
            return "`" + ".".join(parts) + "`"
        return (self.rng.choice(self.FILLERS) + "." + self.rng.choice(self.FILLERS)).join(parts)

    def variant(self, query: str) -> str:
        every = tokens_of(query)
        words = [t for t in every if t.channel == 0]
        gaps = ["".join(t.text for t in every if words[k].stop < t.start and t.stop < words[k + 1].start
                        and t.channel != 0) for k in range(len(words) - 1)] + [""]
        out, i = [], 0
        while i < len(words):
            j = i  # a qualified name called like a function or procedure: name (. name)* (
            while j + 2 < len(words) and words[j + 1].text == "." and words[j + 2].text[:1].isalpha():
                j += 2
            if j > i and j + 1 < len(words) and words[j + 1].text == "(" and words[i].text[:1].isalpha():
                out.append(self.name([t.text for t in words[i:j + 1:2]]) + self.gap(gaps[j]))
                i = j + 1
                continue
            text = words[i].text
            if text.isalpha() and text.upper() == text and len(text) > 1:  # a keyword: any case
                text = self.case(text)
            out.append(text + self.gap(gaps[i]))
            i += 1
        return "".join(out).strip()


def variants(query: str, count: int, seed: int) -> list[str]:
    """The query and `count` rewrites of it that Neo4j's grammar still parses."""
    fuzzer, found = Fuzzer(seed), [query]
    for _ in range(count * 4):
        text = fuzzer.variant(query)
        try:
            parse(text)
        except CypherSyntaxError:
            continue
        found.append(text)
        if len(found) > count:
            break
    return found


REFUSED_FOR_WHAT_IT_IS = {"clause", "procedure", "function", "gds_name", "marker", "dynamic_property", "statements"}


@pytest.mark.parametrize("template", DENIED_CLAUSES + DENIED_PROCEDURES + DENIED_FUNCTIONS + OTHER_GRAPHS
                         + MARKER + COMPUTED_KEYS)
def test_every_spelling_of_what_is_denied_is_refused(template):
    spelled = variants(template, 12, seed=len(template))
    assert len(spelled) > 6, "the fuzzer found too few valid spellings"
    for text in spelled:
        with pytest.raises(Refused) as refused:
            inspect(text, PARAMS)
        assert refused.value.code in REFUSED_FOR_WHAT_IT_IS, (text, str(refused.value))


def test_the_fuzzer_really_varies_quoting_spacing_and_case():
    spelled = variants("CALL apoc.cypher.run('RETURN 1', {}) YIELD value RETURN value", 40, seed=7)
    joined = "\n".join(spelled)
    assert "`apoc`.`" in joined.lower() and "`apoc.cypher.run`" in joined.lower()
    assert "/* x */" in joined and "// note" in joined and "call" in joined and "CALL" in joined
    assert any("APOC" in s or "Apoc" in s or "aPoC" in s.replace("`", "") for s in spelled) or \
        any(s.split("(")[0] != s.split("(")[0].lower() for s in spelled)


RIGHT_STYLES = [
    "MATCH (n) RETURN keys({a: 1, b: 2}) AS k",
    "WITH {name: 'x', n: 1} AS m RETURN keys(m), m.name, m['name']",
    "MATCH (p:Person) WITH collect(p.name) AS ranked RETURN ranked[..$k], ranked[$k], ranked[0], ranked[-1]",
    "MATCH p = (a:Person)-[:FAMILY_OF*1..3]->(b:Person) RETURN [n IN nodes(p)[..-1] | n.name] AS route",
    "MATCH (a:Person) WITH collect(a) AS people UNWIND range(0, size(people) - 1) AS i RETURN people[i].name",
    "MATCH (n:Person) RETURN labels(n), properties(n) LIMIT 3",
    "MATCH (a:Account) OPTIONAL MATCH (a)-[:FOLLOWS]->(b:Account) WITH gds.graph.project($graph, a, b) AS g "
    "CALL gds.pageRank.stream(g.graphName) YIELD nodeId, score "
    "RETURN gds.util.asNode(nodeId).handle AS handle ORDER BY score DESC LIMIT 1",
    "CALL gds.graph.project($graph, 'Account', 'FOLLOWS') YIELD graphName AS name "
    "CALL gds.pageRank.stream(name) YIELD nodeId, score RETURN gds.util.asNode(nodeId).handle ORDER BY score DESC LIMIT 1",
    "CALL gds.graph.project($graph, 'Account', 'FOLLOWS') YIELD graphName "  # the yielded name, not renamed
    "CALL gds.pageRank.stream(graphName) YIELD nodeId, score RETURN gds.util.asNode(nodeId).handle ORDER BY score DESC",
    "CALL gds.graph.project.cypher($graph, 'MATCH (a:Account) RETURN id(a) AS id', "
    "'MATCH (a:Account)-[:FOLLOWS]->(b:Account) RETURN id(a) AS source, id(b) AS target') YIELD graphName "
    "CALL gds.pageRank.stream($graph) YIELD nodeId RETURN nodeId LIMIT 1",
    "MATCH (p:Person {name: $a}) CALL apoc.path.subgraphNodes(p, {relationshipFilter: 'USES|MESSAGED'}) "
    "YIELD node RETURN count(node)",
    "RETURN apoc.coll.sum([1, 2, 3]) AS s, apoc.text.join(['a', 'b'], '-') AS t, `apoc`.`coll`.max([1]) AS m",
    "MATCH (p:Person) RETURN p.name AS name ORDER BY name DESC LIMIT 5;",
    "// a comment that says Scenario and LOAD CSV and apoc.cypher.run\nMATCH (n:Person) RETURN count(n)",
    "MATCH (n:Person) WHERE n.name = 'SHOW TRANSACTIONS' RETURN n /* CREATE (x) */",
    "MATCH (n:Person) RETURN n.name AS `Scenario name`",
    "CALL () { MATCH (p:Person) RETURN count(p) AS people } RETURN people",
    "MATCH (n:Person) WITH n, COUNT { (n)--() } AS degree RETURN n.name, degree ORDER BY degree DESC LIMIT 1",
    "UNWIND [1, 2, 3] AS x WITH x WHERE x > 1 RETURN sum(x) AS s UNION RETURN 0 AS s",
    "MATCH (a:Person), (b:Person) WHERE a <> b MATCH p = shortestPath((a)-[*..4]-(b)) RETURN length(p) LIMIT 1",
    "MATCH (w:Wallet {address: $buyer}) MATCH route = (w)-[:SENT*]->(x:Wallet) WHERE x.exchange IS NOT NULL "
    "RETURN [n IN nodes(route) | n.address]",
    "CALL db.labels() YIELD label RETURN label",
    "RETURN point.distance(point({latitude: 1, longitude: 2}), point({latitude: 1, longitude: 2.001})) AS d",
    "MATCH (p:Person) RETURN p.name, CASE WHEN p.born < 1990 THEN 'older' ELSE 'younger' END",
    "MATCH (p:Person) RETURN toLower(p.name) CONTAINS 'a' AS a, p.name =~ '(?i).*x.*' AS x",
    "FINISH",
]


@pytest.mark.parametrize("query", RIGHT_STYLES)
def test_valid_styles_of_a_read_query_run(query):
    inspect(query, PARAMS)


def test_every_reference_and_registered_mistake_passes_the_first_layer():
    for exercise in catalogue() + case_catalogue():
        for text in [exercise.solution] + [m.query for m in exercise.mutants]:
            inspect(text, PARAMS)


def test_names_resolve_whatever_their_quoting_and_spacing():
    from linklab.cypherlang.names import qualified_name

    for text in ("RETURN apoc.coll.sum([1])", "RETURN `apoc`.`coll`.`sum`([1])", "RETURN `apoc.coll.sum`([1])",
                 "RETURN apoc /* c */ . coll\n.sum([1])", "RETURN APOC.COLL.SUM([1])"):
        assert qualified_name(parse(text).first("functionName")) == "apoc.coll.sum", text


def test_the_final_limit_is_found_by_the_parse_not_by_text():
    shape = inspect("MATCH (p:Person) RETURN p.name ORDER BY p.name LIMIT 3 // LIMIT 9", PARAMS).shape
    assert shape.final_limit.text == "3" and shape.ordered and shape.limited
    inner = inspect("CALL () { MATCH (p:Person) RETURN p LIMIT 2 } RETURN count(p)", PARAMS).shape
    assert inner.final_limit is None and inner.limited and not inner.ordered
    text = "MATCH (p:Person) RETURN 'LIMIT 1' AS s LIMIT 1"
    assert inspect(text, PARAMS).shape.final_limit.start == text.rindex("1")


def test_the_server_loads_what_answers_may_call():
    """Every plugin procedure and function the allowlists accept is one the server loads."""
    import fnmatch

    from linklab.server import PLUGIN_ALLOWLIST

    loaded = [p.lower() for p in PLUGIN_ALLOWLIST]
    for pattern in allow.PROCEDURES + allow.LIBRARY_FUNCTIONS:
        if pattern.startswith(("apoc.", "gds.")):
            probe = pattern.replace("*", "x")
            assert any(fnmatch.fnmatchcase(probe, p) for p in loaded), pattern


def test_the_grammar_is_neo4js_at_the_pinned_version():
    """The committed grammar files are those of the Neo4j version neo4j/pom.xml pins (re-made by
    `python -m linklab.cypherlang.build`), byte for byte."""
    import hashlib
    import json

    from linklab.cypherlang.build import GRAMMAR, pinned_neo4j

    manifest = json.loads((GRAMMAR / "manifest.json").read_text())
    assert manifest["artifact"] == f"org.neo4j:cypher-v5-antlr-parser:{pinned_neo4j()}:sources"
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((GRAMMAR / name).read_bytes()).hexdigest() == digest


def test_parsing_costs_milliseconds():
    """The parse is on every check's path (issue goal: under 2 ms p50; bench checks measures it per check)."""
    texts = [e.solution for e in catalogue()]
    for text in texts:  # ANTLR's prediction cache fills on the first parse of each shape
        parse(text)
    times = []
    for text in texts * 3:
        began = time.perf_counter()
        parse(text)
        times.append(time.perf_counter() - began)
    times.sort()
    assert times[len(times) // 2] < 0.02  # a generous bound for a loaded CI machine; bench prints the figure


def test_the_background_terminate_is_quiet_when_the_server_is_gone_and_a_caller_who_waits_is_told():
    """At the time limit the guard ends the answer's run on a background thread, after the check has answered;
    a server lost meanwhile must not kill that thread with a traceback (nothing is left to stop there). The lab's
    "stop my run" calls `terminate` itself and still learns the server is gone."""
    import threading

    import neo4j

    from linklab.grade.guard import terminate, terminate_quietly

    from .test_lab import free_port

    driver = neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{free_port()}", auth=("neo4j", "unused"),
                                        max_transaction_retry_time=0, connection_timeout=2)
    try:
        with pytest.raises(neo4j.exceptions.DriverError):
            terminate(driver, "neo4j", "check-gone")
        died = []
        shown, threading.excepthook = threading.excepthook, died.append
        try:
            thread = threading.Thread(target=terminate_quietly, args=(driver, "neo4j", "check-gone"))
            thread.start()
            thread.join(30)
        finally:
            threading.excepthook = shown
        assert not thread.is_alive() and died == []
    finally:
        driver.close()
