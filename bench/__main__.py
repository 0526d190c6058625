"""linklab benchmarks: ratios against baselines measured in the same run. Not tests.

    python -m bench reset              # class reset vs a naive loader and LOAD CSV
    python -m bench batches            # rows per UNWIND batch
    python -m bench generate --persons 1000000
    python -m bench bulk --persons 1000000    # neo4j-admin import against UNWIND, one scenario
    python -m bench checks             # guarded checks per second, p50/p95, against the bare query
    python -m bench grade              # 200 trainees x 20 exercises x 3 scenarios, on 1 and on 2 grading servers
    python -m bench import             # a case network at the size limit: read, load, keys, checks
    python -m bench planning           # a course's mutants twice, keeping 4,000 plans and 1,000 (bench/planning.py)
    python -m bench preparing          # a course's preparation, one batch at a time and side by side
    python -m bench blind              # the grader on the blind answer set (tests/blind), against own-world-only
    python -m bench alike              # hidden worlds sharing one answer, before and after spare worlds (no server)
    python -m bench lab                # the lab over HTTP: page, run, check, 30 trainees at once (bench/lab.py)
    python -m bench class --trainees 30 --minutes 3   # a class server under a room's load (bench/classroom.py)
    python -m bench starts             # a server's start and stop, against Neo4j's Bolt quiet period
    python -m bench planner            # a new query's plan: cold and warm JVM, cached, Cypher options, C1 only
    python -m bench kept               # a process's varied hidden worlds: varied afresh against read back (no server)
    python -m bench varying            # varying worlds at Python's default collection threshold and at vary()'s (no server)

They run against their own local server (`bench`, bolt 7692), started and stopped here, unless
LINKLAB_BENCH_URI points elsewhere; `grade` uses two grading servers (bench-g1 and bench-g2, bolt 7772 and
7774) unless LINKLAB_BENCH_GRADING_URI names two.
"""

from __future__ import annotations

import argparse
import contextlib
from collections import Counter
from contextlib import contextmanager
import functools
import http.server
import json
import os
import resource
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from linklab import cypher, server as srv
from linklab.config import Connection, local_password
from linklab.db import connect
from linklab.load import database_counts, reset, run, wipe
from linklab.scenario.export import write_csv, csv_name
from linklab.load import warm_up
from linklab.scenario.generate import generate
from linklab.scenario.model import NODE_LABELS, REL_KEYS

# urls_allowed: the LOAD CSV baseline reads files served on loopback (trainee-facing servers reach no URL)
BENCH = dict(name="bench", bolt_port=7692, http_port=7479, heap="6g", pagecache="6g", urls_allowed=True)


def bench_driver():
    uri = os.environ.get("LINKLAB_BENCH_URI")
    if uri:
        return connect(Connection(uri, os.environ.get("NEO4J_USER", "neo4j"), local_password())), None
    inst = srv.instance(**BENCH)
    started = srv.start(inst)
    print(f"bench server: {inst.uri} (heap {inst.heap}, page cache {inst.pagecache})")
    driver = connect(Connection(inst.uri, "neo4j", local_password()))
    if not started.already_running:  # as `linklab server start` does
        print(f"  loader warmed up in {warm_up(driver):.1f} s")
    return driver, (None if started.already_running else inst)


@contextmanager
def bench_session():
    """A driver for the bench server; the server is stopped afterwards if this run started it."""
    driver, owned = bench_driver()
    try:
        yield driver
    finally:
        driver.close()
        if owned:
            srv.stop(owned)


def timed(func, *args, **kwargs) -> float:
    began = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - began


def clean(driver) -> None:
    run(driver, cypher.MARK_RESETTING, "neo4j")
    wipe(driver, "neo4j")
    for statement in cypher.schema_statements():
        run(driver, statement, "neo4j")


def naive_load(driver, scenario) -> None:
    """The baseline: one auto-committed transaction per node and per relationship."""
    clean(driver)
    with driver.session(database="neo4j") as session:
        for chunk in scenario.chunks():
            for label in NODE_LABELS:
                for row in chunk.nodes[label]:
                    session.run(cypher.naive_node(label), row=row).consume()
            for key in REL_KEYS:
                for row in chunk.rels[key]:
                    session.run(cypher.naive_rel(*key), row=row).consume()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def load_csv(driver, scenario) -> None:
    """LOAD CSV of the same data: written to files, served on loopback (file:// URLs are disabled)."""
    clean(driver)
    with tempfile.TemporaryDirectory() as folder:
        write_csv(scenario, Path(folder))
        handler = functools.partial(QuietHandler, directory=folder)
        with socketserver.TCPServer(("127.0.0.1", 0), handler) as httpd:
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{httpd.server_address[1]}"
            with driver.session(database="neo4j") as session:
                for label in NODE_LABELS:
                    session.run(cypher.load_csv_nodes(label), url=f"{base}/{label}.csv").consume()
                for key in REL_KEYS:
                    session.run(cypher.load_csv_rels(*key), url=f"{base}/{csv_name(key)}").consume()
            httpd.shutdown()


def bench_reset(args) -> None:
    if not os.environ.get("LINKLAB_BENCH_URI"):
        from linklab import store

        inst = srv.instance(**BENCH)
        # An empty store (whatever `bench bulk` left: the first load must not include wiping 12.6 M entities),
        # then the server stopped: the first load is measured right after a server start.
        store.replace(inst, {"profile": "bench", "size": "empty"}, None, None)
        srv.stop(inst)
    with bench_session() as driver:
        scenario = generate(args.profile, "class", args.seed)
        counts = scenario.counts()
        entities = sum(counts.values())
        first = timed(reset, driver, scenario)
        for _ in range(args.warmup):  # JIT and query-plan warm-up, as an instructor's second reset
            reset(driver, scenario)
        ours = sorted(timed(reset, driver, scenario) for _ in range(args.repeat))
        median = ours[len(ours) // 2]
        assert database_counts(driver) == counts
        csv_seconds = timed(load_csv, driver, scenario)
        assert database_counts(driver) == counts
        naive_seconds = timed(naive_load, driver, scenario)
        assert database_counts(driver) == counts
        print(f"class scenario ({args.profile}, seed {args.seed}): {entities:,} entities")
        print(f"  linklab reset (median of {args.repeat}): {median:.3f} s  ({entities / median:,.0f} entities/s)"
              f"   all runs, sorted: {', '.join(f'{t:.3f}' for t in ours)}")
        print(f"  first load after the server started: {first:.3f} s = {first / median:.2f}x the warm median "
              f"(goal: within 2x)")
        print(f"  LOAD CSV (write files + load):    {csv_seconds:.3f} s   reset is {csv_seconds / median:.1f}x faster")
        print(f"  naive, one transaction per row:   {naive_seconds:.3f} s   reset is {naive_seconds / median:.1f}x faster")


def bench_batches(args) -> None:
    with bench_session() as driver:
        scenario = generate("investigation", args.persons, 1)
        entities = sum(scenario.counts().values())
        reset(driver, scenario)  # warm-up
        print(f"{args.persons:,} persons, {entities:,} entities")
        for size in (1_000, 5_000, 10_000, 20_000, 50_000):
            seconds = timed(reset, driver, scenario, batch_size=size)
            print(f"  batch {size:>6,}: {seconds:6.2f} s  {entities / seconds:>9,.0f} entities/s")


def bench_generate(args) -> None:
    """Each measurement in a child process of its own, so that its peak memory (ru_maxrss) is its own.
    Baselines count entities as the generator does (nodes and relationships): the generator with the
    cyclic GC running throughout (as before), and Faker called for every value."""
    if args.child:
        return generate_child(args)
    rows = {}
    for variant in ("linklab", "gc-running", "faker"):
        out = subprocess.run([sys.executable, "-m", "bench", "generate", "--persons", str(args.persons),
                              "--child", variant], check=True, capture_output=True, text=True).stdout
        rows[variant] = json.loads(out)
    ours, gc_on, faker = rows["linklab"], rows["gc-running"], rows["faker"]
    print(f"generate {args.persons:,} persons (investigation, seed 1): {ours['entities']:,} entities in {ours['seconds']:.1f} s = "
          f"{ours['rate']:,.0f} entities/s, peak memory {ours['peak']:.2f} GiB")
    print(f"  baseline, the same generator with the cyclic GC running (before this change): {gc_on['seconds']:.1f} s = "
          f"{gc_on['rate']:,.0f} entities/s, peak {gc_on['peak']:.2f} GiB, same hash: {gc_on['hash'] == ours['hash']}; "
          f"{ours['rate'] / gc_on['rate']:.2f}x")
    print(f"  baseline, Faker called for every value ({faker['persons']:,} persons: 4 nodes and 3 relationships each): "
          f"{faker['rate']:,.0f} entities/s; the generator is {ours['rate'] / faker['rate']:.1f}x faster")


def generate_child(args) -> None:
    import hashlib

    from linklab.scenario import generate as generator
    from linklab.scenario.export import chunk_lines

    if args.child == "faker":
        persons = 20_000
        rate = naive_faker_rate(persons)
        print(json.dumps({"persons": persons, "rate": rate}))
        return
    if args.child == "gc-running":
        generator.cyclic_gc_paused = contextlib.nullcontext
    began = time.perf_counter()
    scenario = generate("investigation", args.persons, 1)
    entities = sum(chunk.entity_count() for chunk in scenario.chunks())
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    sha = hashlib.sha256()  # outside the timing: the output must be the same either way
    for chunk in generate("investigation", min(args.persons, 60_000), 1).chunks():
        sha.update("".join(chunk_lines(chunk)).encode())
    print(json.dumps({"entities": entities, "seconds": seconds, "rate": entities / seconds, "peak": peak,
                      "hash": sha.hexdigest()}))


def naive_faker_rate(persons: int) -> float:
    """Person, account, phone and email with a Faker call for each value, and the three relationships that
    tie them (USES, HAS_PHONE, HAS_EMAIL) as rows: the obvious way, counted as the generator counts."""
    from faker import Faker

    fake = Faker("es_MX")
    fake.seed_instance(1)
    began = time.perf_counter()
    rows = []
    for n in range(persons):
        pid, aid, tid, eid = f"P{n}", f"A{n}", f"T{n}", f"E{n}"
        rows.append(({"id": pid, "name": fake.name(), "born": fake.year()}, {"id": aid, "handle": fake.user_name()},
                     {"id": tid, "number": fake.phone_number()}, {"id": eid, "address": fake.email()},
                     {"s": pid, "e": aid, "p": {}}, {"s": pid, "e": tid, "p": {}}, {"s": pid, "e": eid, "p": {}}))
    return 7 * len(rows) / (time.perf_counter() - began)


def bench_bulk(args) -> None:
    """One scenario loaded both ways on the bench server, end to end (generation included, as a reset):
    neo4j-admin import, and the UNWIND loader on the same server (after a wipe by store replacement, so
    that both start from an empty database)."""
    from linklab import bulk

    if os.environ.get("LINKLAB_BENCH_URI"):
        raise SystemExit("bench bulk needs the local bench server (it stops and starts it): unset LINKLAB_BENCH_URI")
    with bench_session() as driver:
        inst = srv.instance(**BENCH)
        began = time.perf_counter()
        stages = []
        on_stage = lambda m: stages.append((m, time.perf_counter() - began))
        admin = bulk.reset(driver, generate("investigation", args.persons, 1), bulk.Route(True, inst), on_stage=on_stage)
        admin_seconds = time.perf_counter() - began
        assert database_counts(driver) == admin.meta["counts"]
        steps = ", ".join(f"{m} at {t:.0f} s" for m, t in stages)
        print(f"bulk load {args.persons:,} persons (investigation, seed 1): {admin.entities:,} entities")
        print(f"  neo4j-admin route: {admin_seconds:.1f} s = {admin.entities / admin_seconds:,.0f} entities/s end to end "
              f"(generation, files, import, schema, record; goal 100,000/s)\n    steps: {steps}")
        began = time.perf_counter()
        wipe_stages = []
        bulk.reset(driver, generate("investigation", "tiny", 1), bulk.Route(False, inst), on_stage=wipe_stages.append)
        wipe_seconds = time.perf_counter() - began
        print(f"  wipe of {admin.entities:,} entities by replacing the store, then a tiny reset: {wipe_seconds:.1f} s"
              f" ({'; '.join(wipe_stages)})")
        began = time.perf_counter()
        unwind = bulk.reset(driver, generate("investigation", args.persons, 1), bulk.Route(False, inst))
        unwind_seconds = time.perf_counter() - began
        assert unwind.meta["hash"] == admin.meta["hash"] and database_counts(driver) == admin.meta["counts"]
        print(f"  UNWIND route (baseline, same server, same scenario, same hash): {unwind_seconds:.1f} s = "
              f"{unwind.entities / unwind_seconds:,.0f} entities/s end to end")
        print(f"  neo4j-admin route is {unwind_seconds / admin_seconds:.1f}x faster")


def bench_checks(args) -> None:
    """Checks per second on the class scenario: guard + run + compare, against the bare query."""
    from linklab.exercises.catalogue import catalogue
    from linklab import lease
    from linklab.grade.engine import ScenarioKey, answer_key, check_answer
    from linklab.grade.loading import ensure_loaded, require_key
    from linklab.grade import guard
    from linklab.grade.guard import run_guarded

    with bench_session() as driver:
        key = ScenarioKey(args.profile, "class", 1)
        ensure_loaded(driver, key)
        exercises = [e for e in catalogue() if not e.uses_gds]
        for e in exercises:  # answer keys and query plans warm, as in a class session
            answer_key(e, key)
            check_answer(driver, e, e.solution, key)
        checked, bare = [], []
        for _ in range(args.rounds):
            for e in exercises:
                params = answer_key(e, key).params
                t = time.perf_counter()
                result = check_answer(driver, e, e.solution, key)
                checked.append(time.perf_counter() - t)
                assert result.passed, (e.id, result.feedback)
                t = time.perf_counter()
                driver.execute_query(e.solution, params)
                bare.append(time.perf_counter() - t)
        locked, unlocked = [], []  # the same guarded run with and without the scenario's shared lock
        for _ in range(args.rounds):
            for e in exercises:
                params = answer_key(e, key).params
                locked.append(timed(run_guarded, driver, e.solution, params, prepare=require_key(key)))
                unlocked.append(timed(run_guarded, driver, e.solution, params))
        parsed = []  # the first layer (Neo4j's grammar and the allowlists) on a text it has not seen yet
        for _ in range(args.rounds):
            for e in exercises:
                guard.forget_inspections()
                parsed.append(timed(guard.inspect, e.solution, answer_key(e, key).params))
        writes = [timed(lambda: lease.acquire(driver, "neo4j", "exclusive", "bench").release()) for _ in range(20)]
        gds = [e for e in catalogue() if e.uses_gds]
        gds_times = [timed(check_answer, driver, e, e.solution, key) for e in gds]
        checked.sort()
        bare.sort()
        pct = lambda xs, q: xs[min(len(xs) - 1, int(q * len(xs)))]
        print(f"checks on {key} ({len(exercises)} exercises without GDS x {args.rounds} rounds)")
        print(f"  guarded check: {len(checked) / sum(checked):.0f} checks/s, p50 {pct(checked, .5) * 1000:.1f} ms, "
              f"p95 {pct(checked, .95) * 1000:.1f} ms")
        print(f"  bare query:    {len(bare) / sum(bare):.0f} queries/s, p50 {pct(bare, .5) * 1000:.1f} ms, "
              f"p95 {pct(bare, .95) * 1000:.1f} ms; the guard costs {sum(checked) / sum(bare):.1f}x")
        locked.sort()
        unlocked.sort()
        print(f"  the lease per check (shared lock and marker check in the answer's transaction): "
              f"p50 {(pct(locked, .5) - pct(unlocked, .5)) * 1000:+.1f} ms, mean "
              f"{(sum(locked) - sum(unlocked)) / len(locked) * 1000:+.1f} ms (guarded run with it: p50 "
              f"{pct(locked, .5) * 1000:.1f} ms, without: {pct(unlocked, .5) * 1000:.1f} ms)")
        print(f"  a load's exclusive lease, taken and given back: p50 {sorted(writes)[10] * 1000:.1f} ms")
        parsed.sort()
        print(f"  the parse and its allowlists per check (a text this process has not seen; a check parses its "
              f"answer once for all its scenarios): p50 {pct(parsed, .5) * 1000:.2f} ms, p95 "
              f"{pct(parsed, .95) * 1000:.2f} ms = {pct(parsed, .5) / pct(bare, .5):.2f}x the bare query's p50 "
              f"({pct(bare, .5) * 1000:.1f} ms) (goal: under 2 ms p50)")
        if gds_times:
            print(f"  GDS exercises (estimate, project, run, drop): {', '.join(f'{t * 1000:.0f} ms' for t in gds_times)}")


GRADING = [dict(name="bench-g1", bolt_port=7772, http_port=7773, heap="2g", pagecache="1g"),
           dict(name="bench-g2", bolt_port=7774, http_port=7775, heap="2g", pagecache="1g")]
ELSEWHERE = ("investigation", "tiny", 4242)  # what each grading server holds before a measured run


@contextmanager
def grading_servers():
    """Two grading servers: LINKLAB_BENCH_GRADING_URI (two comma-separated URIs), or bench-g1 and bench-g2
    started here (and stopped afterwards if this run started them)."""
    uris = [u.strip() for u in os.environ.get("LINKLAB_BENCH_GRADING_URI", "").split(",") if u.strip()]
    started = []
    if not uris:
        for spec in GRADING:
            inst = srv.instance(**spec)
            if not srv.start(inst).already_running:
                started.append(inst)
            uris.append(inst.uri)
    if len(uris) < 2:
        sys.exit("LINKLAB_BENCH_GRADING_URI: give two grading servers, comma-separated")
    drivers = [connect(Connection(uri, os.environ.get("NEO4J_USER", "neo4j"), local_password())) for uri in uris[:2]]
    try:
        for driver in drivers:
            warm_up(driver)
        print(f"grading servers: {', '.join(uris[:2])}")
        yield drivers
    finally:
        for driver in drivers:
            driver.close()
        for inst in started:
            srv.stop(inst)


def class_answers(trainees: int, exercises) -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], str]]:
    """Each trainee's answer to each exercise: the reference solution (7 in 10) or one of the exercise's
    registered mutants, chosen from a hash of trainee and exercise. Also what each answer is: "reference"
    or the mutant's name."""
    import hashlib

    answers, what = {}, {}
    for i in range(trainees):
        trainee = f"trainee-{i:03d}"
        answers[trainee] = {}
        for e in exercises:
            pick = int(hashlib.sha256(f"{trainee}/{e.id}".encode()).hexdigest(), 16)
            mutant = None if pick % 10 < 7 else e.mutants[(pick // 10) % len(e.mutants)]
            answers[trainee][e.id] = mutant.query if mutant else e.solution
            what[(trainee, e.id)] = mutant.name if mutant else "reference"
    return answers, what


def graded_on(pool, submissions, course: str, shared: bool):
    """One measured run: every server first holds another scenario (the mistakes' rows are kept per load, so
    the next load computes them again), and answer keys are computed again, so both runs start from the same
    state."""
    from linklab.grade.batch import grade_class
    from linklab.grade.engine import ScenarioKey, graphs_for
    from linklab.grade.expected import cached_answer
    from linklab.grade.loading import ensure_loaded

    for driver in pool:
        ensure_loaded(driver, ScenarioKey(*ELSEWHERE))
    graphs_for.cache_clear()
    cached_answer.cache_clear()
    with tempfile.TemporaryDirectory() as out:
        return grade_class(pool, submissions, course, Path(out), shared=shared)


def bench_grade(args) -> None:
    """A class: N trainees x E exercises x their scenarios, graded on one grading server and on two, in
    class mode (the course's scenarios) unless --own. Answers: references and registered mutants."""
    from linklab.exercises.catalogue import catalogue
    from linklab.grade.scenarios import worlds_for
    from linklab.grade.worlds import ensure_prepared

    exercises = catalogue()[:args.exercises]
    course, shared = "bench-course", not args.own
    submissions, what = class_answers(args.trainees, exercises)
    with grading_servers() as drivers:
        began = time.perf_counter()
        prepared = ensure_prepared(drivers[0], course, worlds_for(exercises, course, list(submissions), shared=shared))
        if prepared:
            print(f"  hidden scenarios chosen once for the course: {time.perf_counter() - began:.1f} s (not measured)")
        for driver in drivers:  # JIT and query plans warm on both servers alike: a few trainees, not measured
            graded_on([driver], dict(list(submissions.items())[:args.warm]), course, shared)
        runs = [graded_on(drivers[:n], submissions, course, shared) for n in (1, 2)]
    one, two = runs
    checks = sum(len(v.checks) for vs in one.verdicts.values() for v in vs)  # run, refused or skipped
    mode = "own scenarios" if args.own else "class mode"
    print(f"grade {args.trainees} trainees x {len(exercises)} exercises x "
          f"{checks / (args.trainees * len(exercises)):.0f} scenarios, {mode} = {checks:,} checks "
          f"({one.checks_run:,} run, the rest skipped after a refusal); answers: "
          f"{sum(w == 'reference' for w in what.values()):,} references, "
          f"{sum(w != 'reference' for w in what.values()):,} registered mutants")
    for n, results in zip((1, 2), runs):
        busy = sum(results.server_seconds)
        print(f"  {n} grading server{'s' if n > 1 else ' '}: {results.seconds:6.1f} s, "
              f"{results.checks_run / results.seconds:4.0f} checks/s, loading {results.reseed_seconds:.1f} s of "
              f"{busy:.1f} server-s ({100 * results.reseed_seconds / busy:.0f}%), scenarios loaded "
              f"{sum(len(k) for k in results.loads.values())}, each server busy "
              f"{', '.join(f'{s:.1f}' for s in results.server_seconds)} s")
    print(f"  speed-up from one to two grading servers: {one.seconds / two.seconds:.2f}x "
          f"(goal: under 180 s: {'met' if min(one.seconds, two.seconds) < 180 else 'NOT met'}); "
          f"load average of the machine now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    report_verdicts(one, two, exercises, what)


def report_verdicts(one, two, exercises, what: dict[tuple[str, str], str]) -> None:
    """Expected: a reference passes, a mutant fails. The two runs must agree on every pass and fail; their
    feedback may differ only where an answer's rows depend on storage order (LIMIT without ORDER BY), which
    differs between two servers that loaded the same scenario."""
    verdicts = {(t, v.exercise): v for t, vs in one.verdicts.items() for v in vs if (t, v.exercise) in what}
    unexpected: dict[tuple, list[str]] = {}
    for pair, verdict in verdicts.items():
        if verdict.passed != (what[pair] == "reference"):
            unexpected.setdefault((pair[1], what[pair], verdict.passed), []).append(pair[0])
    others = {(t, v.exercise): v for t, vs in two.verdicts.items() for v in vs}
    passes = sum(v.passed != others[pair].passed for pair, v in verdicts.items())
    worded = Counter(f"{pair[1]}/{what[pair]}" for pair, v in verdicts.items() if v.feedback != others[pair].feedback)
    print(f"  verdicts as expected (reference passes, mutant fails): "
          f"{len(verdicts) - sum(map(len, unexpected.values())):,} of {len(verdicts):,}")
    print(f"  one and two servers: {'the same' if not passes else f'{passes} DIFFERENT'} pass/fail verdicts; "
          f"other feedback for {sum(worded.values())} answer(s)"
          + (f" ({', '.join(f'{name} x{n}' for name, n in worded.most_common())})" if worded else ""))
    for (exercise, answer, passed), trainees in sorted(unexpected.items()):
        finding = "mutant passes on every scenario" if passed else "reference fails"
        print(f"  finding: {exercise}/{answer}: {finding} ({len(trainees)} trainee(s))")


def bench_import(args) -> None:
    """A case network at the import limit, as a CSV edge list: read and checked, loaded, answer keys and
    a check of every reference solution. Baselines: networkx reading the same file, the class reset."""
    import networkx as nx

    from linklab.cases.network import save
    from linklab.cases.read import MAX_CONTACTS, MAX_PEOPLE, read_case
    from linklab.exercises.catalogue import case_catalogue
    from linklab.grade.engine import answer_key, check_answer
    from linklab.grade.loading import ensure_loaded
    from linklab.grade.scenarios import case_keys
    from linklab.load import load_case

    graph = nx.powerlaw_cluster_graph(MAX_PEOPLE, MAX_CONTACTS // MAX_PEOPLE, 0.3, seed=1)
    with tempfile.TemporaryDirectory() as folder, bench_session() as driver:
        os.environ["LINKLAB_CASES"] = folder  # the bench case never replaces the instructor's current case
        path = Path(folder) / "limit.csv"
        path.write_text("source,target\n" + "".join(f"p{a},p{b}\n" for a, b in graph.edges))
        read_seconds = timed(read_case, path, "limit")
        nx_seconds = timed(nx.read_edgelist, path, delimiter=",", comments="source")
        case, _ = read_case(path, "limit")
        save(case)
        small = generate("investigation", "class", 1)
        reset(driver, small)
        small_report = reset(driver, small)
        load_seconds = timed(load_case, driver, case)
        entities = len(case.people) + len(case.contacts)
        print(f"case at the limit: {len(case.people):,} people, {len(case.contacts):,} links")
        print(f"  read and check the CSV: {read_seconds:.2f} s; networkx.read_edgelist of the same file "
              f"{nx_seconds:.2f} s ({read_seconds / nx_seconds:.1f}x)")
        print(f"  load: {load_seconds:.2f} s = {entities / load_seconds:,.0f} entities/s; the class reset in this run "
              f"{small_report.entities / small_report.seconds:,.0f} entities/s "
              f"({entities / load_seconds / (small_report.entities / small_report.seconds):.1f}x)")
        for key in case_keys("bench-course", "limit"):
            ensure_loaded(driver, key)
            for exercise in case_catalogue():
                key_seconds = timed(answer_key, exercise, key)
                began = time.perf_counter()
                result = check_answer(driver, exercise, exercise.solution, key)
                print(f"  {key}: {exercise.id:<17} answer key {key_seconds:6.2f} s, reference check "
                      f"{time.perf_counter() - began:5.2f} s, {result.status}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("reset")
    p.add_argument("--profile", default="investigation")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument("--warmup", type=int, default=5)
    p.set_defaults(func=bench_reset)
    p = sub.add_parser("batches")
    p.add_argument("--persons", type=int, default=20_000)
    p.set_defaults(func=bench_batches)
    p = sub.add_parser("generate")
    p.add_argument("--persons", type=int, default=1_000_000)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.set_defaults(func=bench_generate)
    p = sub.add_parser("bulk")
    p.add_argument("--persons", type=int, default=1_000_000)
    p.set_defaults(func=bench_bulk)
    p = sub.add_parser("checks")
    p.add_argument("--profile", default="investigation")
    p.add_argument("--rounds", type=int, default=10)
    p.set_defaults(func=bench_checks)
    p = sub.add_parser("grade")
    p.add_argument("--trainees", type=int, default=200)
    p.add_argument("--exercises", type=int, default=20)
    p.add_argument("--own", action="store_true", help="each trainee's own scenarios instead of the course's")
    p.add_argument("--warm", type=int, default=10, help="trainees graded on each server first, not measured")
    p.set_defaults(func=bench_grade)
    p = sub.add_parser("import")
    p.set_defaults(func=bench_import)
    p = sub.add_parser("mutation")
    p.add_argument("--profiles", nargs="*", help="profiles to prepare (default: all)")
    p.add_argument("--verbose", action="store_true", help="print the preparation's progress")
    p.set_defaults(func=lambda args: __import__("bench.mutation", fromlist=["bench_mutation"]).bench_mutation(args))
    p = sub.add_parser("planning")
    p.set_defaults(func=lambda args: __import__("bench.planning", fromlist=["bench_planning"]).bench_planning(args))
    p = sub.add_parser("preparing")
    p.add_argument("--candidates", type=int, default=2, help="varied candidates (the suite's 2; a class's 12)")
    p.add_argument("--pool", type=int, default=0, help="further varied worlds for probable equivalents")
    p.set_defaults(func=lambda args: __import__("bench.preparing", fromlist=["bench_preparing"]).bench_preparing(args))
    p = sub.add_parser("blind")
    p.add_argument("--exercises", nargs="*", help="exercise ids (default: all)")
    p.set_defaults(func=lambda args: __import__("bench.blind", fromlist=["bench_blind"]).bench_blind(args))
    p = sub.add_parser("alike")
    p.add_argument("--secrets", type=int, default=12)
    p.add_argument("--candidates", type=int, default=12, help="varied candidates per course (the suite uses 2)")
    p.set_defaults(func=lambda args: __import__("bench.alike", fromlist=["bench_alike"]).bench_alike(args))
    p = sub.add_parser("lab")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--trainees", type=int, default=30)
    p.add_argument("--checks", type=int, default=4, help="checks per simulated trainee")
    p.set_defaults(func=lambda args: __import__("bench.lab", fromlist=["bench_lab"]).bench_lab(args))
    p = sub.add_parser("starts")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--servers", type=int, default=4, help="a class's servers, started one by one and side by side")
    p.set_defaults(func=lambda args: __import__("bench.starts", fromlist=["bench_starts"]).bench_starts(args))
    p = sub.add_parser("planner")
    p.add_argument("--plans", type=int, default=40, help="new query texts planned a round")
    p.add_argument("--rounds", type=int, default=4, help="rounds from a server's start")
    p.set_defaults(func=lambda args: __import__("bench.planner", fromlist=["bench_planner"]).bench_planner(args))
    p = sub.add_parser("kept")
    p.add_argument("--worlds", type=int, default=3)
    p.add_argument("--repeat", type=int, default=3)
    p.set_defaults(func=lambda args: __import__("bench.kept", fromlist=["bench_kept"]).bench_kept(args))
    p = sub.add_parser("varying")
    p.add_argument("--worlds", type=int, default=12)
    p.add_argument("--repeat", type=int, default=3)
    p.set_defaults(func=lambda args: __import__("bench.varying", fromlist=["bench_varying"]).bench_varying(args))
    p = sub.add_parser("class")
    p.add_argument("--trainees", type=int, default=30)
    p.add_argument("--minutes", type=float, default=3.0)
    p.add_argument("--think", type=float, default=3.0, help="seconds between a trainee's requests, on average")
    p.add_argument("--grading-servers", type=int, default=None)
    p.add_argument("--port", type=int, default=8090, help="the class lab's port")
    p.add_argument("--first-port", type=int, default=7740, help="the class's Neo4j servers use ports from here up")
    p.add_argument("--screenshot", help="save the console as the instructor sees it afterwards (needs Chromium)")
    p.set_defaults(func=lambda args: __import__("bench.classroom", fromlist=["bench_class"]).bench_class(args))
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
