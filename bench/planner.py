"""`python -m bench planner`: where a course's preparation spends its time, and three things that did not help.

A preparation runs every mutant of every exercise (about 1,200 for the investigation world, and a few hundred
tie-broken variants): each a query text Neo4j has not seen, so each is planned afresh. On a tiny world,
planning is most of a query's time, and the longest references (several CALL subqueries, long patterns) take
Neo4j's planner a few hundred milliseconds each. This bench plans renamed copies of the two longest references
(exercises 15 and 25: a copy differs in its variable names, so no plan is reused, as no mutant's is) with
EXPLAIN, in rounds of `--plans`, on a throwaway server of linklab's settings:

- a JVM just started against the same JVM warmed up (its planner's code compiled): the cost of each fresh
  server (a class's grading servers, the test suite's);
- the same text planned again (the plan cache: what a second pass over the same mutants pays);
- Cypher's planner options (`planner=dp`, `connectComponentsPlanner=greedy`, `expressionEngine=interpreted`)
  against the default, on the warm JVM;
- a second server whose JVM compiles with C1 only (`-XX:TieredStopAtLevel=1`: quicker to warm up, slower
  code) against linklab's default JIT, round by round from its start.

Every figure is a median of rounds measured in the same run; ratios are against the default.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

import neo4j

from linklab import server as srv
from linklab.config import local_password
from linklab.exercises.catalogue import any_exercise

REFERENCES = ("hub-vs-broker", "arrest-cutoff")
OPTIONS = ("planner=dp", "connectComponentsPlanner=greedy", "expressionEngine=interpreted")
C1_ONLY = "-XX:TieredStopAtLevel=1"
PARAMS = {"org": "North Crew", "hub": "Ann Example"}  # given, as a check gives them: without, no plan is kept


class Planner:
    """Renamed copies of the references, planned with EXPLAIN on one server; each copy is new to it."""

    def __init__(self, driver: neo4j.Driver):
        self.driver, self.copies = driver, 0
        self.texts = [any_exercise(e).solution for e in REFERENCES]  # offered by the course or not

    def copy_of(self, text: str) -> str:
        self.copies += 1
        tag = f"v{self.copies}x"
        return text.replace("broker", f"broker{tag}").replace("members", f"members{tag}")

    def round(self, plans: int, prefix: str = "", again: list[str] | None = None) -> tuple[float, list[str]]:
        """Seconds per plan over `plans` new copies (or over the texts `again`); the texts planned."""
        texts = again or [self.copy_of(self.texts[i % len(self.texts)]) for i in range(plans)]
        began = time.perf_counter()
        with self.driver.session() as session:
            for text in texts:
                session.run(f"EXPLAIN CYPHER {prefix} {text}" if prefix else f"EXPLAIN {text}", PARAMS).consume()
        return (time.perf_counter() - began) / len(texts), texts


def fresh_server(folder: str, name: str, extra_jvm: list[str]):
    bolt, http = srv.free_ports(2)
    inst = srv.Instance(name, bolt, http, heap="3g", pagecache="512m", root=Path(folder))
    with mock.patch.object(srv, "JVM_OPTIONS", srv.JVM_OPTIONS + extra_jvm):
        srv.start(inst)
    return inst


def rounds_from_start(extra_jvm: list[str], rounds: int, plans: int, tail=None) -> list[float]:
    """Seconds per plan, round by round, on a server just started with `extra_jvm`; `tail(planner)` runs after."""
    with tempfile.TemporaryDirectory(prefix="bench-planner-") as folder:
        inst = fresh_server(folder, "bench-planner", extra_jvm)
        try:
            with neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", local_password()),
                                            notifications_min_severity="OFF") as driver:
                planner = Planner(driver)
                per_round = [planner.round(plans)[0] for _ in range(rounds)]
                if tail:
                    tail(planner)
                return per_round
        finally:
            srv.stop(inst)


def bench_planner(args) -> None:
    plans, rounds = args.plans, args.rounds
    print(f"{plans} plans a round, {rounds} rounds from the start; copies of {', '.join(REFERENCES)}")

    def on_warm(planner: Planner) -> None:
        default, texts = planner.round(plans)
        cached, _ = planner.round(plans, again=texts)
        print(f"warm JVM, a new text: {1000 * default:.0f} ms a plan; the same text again (plan cache): "
              f"{1000 * cached:.0f} ms: {default / cached:.1f}x")
        baseline = statistics.median(planner.round(plans)[0] for _ in range(3))
        for option in OPTIONS:
            took = statistics.median(planner.round(plans, option)[0] for _ in range(3))
            print(f"CYPHER {option}: {1000 * took:.0f} ms a plan against {1000 * baseline:.0f} ms: {baseline / took:.2f}x")

    default = rounds_from_start([], rounds, plans, on_warm)
    print("linklab's JVM, ms a plan by round from its start: " + ", ".join(f"{1000 * s:.0f}" for s in default)
          + f": the first round {default[0] / statistics.median(default[1:]):.2f}x the later ones")
    c1 = rounds_from_start([C1_ONLY], rounds, plans)
    print(f"C1 only ({C1_ONLY}), ms a plan by round: " + ", ".join(f"{1000 * s:.0f}" for s in c1)
          + f"; all rounds {sum(c1) * plans:.0f} s against {sum(default) * plans:.0f} s: {sum(default) / sum(c1):.2f}x")
