"""`python -m bench planning`: a course's mutants run twice, on a server that keeps as many plans as linklab
sets (linklab.server.plans_kept: 4,500 for its 3 GiB heap) and on one that keeps Neo4j's default 1,000.

A course's preparation runs every mutant of every exercise and their tie-broken variants: a few thousand
different queries. Planning a query afresh is most of its time on a tiny world, and Neo4j keeps the plans of
the last `server.memory.query_cache.per_db_cache_num_entries` queries. linklab's servers keep 1,500 per GiB
of heap; the baseline, in the same run, is a second server of the same heap with the default. On each,
every mutant runs on the course's realistic world, then again (as the next course prepared on that server, or
the checks of a class, run the same texts), and the two passes are timed. The second pass is the comparison:
the first also computes the answer keys on the first server (this process keeps them for the second).
"""

from __future__ import annotations

import time

from linklab import server as srv
from linklab.config import Connection, local_password
from linklab.db import connect
from linklab.exercises.catalogue import catalogue
from linklab.grade import worlds
from linklab.grade.evaluate import run_batch
from linklab.grade.expected import answer_key
from linklab.scenario.profiles import DESIGN

SETTING = "server.memory.query_cache.per_db_cache_num_entries"
SERVERS = {  # name -> plans kept (None: what linklab sets)
    "bench-plans-default": "1000",
    "bench-plans-linklab": None,
}


def passes(driver, first) -> list[tuple[float, int]]:
    """(seconds, queries) of two passes of every exercise's mutants on world `first`."""
    out = []
    for _ in range(2):
        began, queries = time.perf_counter(), 0
        for exercise in catalogue():
            specs = worlds.mutant_specs(exercise, worlds.schema_for(DESIGN), answer_key(exercise, first).params)
            run_batch(driver, exercise, [s.query for s in specs], first)
            queries += len(specs)
        out.append((time.perf_counter() - began, queries))
    return out


def bench_planning(args) -> None:
    first = worlds.candidate_keys("bench-planning", DESIGN, "", 0)[0]
    results = {}
    for n, (name, plans) in enumerate(SERVERS.items()):
        inst = srv.instance(name=name, bolt_port=7790 + 2 * n, http_port=7791 + 2 * n, heap="3g", pagecache="1g")
        settings = dict(srv.SHARED_SETTINGS)
        if plans is not None:
            settings[SETTING] = plans
        original = srv.SHARED_SETTINGS
        srv.SHARED_SETTINGS = settings  # read when the server's configuration is written, at start
        try:
            started = srv.start(inst)
        finally:
            srv.SHARED_SETTINGS = original
        kept = inst.settings()[SETTING] if plans is None else f"{plans} (Neo4j's default)"
        print(f"{name}: {inst.uri}, {kept} plans kept", flush=True)
        try:
            with connect(Connection(inst.uri, "neo4j", local_password())) as driver:
                results[name] = passes(driver, first)
        finally:
            if not started.already_running:
                srv.stop(inst)
        for i, (seconds, queries) in enumerate(results[name], start=1):
            print(f"  pass {i}: {queries} mutants (and their tie-broken variants) in {seconds:.1f} s", flush=True)
    (base_first, _), (base_again, _) = results["bench-plans-default"]
    (ours_first, _), (ours_again, _) = results["bench-plans-linklab"]
    print(f"first pass: {base_first:.1f} s -> {ours_first:.1f} s ({base_first / ours_first:.2f}x)")
    print(f"second pass (the same queries again): {base_again:.1f} s -> {ours_again:.1f} s "
          f"({base_again / ours_again:.2f}x, keeping {srv.plans_kept('3g')} plans instead of 1000)")
