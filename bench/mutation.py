"""`python -m bench mutation`: what the automatic mutants and the chosen hidden worlds do, per exercise.

For the world (each design: the one investigation world), a course of its own (a fresh id, so nothing is remembered) is prepared on the bench server
(grade.worlds.prepare: every hand-written and automatic mutant on the candidate worlds, the hidden worlds
chosen against them, probable equivalents found on a further pool), and timed. The baseline, in the same
run: the same mutants on one trainee's own world alone (a class-size world), as a grader without hidden
worlds would judge them.
"""

from __future__ import annotations

import time

from linklab import config
from linklab.exercises.catalogue import catalogue
from linklab.grade import worlds
from linklab.grade.engine import ScenarioKey, answer_key, run_batch
from linklab.grade.scenarios import trainee_seed
from linklab.scenario.profiles import profile_names


def bench_mutation(args) -> None:
    from bench.__main__ import bench_session

    course = f"bench-mutation-{int(time.time())}"
    profiles = args.profiles or profile_names()
    totals = dict(written=0, automatic=0, equivalent=0, killed=0, own=0, seconds=0.0)
    with bench_session() as driver:
        print(f"course {course}: {config.preparation_candidates()} varied candidates and the realistic world, "
              f"{config.equivalence_pool()} more varied worlds for probable equivalents")
        for profile in profiles:
            began = time.perf_counter()
            prep = worlds.prepare(driver, course, profile, progress=lambda m: print(f"  {m}", flush=True) if args.verbose else None)
            choice = prep.choice
            own = ScenarioKey(profile, "class", trainee_seed(course, "a-trainee"))
            print(f"{profile}: prepared in {time.perf_counter() - began:.1f} s; hidden worlds "
                  f"{', '.join(('varied' if v else 'realistic') for _, v in choice.keys)}")
            print(f"  {'exercise':<24}{'written':>8}{'auto':>6}{'equiv':>7}{'killed by hidden':>18}"
                  f"{'killed by own world alone':>28}")
            for exercise in catalogue():
                written, automatic, equivalent, killed = choice.per_exercise[exercise.id]
                specs = worlds.mutant_specs(exercise, worlds.schema_for(profile), answer_key(exercise, own).params)
                trials = run_batch(driver, exercise, [s.query for s in specs], own)
                on_own = sum(t.status != "passed" for t in trials)
                separable = written + automatic - equivalent
                print(f"  {exercise.id:<24}{written:>8}{automatic:>6}{equivalent:>7}"
                      f"{killed:>9}/{separable:<4} {killed / max(1, separable):>4.0%}"
                      f"{on_own:>19}/{separable:<4} {on_own / max(1, separable):>4.0%}")
                for name, value in (("written", written), ("automatic", automatic), ("equivalent", equivalent),
                                    ("killed", killed), ("own", on_own)):
                    totals[name] += value
            totals["seconds"] += choice.seconds
        separable = totals["written"] + totals["automatic"] - totals["equivalent"]
        print(f"total: {totals['written']} written and {totals['automatic']} automatic mutants; "
              f"{totals['equivalent']} probably equivalent; of the {separable} others the course's hidden worlds "
              f"kill {totals['killed']} ({totals['killed'] / max(1, separable):.1%}, goal 100%), the trainee's own "
              f"world alone {totals['own']} ({totals['own'] / max(1, separable):.1%}); preparing the course took "
              f"{totals['seconds']:.0f} s for {len(profiles)} profile(s)")
