"""The two ways a scenario reaches a database, and the choice between them.

- `UNWIND` batches over Bolt (linklab.load): works with any server (local, Docker, Aura).
- neo4j-admin import, for a local server only (its store is on this machine): the scenario is written as
  import CSV files, the server is stopped, `neo4j-admin database import full` replaces its store, the server
  starts again, and the schema and the record follow. Several times faster from `large` up.

Both keep the same rules: the exclusive lease is held from start to finish (the imported store carries it
over), the `:Scenario` marker says incomplete until the very end, and the result has the same hash, counts
and values. On a local server, a database that holds a big scenario is also wiped by replacing its store,
not by deleting it in batches.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from typing import Callable

import neo4j

from . import cypher, load, lease as leases, server as srv, store
from .errors import LinklabError
from .scenario.admin_csv import write_import_csv
from .scenario.export import metadata
from .scenario.model import Scenario
from .scenario.profiles import SIZES

BULK_FROM = SIZES["large"]  # persons: from here on, neo4j-admin import is the automatic route
WIPE_BY_STORE_FROM = 1_000_000  # entities: deleting more in batches takes longer than a restart
INDEX_WAIT_S = 1800


@dataclass
class Route:
    bulk: bool
    instance: srv.Instance | None  # the local server the URI reaches, if any
    note: str | None = None  # why a bulk load was asked for and not given


def choose_route(uri: str, persons: int, bulk: bool | None = None) -> Route:
    """neo4j-admin import for a local server at size `large` and up (or when `bulk` is True), UNWIND
    otherwise; `bulk=False` always means UNWIND."""
    inst = srv.local_instance(uri)
    wanted = bulk if bulk is not None else persons >= BULK_FROM
    if wanted and inst is None:
        return Route(False, None, f"{uri} is not a local linklab server: loading through UNWIND batches "
                                  "(neo4j-admin import needs the server's files; Docker and Aura load this way)")
    return Route(bool(wanted), inst)


def reset(driver: neo4j.Driver, scenario: Scenario, route: Route, database: str = "neo4j",
          progress: Callable[[int], None] | None = None, on_stage: Callable[[str], None] | None = None,
          lease: leases.Lease | None = None, on_wait: Callable[[str], None] | None = None) -> load.LoadReport:
    """Replace whatever the database holds with `scenario`, by `route`, under the exclusive lease."""
    stage = on_stage or (lambda _: None)
    info = scenario.info
    with load.writing(driver, database, f"reset {info.profile}/{info.size}/seed {info.seed}", lease, on_wait) as held:
        if route.bulk:
            return import_scenario(driver, scenario, route.instance, database, progress, stage, held)
        if route.instance is not None and entities(driver, database) >= WIPE_BY_STORE_FROM:
            stage(f"replacing the store of server {route.instance.name} (faster than deleting it in batches)")
            replace_store(driver, route.instance, database, load.scenario_marker(scenario), None, held, stage)
            load.warm_up(driver, database)  # as `linklab server start` does: this load is not a cold one
        return load.load_scenario(driver, scenario, database, load.BATCH_SIZE, progress, held)


def entities(driver: neo4j.Driver, database: str) -> int:
    return load.run(driver, cypher.ENTITY_COUNT, database)[0]["c"]


def import_scenario(driver: neo4j.Driver, scenario: Scenario, inst: srv.Instance, database: str,
                    progress: Callable[[int], None] | None, stage: Callable[[str], None],
                    held: leases.Lease) -> load.LoadReport:
    began = time.perf_counter()
    folder = inst.home / "bulk-import"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        stage("writing the neo4j-admin import files")
        try:
            files, digest = write_import_csv(scenario, folder, progress)
        except OSError as exc:  # a full disk, most likely: the server has not been touched yet
            raise LinklabError(f"cannot write the import files in {folder}: {exc.strerror}; the database was "
                               "not touched (what it held is still loaded): free some space, or load through "
                               "UNWIND batches with --no-bulk") from None
        # only now does the old store say incomplete: a failure before this leaves it as it was
        load.mark_resetting(driver, database)
        replace_store(driver, inst, database, load.scenario_marker(scenario), files, held, stage)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    stage("creating the schema")
    for statement in cypher.schema_statements():
        load.run(driver, statement, database)
    wait_for_indexes(driver, database)
    meta = metadata(scenario, digest)
    load.finish(driver, database, meta["hash"], meta["counts"], held)
    return load.LoadReport(meta, time.perf_counter() - began, sum(meta["counts"].values()))


def replace_store(driver: neo4j.Driver, inst: srv.Instance, database: str, props: dict, files,
                  held: leases.Lease, stage: Callable[[str], None]) -> None:
    """The store replaced (with `files`, or empty), the lease still ours in the new one. (No warm-up here: a
    later reset replaces this big store again, and warms the loader up then.)"""
    if database != "neo4j":
        raise LinklabError(f"neo4j-admin import loads the database 'neo4j' only (Community has one), not {database!r}")
    held.pause()
    store.replace(inst, props, files, held.owner, stage)
    forget_bookmarks(driver, database)
    held.renew()  # the imported lease node names us: from now on, renewed as before
    held.start_heartbeat()


def forget_bookmarks(driver: neo4j.Driver, database: str) -> None:
    """`execute_query` asks the server to be at least as far as the last transaction it saw: in the old
    store. The new store's transaction ids start again, so those bookmarks would never be reached: replace
    them by one of the new store."""
    with driver.session(database=database) as session:
        session.run(cypher.READ_LEASE).consume()
        fresh = session.last_bookmarks().raw_values
    manager = driver.execute_query_bookmark_manager
    manager.update_bookmarks(manager.get_bookmarks(), fresh)


def wait_for_indexes(driver: neo4j.Driver, database: str) -> None:
    """Indexes fill in the background after CREATE INDEX: the scenario is complete only once they are online."""
    deadline = time.monotonic() + INDEX_WAIT_S
    while pending := load.run(driver, cypher.INDEXES_NOT_ONLINE, database):
        failed = [r["name"] for r in pending if r["state"] == "FAILED"]
        if failed:
            raise LinklabError(f"creating index(es) {', '.join(failed)} failed: see the server's log")
        if time.monotonic() > deadline:
            raise LinklabError(f"indexes still filling after {INDEX_WAIT_S} s: {', '.join(r['name'] for r in pending)}")
        time.sleep(0.5)
