"""`python -m bench starts`: a local server's start and stop, as linklab makes them and as Neo4j's defaults did.

A server starts and stops often: `make up`, a class's servers, every bulk reset (stop, import, start), the
test suite (about twenty times). Neo4j 5.26 waited, when asked to stop, for each of its two Bolt listeners to
stay idle for a "quiet period" of 5 s after every connection had closed, and only then exited; linklab sets
that period to 0 (linklab.server.SHARED_SETTINGS). Its JVM read and verified Neo4j's classes from the jars at
every start; linklab maps them from a class-data archive made once by `linklab server install`
(linklab.server.make_class_archive; made here if it is missing).

The baseline, in the same run, is the same server with Neo4j's quiet period and no class archive. Each is started and stopped
`--repeat` times in a throwaway folder; the medians are compared.

Then a class's servers (`--servers`, four by default: one to explore, three to grade) start one by one, as
linklab.classroom.servers.start_servers does, and two at a time: on a machine of two cores, a JVM's start keeps
one core busy, and two side by side were slower than one by one (the answer this bench gave; measure again on
a machine with more cores before starting a class's servers side by side).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from unittest import mock

from linklab import server as srv

QUIET_PERIOD = "internal.dbms.bolt.netty_server_shutdown_quiet_period"


@contextmanager
def neo4j_defaults():
    """The server as linklab started it before: Neo4j's own quiet period, every class read from the jars."""
    settings = {k: v for k, v in srv.SHARED_SETTINGS.items() if k != QUIET_PERIOD}
    with mock.patch.object(srv, "SHARED_SETTINGS", settings), \
            mock.patch.object(srv, "class_archive_options", lambda java, archive_at_exit=None: []):
        yield


def start_and_stop(repeat: int) -> tuple[list[float], list[float]]:
    starts, stops = [], []
    with tempfile.TemporaryDirectory(prefix="bench-starts-") as folder:
        bolt, http = srv.free_ports(2)
        inst = srv.Instance("bench-starts", bolt, http, heap="1g", pagecache="256m", root=Path(folder))
        for _ in range(repeat):
            began = time.monotonic()
            srv.start(inst)
            starts.append(time.monotonic() - began)
            began = time.monotonic()
            srv.stop(inst)
            stops.append(time.monotonic() - began)
    return starts, stops


def class_start(count: int, side_by_side: bool) -> float:
    """Seconds until `count` servers have started and warmed up, one by one or (two or as many as the
    machine's cores) side by side."""
    from concurrent.futures import ThreadPoolExecutor

    from linklab.classroom.servers import start_one

    with tempfile.TemporaryDirectory(prefix="bench-class-starts-") as folder:
        ports = srv.free_ports(2 * count)
        servers = [srv.Instance(f"bench-class-{i}", ports[2 * i], ports[2 * i + 1], heap="1g", pagecache="256m",
                                root=Path(folder)) for i in range(count)]
        began = time.monotonic()
        try:
            if side_by_side:
                with ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as pool:
                    list(pool.map(start_one, servers))
            else:
                for inst in servers:
                    start_one(inst)
            return time.monotonic() - began
        finally:
            for inst in servers:
                srv.stop(inst)


def bench_starts(args) -> None:
    archive, seconds = srv.make_class_archive()
    print(f"class archive {archive.name}: " + (f"made in {seconds:.0f} s" if seconds else "made before"))
    measured = {}
    for name, setting in (("Neo4j's defaults", neo4j_defaults()), ("linklab", nullcontext())):
        with setting:
            measured[name] = start_and_stop(args.repeat)
    (old_starts, old_stops), (new_starts, new_stops) = measured.values()
    for what, old, new in (("start", old_starts, new_starts), ("stop", old_stops, new_stops)):
        old_s, new_s = statistics.median(old), statistics.median(new)
        print(f"{what:5}: Neo4j's defaults {old_s:5.1f} s, linklab {new_s:5.1f} s (medians of {args.repeat}): "
              f"{old_s / new_s:.2f}x")
    before = statistics.median(old_starts) + statistics.median(old_stops)
    now = statistics.median(new_starts) + statistics.median(new_stops)
    print(f"a restart (stop and start): {before:.1f} s against {now:.1f} s: {before / now:.2f}x")
    one_by_one, side_by_side = class_start(args.servers, False), class_start(args.servers, True)
    print(f"a class's {args.servers} servers started and warmed up: one by one {one_by_one:.1f} s, side by side "
          f"{side_by_side:.1f} s ({os.cpu_count()} cores): {one_by_one / side_by_side:.2f}x")
