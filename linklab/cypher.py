"""Every Cypher statement the Python code runs, in one place (schema: queries/schema.cypher;
reference solutions: queries/solutions/). Labels and types are formatted in only from the fixed
schema in scenario.model, never from user input."""

from __future__ import annotations

import re
from functools import cache

from .config import PROJECT_ROOT
from .scenario.model import DATETIME_FIELDS, NODE_PROPERTIES, REL_SPECS

SCHEMA_FILE = PROJECT_ROOT / "queries" / "schema.cypher"


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
SET_SCENARIO = "MATCH (s:Scenario {id: 'current'}) SET s += $props"
FINISH_SCENARIO = ("MATCH (s:Scenario {id: 'current'}) SET s += $props, s.loaded_at = datetime(), "
                   "s.complete = true, s.status = 'complete'")
GET_SCENARIO = "MATCH (s:Scenario) RETURN s {.*} AS s"
ANY_DATA = "MATCH (n) WHERE NOT n:Scenario RETURN count(n) > 0 AS any"
COUNT_LABELS = ("CALL db.labels() YIELD label WHERE label <> 'Scenario' "
                "CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS c } RETURN label, c")
COUNT_TYPES = ("CALL db.relationshipTypes() YIELD relationshipType AS t "
               "CALL (t) { MATCH ()-[r]->() WHERE type(r) = t RETURN count(r) AS c } RETURN t, c")


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
