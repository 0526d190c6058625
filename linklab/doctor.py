"""`linklab doctor`: what was found, and what to do about anything missing."""

from __future__ import annotations

from dataclasses import dataclass

from . import server as srv
from .config import connection
from .db import connect, server_versions
from .errors import LinklabError


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks() -> list[Check]:
    checks = []
    try:
        checks.append(Check("java", True, f"Java {srv.java_version()} at {srv.java_executable()}"))
    except LinklabError as exc:
        checks.append(Check("java", False, exc.message, "install Java 17 (apt-get install openjdk-17-jre-headless)"))

    versions = srv.pom_versions()
    if srv.is_installed():
        checks.append(Check("jars", True, f"Neo4j {versions['neo4j']}, GDS {versions['gds']}, APOC "
                                          f"{versions['apoc']} in {srv.dist_dir()}"))
    else:
        checks.append(Check("jars", False, f"not fetched into {srv.dist_dir()}", "linklab server install"))

    state = srv.status(srv.instance("default"))
    checks.append(Check("local server", True,
                        f"running (pid {state['pid']}), log {state['log']}" if state["running"]
                        else "stopped (fine when NEO4J_URI points at Docker or Aura)"))

    conn = connection()
    try:
        with connect(conn) as driver:
            found = server_versions(driver, conn.database)
    except LinklabError as exc:
        checks.append(Check("bolt", False, exc.message,
                            "linklab server start, or set NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD"))
        return checks
    checks.append(Check("bolt", True, f"{conn.uri} answers: Neo4j {found['neo4j']}"))
    checks.append(Check("gds", found["gds"] is not None, f"GDS {found['gds']}" if found["gds"] else "GDS missing",
                        "install the Graph Data Science plugin (docker: NEO4J_PLUGINS)"))
    checks.append(Check("apoc", found["apoc"] is not None, f"APOC {found['apoc']}" if found["apoc"] else
                        "APOC missing", "install the APOC core plugin (docker: NEO4J_PLUGINS)"))
    return checks
