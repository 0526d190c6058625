"""`python -m bench alike`: hidden worlds that share one answer, before and after spare worlds (no database).

A trainee who copies their own world's answer (a number of hops, a yes or no) as a literal passes on hidden
worlds that all give that same answer. For a number of course secrets this makes each course's candidate
worlds (the realistic one and `--candidates` varied ones) and counts the secrets where some exercise has one
answer on all of them: the baseline, what the choice had to pick from before. Then it adds the spare worlds
the preparation looks at (grade.worlds.spare_candidates) and counts again, with the time the spares cost
against the time the candidates' answers took.
"""

from __future__ import annotations

import os
import time


def bench_alike(args) -> None:
    from linklab.exercises.catalogue import catalogue
    from linklab.grade import worlds
    from linklab.scenario.profiles import DESIGN

    os.environ["LINKLAB_CANDIDATES"] = str(args.candidates)
    exercises = catalogue()
    before = after = spare_count = 0
    candidate_seconds = spare_seconds = 0.0
    for n in range(args.secrets):
        os.environ["LINKLAB_COURSE_SECRET"] = f"bench-alike-{n}"
        began = time.perf_counter()
        keys = [k for k in worlds.candidate_keys("bench-alike", DESIGN) if worlds.can_make(k)]
        alike = worlds.answered_alike(exercises, keys)
        middle = time.perf_counter()
        spares = worlds.spare_candidates("bench-alike", DESIGN, "", exercises, keys) if alike else []
        left = worlds.answered_alike(exercises, keys + spares)
        candidate_seconds += middle - began
        spare_seconds += time.perf_counter() - middle
        before += bool(alike)
        after += bool(left)
        spare_count += len(spares)
        print(f"  secret {n + 1}: alike on {len(keys)} candidates: {sorted(alike) or '-'}; "
              f"with {len(spares)} spare: {sorted(left) or '-'}")
    print(f"secrets where every candidate gives some exercise one answer: {before} of {args.secrets} "
          f"(realistic + {args.candidates} varied)")
    print(f"  with spare worlds: {after} of {args.secrets} ({spare_count} spare worlds chosen)")
    ratio = spare_seconds / candidate_seconds if candidate_seconds else 0.0
    print(f"  time: candidates' answers {candidate_seconds:.1f} s, spares {spare_seconds:.1f} s "
          f"({ratio:.2f}x the candidates')")
