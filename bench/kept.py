"""`python -m bench kept`: what keeping varied worlds on disk (linklab.variation.kept) saves a process.

Every process that grades on hidden worlds needs them as data: a `linklab check` for its answer keys and to
load them, a `linklab grade`, `answers`, `selftest`. Before the store, each varied them afresh (a second or
more of pure Python a world); now the first keeps them and the next read them back. This bench starts a
fresh Python process that asks for `--worlds` varied hidden worlds (keys.ScenarioKey.scenario), `--repeat`
times with an empty store (each run in a home of its own: the world is varied) and as many times with the
worlds kept (the same home, after a first run kept them). No server: the figures are the process's own.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = ("import sys; from linklab.keys import ScenarioKey\n"
         "for seed in range(1, int(sys.argv[1]) + 1):\n"
         "    ScenarioKey('investigation', 'tiny', 1000 + seed, varied=True).scenario()\n")


def one_process(home: Path, worlds: int) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, str(worlds)], check=True, timeout=600,
                   env={**os.environ, "LINKLAB_HOME": str(home), "LINKLAB_COURSE_SECRET": "bench-kept"})
    return time.perf_counter() - began


def bench_kept(args) -> None:
    with tempfile.TemporaryDirectory(prefix="linklab-bench-kept-") as folder:
        root = Path(folder)
        varied = [one_process(root / f"empty-{n}", args.worlds) for n in range(args.repeat)]
        one_process(root / "kept", args.worlds)  # keeps them
        kept = [one_process(root / "kept", args.worlds) for _ in range(args.repeat)]
        size = (root / "kept" / "varied-worlds.db").stat().st_size
    a, b = statistics.median(varied), statistics.median(kept)
    print(f"a process that needs {args.worlds} varied hidden worlds (medians of {args.repeat}):")
    print(f"  varying them: {a:.2f} s; reading them back: {b:.2f} s: {a / b:.2f}x")
    print(f"  the store with {args.worlds} worlds: {size / 1024:.0f} KiB")
