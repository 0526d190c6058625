"""`python -m bench blind`: the grader on answers nobody on the grader's side wrote (tests/blind/*.toml).

For every exercise the blind set holds right answers in several styles, plausible wrong answers and answers
that lean on a habit of the generated data, written from the prompts alone. A course of its own (a fresh id,
the class's own numbers of candidate worlds) is prepared on the bench server, then every answer goes through
the grader's public path (check_and_judge) for one trainee per kind of organisation the exercise may ask about
(one for an exercise about the whole world; an imported case: Zachary's karate club). A wrong answer or an exploit counts as caught when it fails for every trainee; a right
answer must pass for every trainee. The baseline, in the same run: the same answers judged on each trainee's
own world alone, as a grader without hidden worlds would.
"""

from __future__ import annotations

import os
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

BLIND = Path(__file__).resolve().parent.parent / "tests" / "blind"
CASE = "karate"


@dataclass(frozen=True)
class Answer:
    exercise: str
    kind: str  # right, wrong or exploit
    number: int
    query: str
    what: str  # the mistake or the habit leaned on ("" for a right answer)

    @property
    def ident(self) -> str:
        return f"{self.exercise}/{self.kind}-{self.number}"


def read_answers(exercise: str) -> list[Answer]:
    """The blind answers of one exercise, in the file's order."""
    data = tomllib.loads((BLIND / f"{exercise}.toml").read_text())
    answers = [Answer(exercise, "right", n, item if isinstance(item, str) else item["query"], "")
               for n, item in enumerate(data.get("right", []))]
    for kind, key, field in (("wrong", "wrong", "mistake"), ("exploit", "exploits", "regularity")):
        answers += [Answer(exercise, kind, n, item["query"], item.get(field, ""))
                    for n, item in enumerate(data.get(key, []))]
    return answers


def trainees_of(exercise, course: str) -> list[str]:
    """One trainee per kind of organisation the exercise may ask about (the first whose own world asks it
    about an organisation of that kind); one trainee for an exercise about the whole world or a case."""
    from linklab.exercises.answers import asked_org
    from linklab.grade.scenarios import scenarios_for
    from linklab.grade.expected import graphs_for

    if exercise.on_case or not exercise.organisations:
        return ["trainee-1"]
    found: dict[str, str] = {}
    for trainee in (f"trainee-{n}" for n in range(1, 41)):  # a few dozen trainees meet every kind
        g = graphs_for(scenarios_for(exercise, course, trainee)[0])
        kind = g.kind_of(asked_org(exercise, g))
        found.setdefault(kind, trainee)
        if len(found) == len(exercise.organisations):
            break
    return [found[k] for k in exercise.organisations if k in found]


def bench_blind(args) -> None:
    import networkx as nx

    from bench.__main__ import bench_session
    from linklab import config
    from linklab.cases.network import save
    from linklab.cases.read import read_case
    from linklab.exercises.catalogue import case_catalogue, catalogue
    from linklab.grade import worlds
    from linklab.grade.engine import check_and_judge
    from linklab.grade.scenarios import scenarios_for
    from linklab.grade.scenarios import worlds_for

    course = f"bench-blind-{int(time.time())}"
    os.environ.setdefault("LINKLAB_CASES", tempfile.mkdtemp(prefix="bench-blind-cases-"))
    graph_file = Path(os.environ["LINKLAB_CASES"]) / "karate.graphml"
    graph = nx.karate_club_graph()  # as the tests import it (tests/test_import.py): members named 'Member N'
    for n in graph:
        graph.nodes[n]["label"] = f"Member {n + 1}"
        del graph.nodes[n]["club"]
    nx.write_graphml(graph, graph_file)
    save(read_case(graph_file, CASE, "KNOWS", None)[0])
    exercises = [e for e in catalogue() + case_catalogue() if not args.exercises or e.id in args.exercises]
    with bench_session() as driver:
        needed = set()
        for e in exercises:
            needed |= worlds_for([e], course, trainees_of(e, course), case=CASE if e.on_case else None)
        began = time.perf_counter()
        worlds.ensure_prepared(driver, course, needed)
        print(f"course {course}: {config.preparation_candidates()} varied candidates per world, "
              f"{config.equivalence_pool()} more for probable equivalents; prepared in {time.perf_counter() - began:.0f} s")
        print(f"  {'exercise':<22}{'right pass':>11}{'wrong caught':>14}{'(own alone)':>12}"
              f"{'exploits caught':>17}{'(own alone)':>12}")
        totals = {k: [0, 0, 0] for k in ("right", "wrong", "exploit")}  # passed-or-caught, own alone, of
        misses = []

        def drivers_for(key):
            yield driver, True

        for e in exercises:
            answers = read_answers(e.id)
            outcome = {a: [True, True] for a in answers}  # passed on every trainee: with hidden, own alone
            for trainee in trainees_of(e, course):
                keys = scenarios_for(e, course, trainee, case=CASE if e.on_case else None)
                for a in answers:
                    verdict = check_and_judge(e, a.query, keys, drivers_for)
                    outcome[a][0] &= verdict.passed
                    outcome[a][1] &= verdict.checks[0].passed if verdict.checks else False
            row = {}
            for kind in ("right", "wrong", "exploit"):
                mine = [a for a in answers if a.kind == kind]
                good = [a for a in mine if outcome[a][0] == (kind == "right")]
                own = [a for a in mine if outcome[a][1] == (kind == "right")]
                row[kind] = (len(good), len(own), len(mine))
                totals[kind] = [t + v for t, v in zip(totals[kind], row[kind])]
                misses += [(a, kind) for a in mine if a not in good]
            print(f"  {e.id:<22}{row['right'][0]:>6}/{row['right'][2]:<4}{row['wrong'][0]:>9}/{row['wrong'][2]:<4}"
                  f"{row['wrong'][1]:>8}/{row['wrong'][2]:<3}{row['exploit'][0]:>12}/{row['exploit'][2]:<4}"
                  f"{row['exploit'][1]:>8}/{row['exploit'][2]:<3}", flush=True)
        r, w, x = totals["right"], totals["wrong"], totals["exploit"]
        print(f"total: right answers passing {r[0]} of {r[2]}; wrong answers caught {w[0]} of {w[2]} "
              f"({w[0] / max(1, w[2]):.0%}; on the trainee's own world alone {w[1]}, {w[1] / max(1, w[2]):.0%}); "
              f"exploits caught {x[0]} of {x[2]} ({x[0] / max(1, x[2]):.0%}; own world alone {x[1]}, "
              f"{x[1] / max(1, x[2]):.0%})")
        for a, kind in misses:
            said = "fails" if kind == "right" else "passes"
            print(f"  {said}: {a.ident} ({a.what or 'a right answer'})")
        on_candidates(course, exercises, misses, drivers_for)


def on_candidates(course, exercises, misses, drivers_for) -> None:
    """What more hidden worlds would do: the missed wrong answers and exploits, and every right answer, on
    every varied candidate of the world (not only the chosen ones). A miss caught there could be
    caught by choosing more worlds; a right answer failing there would fail if that world were chosen."""
    from linklab import config
    from linklab.grade import worlds
    from linklab.grade.engine import run_checks
    from linklab.scenario.profiles import DESIGN

    missed = {a for a, kind in misses if kind != "right"}
    todo = []  # (candidate key, exercise, answer)
    for e in exercises:
        if e.on_case:
            continue
        for key in worlds.candidate_keys(course, DESIGN)[1:]:
            todo += [(key, e, a) for a in read_answers(e.id) if a.kind == "right" or a in missed]
    verdicts: dict = {}
    for key, e, a in sorted(todo, key=lambda t: str(t[0])):  # one world after another: each loaded once
        if worlds.can_make(key):
            checks, _ = run_checks(e, a.query, [key], drivers_for, None, None, None)
            verdicts.setdefault(a, []).append(checks[0].passed)
    caught = sorted(a.ident for a in missed if a in verdicts and not all(verdicts[a]))
    wrongly = sorted(a.ident for a, v in verdicts.items() if a.kind == "right" and not all(v))
    print(f"on every varied candidate ({config.preparation_candidates()} of the world): {len(caught)} of {len(missed)} "
          f"missed wrong answers and exploits would be caught; {len(wrongly)} right answers would fail somewhere")
    for ident in caught:
        print(f"  caught on a candidate: {ident}")
    for ident in wrongly:
        print(f"  a right answer failing on a candidate: {ident}")
