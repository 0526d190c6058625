"""`python -m bench varying`: varying worlds with Python's default garbage-collection threshold, against the
one vary() sets while it runs (linklab.variation.vary.COLLECT_EVERY).

Varying a world copies it for every edit it tries and builds its networkx graphs again after each: many small
containers that live a while, which the cyclic collector walked again and again at its default threshold (a
collection every 700 new containers). Each round starts two fresh Python processes, one of each kind, in turn,
that vary the same `--worlds` tiny worlds (seeds 1 up) and print their hashes: the worlds must be the same,
byte for byte. The figures are the medians of `--repeat` rounds; the peak memory is each process's own. No
server.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from linklab.variation.vary import COLLECT_EVERY

CHILD = """
import json, resource, sys, time
from linklab.scenario.export import scenario_hash
from linklab.scenario.generate import generate
from linklab.variation import vary as v
if sys.argv[2] == "default":
    v.COLLECT_EVERY = 0  # vary() keeps the threshold it finds when that is higher: Python's own
worlds = [generate("investigation", "tiny", seed) for seed in range(1, int(sys.argv[1]) + 1)]
began = time.perf_counter()
hashes = [scenario_hash(v.vary(world, seed)) for seed, world in enumerate(worlds, start=1)]
print(json.dumps({"seconds": time.perf_counter() - began, "hashes": hashes,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def one_process(worlds: int, kind: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(worlds), kind], check=True, timeout=1800,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def bench_varying(args) -> None:
    runs: dict[str, list[dict]] = {"default": [], "linklab": []}
    for _ in range(args.repeat):
        for kind in runs:
            runs[kind].append(one_process(args.worlds, kind))
    hashes = {json.dumps(run["hashes"]) for kind in runs for run in runs[kind]}
    if len(hashes) != 1:
        sys.exit("the two ways varied different worlds")
    a, b = (statistics.median(run["seconds"] for run in runs[kind]) for kind in runs)
    peak_a, peak_b = (max(run["peak_mib"] for run in runs[kind]) for kind in runs)
    print(f"varying {args.worlds} tiny worlds (seeds 1 to {args.worlds}), medians of {args.repeat} rounds; "
          "the same worlds both ways:")
    print(f"  Python's default threshold (700): {a:.2f} s, peak {peak_a:.0f} MiB")
    print(f"  vary()'s threshold ({COLLECT_EVERY:,}): {b:.2f} s, peak {peak_b:.0f} MiB: {b / a:.2f}x the time")
