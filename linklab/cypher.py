"""Every Cypher statement the Python code runs, in one place (schema: queries/schema.cypher;
reference solutions: exercises/NN-ID/solution.cypher). Labels and types are formatted in only from the fixed
schema in scenario.model, or a case's relationship type once it matches cases.network.TYPE_PATTERN."""

from __future__ import annotations

import re
from functools import cache

from .config import DATA_ROOT
from .scenario.model import DATETIME_FIELDS, NODE_PROPERTIES, REL_SPECS

SCHEMA_FILE = DATA_ROOT / "queries" / "schema.cypher"


def schema_statements() -> list[str]:
    text = "\n".join(line for line in SCHEMA_FILE.read_text().splitlines() if not line.strip().startswith("//"))
    return [s.strip() for s in text.split(";") if s.strip()]


def schema_name(statement: str) -> str:
    return re.search(r"(?:CONSTRAINT|INDEX)\s+(\w+)", statement).group(1)


def schema_names() -> set[str]:
    """Names of the constraints and indexes that schema.cypher creates."""
    return {schema_name(s) for s in schema_statements()}


@cache
def create_nodes(label: str) -> str:
    props = NODE_PROPERTIES[label]
    sets = [f"n.{p} = datetime(row.{p})" for p in props if p in DATETIME_FIELDS]
    if "latitude" in props:
        sets.append("n.location = CASE WHEN row.latitude IS NULL THEN null "
                    "ELSE point({latitude: row.latitude, longitude: row.longitude}) END")
    extra = f", {', '.join(sets)}" if sets else ""
    return f"UNWIND $rows AS row CREATE (n:{label}) SET n = row{extra}"


@cache
def create_rels(rel_type: str, start: str, end: str) -> str:
    props = REL_SPECS[(rel_type, start, end)]
    sets = [f"r.{p} = datetime(row.p.{p})" for p in props if p in DATETIME_FIELDS]
    extra = f", {', '.join(sets)}" if sets else ""
    return (f"UNWIND $rows AS row MATCH (a:{start} {{id: row.s}}) MATCH (b:{end} {{id: row.e}}) "
            f"CREATE (a)-[r:{rel_type}]->(b) SET r = row.p{extra}")


# -- scenario metadata and reset
MARK_RESETTING = ("MERGE (s:Scenario {id: 'current'}) "
                  "SET s.complete = false, s.status = 'resetting', s.started_at = datetime()")
WIPE_BATCH = ("MATCH (n) WHERE NOT n:Scenario WITH n LIMIT $limit "
              "DETACH DELETE n RETURN count(*) AS deleted")
SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name RETURN name"
SHOW_INDEXES = "SHOW INDEXES YIELD name, type, owningConstraint WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN name"
DROP_CONSTRAINT = "DROP CONSTRAINT `{name}` IF EXISTS"
DROP_INDEX = "DROP INDEX `{name}` IF EXISTS"
SET_SCENARIO = ("MATCH (s:Scenario {id: 'current'}) SET s = $props "  # nothing left from the last scenario
                "SET s.id = 'current', s.complete = false, s.status = 'resetting', s.started_at = datetime()")
FINISH_SCENARIO = ("MATCH (s:Scenario {id: 'current'}) SET s += $props, s.loaded_at = datetime(), "
                   "s.complete = true, s.status = 'complete'")
INDEXES_NOT_ONLINE = ("SHOW INDEXES YIELD name, state, populationPercent WHERE state <> 'ONLINE' "
                      "RETURN name, state, populationPercent")
ENTITY_COUNT = "CALL () { MATCH (n) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n + r AS c"
GET_SCENARIO = "MATCH (s:Scenario {id: 'current'}) RETURN s {.*} AS s"
ANY_DATA = "MATCH (n) WHERE NOT n:Scenario RETURN count(n) > 0 AS any"
COUNT_LABELS = ("CALL db.labels() YIELD label WHERE label <> 'Scenario' "
                "CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS c } RETURN label, c")
COUNT_TYPES = ("CALL db.relationshipTypes() YIELD relationshipType AS t "
               "CALL (t) { MATCH ()-[r]->() WHERE type(r) = t RETURN count(r) AS c } RETURN t, c")


# -- the lease on a database (linklab.lease): one node, locked by the SET before anything is decided
SCENARIO_CONSTRAINT = "CREATE CONSTRAINT scenario_id IF NOT EXISTS FOR (n:Scenario) REQUIRE n.id IS UNIQUE"
LOCK_LEASE = ("MERGE (l:Scenario {id: 'lease'}) SET l.locked_at = timestamp() "
              "RETURN l {.*} AS lease, timestamp() AS now")
SET_LEASE = "MATCH (l:Scenario {id: 'lease'}) SET l += $props"
READ_LEASE = "MATCH (l:Scenario {id: 'lease'}) RETURN l {.*} AS lease, timestamp() AS now"
# A check's shared lease: a read lock on the lease node, held by the answer's own transaction until it
# ends (a writer's SET waits for it), and what is loaded, read under that lock.
LOCK_FOR_READING = ("OPTIONAL MATCH (l:Scenario {id: 'lease'}) "
                    "CALL apoc.lock.read.nodes(CASE WHEN l IS NULL THEN [] ELSE [l] END) "
                    "OPTIONAL MATCH (s:Scenario {id: 'current'}) "
                    "RETURN l {.*} AS lease, s {.*} AS scenario, timestamp() AS now")

# -- the time limit's watchdog: a run's transactions carry metadata {linklab_check: tag}
CHECK_TRANSACTIONS = ("SHOW TRANSACTIONS YIELD transactionId, metaData WHERE metaData.linklab_check = $tag "
                      "RETURN collect(transactionId) AS ids")
TERMINATE_TRANSACTIONS = "TERMINATE TRANSACTIONS $ids"
# How long a run's transactions have been on a CPU and in all (milliseconds; cpu is null unless the server
# tracks CPU time: db.track_query_cpu_time).
TRANSACTION_TIMES = ("SHOW TRANSACTIONS YIELD metaData, cpuTime, elapsedTime WHERE metaData.linklab_check = $tag "
                     "RETURN count(*) AS running, count(cpuTime) AS tracked, sum(cpuTime.milliseconds) AS cpu, "
                     "sum(elapsedTime.milliseconds) AS elapsed")


# -- imported case networks (the type is checked against cases.network.TYPE_PATTERN first)
CREATE_CASE_PEOPLE = "UNWIND $rows AS row CREATE (p:Person) SET p = row"


def create_case_contacts(rel_type: str) -> str:
    return ("UNWIND $rows AS row MATCH (a:Person {id: row.s}) MATCH (b:Person {id: row.e}) "
            f"CREATE (a)-[r:`{rel_type}`]->(b) SET r.weight = row.w")


# -- LOAD CSV of `linklab generate --format csv` files (the benchmark's comparison)
NUMERIC = {"born": "toInteger", "count": "toInteger", "latitude": "toFloat", "longitude": "toFloat",
           "amount": "toFloat"}


def csv_value(prop: str, source: str) -> str:
    if prop in DATETIME_FIELDS:
        return f"datetime(nullIf({source}, ''))"
    if prop in NUMERIC:
        return f"{NUMERIC[prop]}(nullIf({source}, ''))"
    return f"nullIf({source}, '')"


def load_csv_nodes(label: str) -> str:
    props = NODE_PROPERTIES[label]
    sets = ", ".join(f"n.{p} = {csv_value(p, 'row.' + p)}" for p in props)
    point = (", n.location = CASE WHEN row.latitude = '' THEN null ELSE point({latitude: toFloat(row.latitude), "
             "longitude: toFloat(row.longitude)}) END") if "latitude" in props else ""
    return (f"LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{ CREATE (n:{label}) SET {sets}{point} }} "
            "IN TRANSACTIONS OF 10000 ROWS")


def load_csv_rels(rel_type: str, start: str, end: str) -> str:
    props = REL_SPECS[(rel_type, start, end)]
    sets = (" SET " + ", ".join(f"r.{p} = {csv_value(p, 'row.' + p)}" for p in props)) if props else ""
    return (f"LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{ MATCH (a:{start} {{id: row.start}}) "
            f"MATCH (b:{end} {{id: row.end}}) CREATE (a)-[r:{rel_type}]->(b){sets} }} IN TRANSACTIONS OF 10000 ROWS")


def naive_node(label: str) -> str:
    return create_nodes(label).replace("UNWIND $rows AS row", "WITH $row AS row")


def naive_rel(rel_type: str, start: str, end: str) -> str:
    return create_rels(rel_type, start, end).replace("UNWIND $rows AS row", "WITH $row AS row")


# -- instructor tools: pictures and exports
PERSON_CONTACTS = ("MATCH (p:Person)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person) "
                   "WHERE p.id < q.id RETURN DISTINCT p.id AS a, q.id AS b")
PERSON_NAMES = "MATCH (p:Person) WHERE p.id IN $ids RETURN p.id AS id, p.name AS name"
MEMBERSHIPS = ("MATCH (p:Person)-[:MEMBER_OF]->(o:Organization) "
               "RETURN p.id AS id, o.name AS organisation, o.kind AS kind")
CASE_PEOPLE = "MATCH (p:Person) RETURN p.id AS id"
CASE_LINKS = "MATCH (p:Person)-->(q:Person) RETURN p.id AS a, q.id AS b"
PERSON_BY_NAME = "MATCH (p:Person {name: $name}) RETURN p.id AS id LIMIT 1"
OWNER_OF_HANDLE = "MATCH (p:Person)-[:USES]->(:Account {handle: $handle}) RETURN p.id AS id LIMIT 1"
EXPORT_NODES = "MATCH (n) WHERE NOT n:Scenario RETURN labels(n)[0] AS label, properties(n) AS props"
EXPORT_RELS = ("MATCH (a)-[r]->(b) WHERE NOT a:Scenario RETURN labels(a)[0] AS sl, a.id AS s, type(r) AS type, "
               "properties(r) AS props, labels(b)[0] AS el, b.id AS e")
EXPORT_AROUND = ("CALL () { MATCH (a:Account {handle: $handle}) RETURN a AS start "
                 "UNION MATCH (p:Person {name: $handle}) RETURN p AS start } "
                 "MATCH (start)-[*0..%d]-(n) WITH DISTINCT n WHERE NOT n:Scenario "
                 "RETURN labels(n)[0] AS label, properties(n) AS props")

# -- GDS bookkeeping around a check, and what `doctor` asks
# GDS graphs that checks left behind (their process was killed before it could drop them): linklab's own
# names, older than any check can run
GDS_LEFTOVERS = ("CALL gds.graph.list() YIELD graphName, creationTime "
                 "WHERE graphName STARTS WITH $prefix AND creationTime < datetime() - duration({seconds: $seconds}) "
                 "RETURN collect(graphName) AS names")
GDS_DROP = "CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName"
GDS_ESTIMATE_ALL = "CALL gds.graph.project.estimate('*', '*') YIELD bytesMax RETURN bytesMax"
# -- whether a server can be trusted with a verdict now (grade.health); run on the system database
DATABASE_STATE = "SHOW DATABASE $name YIELD currentStatus RETURN currentStatus AS status"
# when the server process started (a database's lastStartTime survives a killed server's restart)
SERVER_STARTED = ("CALL dbms.queryJmx('java.lang:type=Runtime') YIELD attributes "
                  "RETURN attributes.StartTime.value AS started")
COMPONENTS = "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition"
GDS_VERSION = "CALL gds.version() YIELD gdsVersion RETURN gdsVersion AS v"
APOC_VERSION = "RETURN apoc.version() AS v"


# -- the lab: what the data holds (node and relationship counts from the count store, by the fixed schema),
# a node's neighbours and a shortest path for the graph view, and what the briefing names
@cache
def lab_label_counts() -> str:
    return " UNION ALL ".join(f"MATCH (n:{label}) RETURN '{label}' AS label, count(n) AS c"
                              for label in NODE_PROPERTIES)


@cache
def lab_relationship_counts() -> str:
    """Relationships of each (type, start, end) of the schema; the end label tells REGISTERED_WITH's two
    kinds apart (one label and a type: still the count store)."""
    return " UNION ALL ".join(
        f"MATCH ()-[r:{rel_type}]->(:{end}) RETURN '{rel_type}' AS type, '{start}' AS start, '{end}' AS end, "
        "count(r) AS c" for rel_type, start, end in REL_SPECS)


def lab_label_keys(label: str) -> str:
    """The property keys of a sample of a label's nodes (a case's people carry the file's attributes)."""
    return f"MATCH (n:{label}) WITH n LIMIT 200 UNWIND keys(n) AS k RETURN DISTINCT k"


def lab_case_type_count(rel_type: str) -> str:
    """A case's relationship type (checked against cases.network.TYPE_PATTERN first): its start and end
    labels, with how many relationships join them."""
    return (f"MATCH (a)-[r:`{rel_type}`]->(b) RETURN labels(a)[0] AS start, labels(b)[0] AS end, count(r) AS c "
            "ORDER BY c DESC")


LAB_RELATIONSHIP_TYPES = "CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t ORDER BY t"
LAB_BRIEFING = ("CALL () { MATCH (o:Organization) WHERE o.kind <> 'crew' RETURN collect(o.name) AS organisations } "
                "CALL () { MATCH (c:Location {type: 'city'}) RETURN collect(c.name) AS cities } "
                "CALL () { MATCH (m:Market) RETURN collect(m.name) AS markets } "
                "CALL () { MATCH (a:Account) RETURN collect(DISTINCT a.platform) AS platforms } "
                "RETURN organisations, cities, markets, platforms")
# Run under the guard, on the trainee's world (the parse allows them as it allows answers): $node and $other
# are element ids from an earlier result; at most $limit neighbours, the best connected first.
LAB_EXPAND = ("MATCH (n) WHERE elementId(n) = $node "
              "MATCH (n)-[r]-(m) WITH n, r, m, COUNT { (m)--() } AS degree ORDER BY degree DESC LIMIT $limit "
              "RETURN n, r, m")
LAB_SHORTEST_PATH = ("MATCH (a) WHERE elementId(a) = $node MATCH (b) WHERE elementId(b) = $other "
                     "MATCH p = shortestPath((a)-[*..10]-(b)) RETURN p")


def explain(query: str) -> str:
    """A query's plan, not its rows (the lab's Run of EXPLAIN ...; the guard's own check)."""
    return "EXPLAIN " + query
