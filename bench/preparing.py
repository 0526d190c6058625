"""`python -m bench preparing`: one course's preparation with its batches one at a time, and side by side.

A course's preparation (grade.worlds.prepare) makes every exercise's mutants (Python: parsing) and runs them
on its candidate worlds (Neo4j: planning each new query is most of its time on a tiny world). The baseline,
in the same run, is the preparation as it was: one batch at a time (LINKLAB_PREPARING_SESSIONS=1), and every
query planned again wherever a newly loaded world's counts differ much from the last one's. linklab's default
runs PREPARING_SESSIONS batches side by side (making one exercise's mutants while another's run) and keeps
plans across worlds.

Each preparation is a fresh process (no answer or mutant kept in memory) of the same course with no stored
choice, on the bench server started afresh (no plan kept), so each starts cold as a course's first preparation
does. The third run also keeps plans across worlds (grade.evaluate.KEEP_PLANS: `CYPHER replan=skip`).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from linklab import server as srv

BENCH_SERVER = dict(name="bench-preparing", bolt_port=7794, http_port=7795, heap="3g", pagecache="1g")


def prepare_once(uri: str, course: str, keep_plans: bool) -> None:
    """The child: prepare `course` on the server at `uri` and print the seconds it took."""
    from linklab.config import Connection, local_password
    from linklab.db import connect
    from linklab.grade import evaluate, worlds
    from linklab.scenario.profiles import DESIGN

    if not keep_plans:
        evaluate.KEEP_PLANS = ""  # as before: Neo4j plans a query again where a world's counts differ much

    with connect(Connection(uri, "neo4j", local_password())) as driver:
        began = time.perf_counter()
        prep = worlds.prepare(driver, course, DESIGN)
        print(f"{time.perf_counter() - began:.1f} {prep.choice.mutants} {prep.choice.killed}", flush=True)


def bench_preparing(args) -> None:
    from linklab.config import local_password

    inst = srv.instance(**BENCH_SERVER)
    results = {}
    runs = (("one batch at a time, plans made again after loads (baseline)", 1, False),
            ("side by side", 2, False), ("side by side, plans kept across worlds", 2, True))
    with tempfile.TemporaryDirectory(prefix="bench-preparing-") as home:
        env = {**os.environ, "LINKLAB_HOME": home, "NEO4J_PASSWORD": local_password(),
               "LINKLAB_CANDIDATES": str(args.candidates), "LINKLAB_EQUIVALENCE_POOL": str(args.pool)}
        for what, sessions, keep_plans in runs:
            forget(Path(home) / "worlds.db")
            srv.stop(inst)
            srv.start(inst)  # a new JVM: no plan kept from the run before
            try:
                out = subprocess.run([sys.executable, "-m", "bench.preparing", inst.uri, "bench-preparing",
                                      str(int(keep_plans))],
                                     env={**env, "LINKLAB_PREPARING_SESSIONS": str(sessions)},
                                     capture_output=True, text=True, check=True).stdout.split()
            finally:
                srv.stop(inst)
            seconds, mutants, killed = float(out[0]), int(out[1]), int(out[2])
            results[what] = seconds
            print(f"{what}: {mutants} mutants, {killed} fail on the chosen worlds, prepared in {seconds:.1f} s",
                  flush=True)
    base = results[runs[0][0]]
    print(f"the realistic world and {args.candidates} varied candidates, {args.pool} more for equivalents, "
          f"{os.cpu_count()} cores: " + "; ".join(f"{what} {seconds:.1f} s ({base / seconds:.2f}x)"
                                                   for what, seconds in results.items()))


def forget(database: Path) -> None:
    """A fresh start for the same course: no choice, no trial, no mutant made before."""
    if not database.exists():
        return
    db = sqlite3.connect(database)
    with db:
        for table in ("course_choices", "mutants", "trials", "progress", "made_mutants"):
            db.execute(f"DELETE FROM {table}")
    db.close()


if __name__ == "__main__":
    prepare_once(sys.argv[1], sys.argv[2], sys.argv[3] == "1")
