"""The mutation engine (grade.mutation) without a database: every operator makes mutants of the references,
each mutant parses and passes the guard's allowlists, and the by-value operator keeps the meaning of the
query but for what it counts or groups by."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from linklab.scenario.profiles import DESIGN
from linklab.cypherlang.parser import parse, parse_tokens, tokens_of
from linklab.cypherlang.tree import Leaf
from linklab.exercises.catalogue import catalogue
from linklab.grade.allow import vet
from linklab.grade.mutation import OPERATORS, apply, by_value, mutants_of, schema_of_model, squeeze

SCHEMA = schema_of_model()
SCENARIO_EXERCISES = [e for e in catalogue()]


def params_of(exercise) -> dict:
    return {name: "x" for name in ("hub", "a", "b", "from", "to", "graph", "k")}


@cache
def mutants_for(exercise) -> tuple:
    """The exercise's automatic mutants, made once for the module (two tests read them: seconds each time)."""
    return tuple(mutants_of(exercise.solution, SCHEMA, params_of(exercise)))


def test_every_operator_makes_mutants_of_some_reference():
    made = Counter()
    for exercise in SCENARIO_EXERCISES:
        tree = parse(exercise.solution)
        for operator in OPERATORS:
            made[operator.__name__] += sum(1 for _ in operator(tree, SCHEMA))
    assert all(made[op.__name__] > 0 for op in OPERATORS), made


# The longest references (some 6 s of parsing mutants for arrest-cutoff's alone) are checked in the
# integration tier (`make test`); the unit tier checks the mutants of the others, which show every kind of
# change the longest ones get (test_the_unit_tier_sees_every_kind_of_change), within a minute.
LONG_REFERENCE = 800  # characters


def long_reference(exercise) -> bool:
    return len(exercise.solution) > LONG_REFERENCE


def tiered(exercise):
    return pytest.param(exercise, id=exercise.id, marks=[pytest.mark.integration] if long_reference(exercise) else [])


@pytest.mark.integration  # it mutates every long reference too (about ten seconds of parsing): beyond the unit tier
def test_the_unit_tier_sees_every_kind_of_change():
    short = [e for e in SCENARIO_EXERCISES if not long_reference(e)]
    seen = {m.operator for e in short for m in mutants_for(e)}
    made_on_long = {change.operator for e in SCENARIO_EXERCISES if long_reference(e)
                    for operator in OPERATORS for change in operator(parse(e.solution), SCHEMA)}
    assert short and made_on_long and made_on_long <= seen, made_on_long - seen


@pytest.mark.parametrize("exercise", [tiered(e) for e in SCENARIO_EXERCISES])
def test_mutants_parse_pass_the_guard_and_differ_from_the_reference(exercise):
    mutants = mutants_for(exercise)
    assert len(mutants) >= 10
    assert len({squeeze(m.query) for m in mutants}) == len(mutants)
    assert squeeze(exercise.solution) not in {squeeze(m.query) for m in mutants}
    for mutant in mutants:
        vet(parse(mutant.query), params_of(exercise))
        assert mutant.diagnosis and not any(ch.isdigit() for ch in mutant.diagnosis)


def shape(node) -> tuple:
    """A tree as nested tuples of what every node says (rule or token type, text, place)."""
    if isinstance(node, Leaf):
        return (node.type, node.text, node.start, node.stop, node.line, node.column)
    return (node.rule, node.start, node.stop, tuple(shape(c) for c in node.children))


@pytest.mark.parametrize("exercise", [tiered(e) for e in SCENARIO_EXERCISES])
def test_a_text_lexed_once_parses_to_the_tree_parse_gives(exercise):
    """The engine lexes a mutant once, to tell a new one (squeeze) and to parse it (parse_tokens): the tree is
    the one parse builds, for every reference and a sample of its mutants."""
    for text in [exercise.solution] + [m.query for m in mutants_for(exercise)[::7]]:
        assert shape(parse_tokens(text, tokens_of(text))) == shape(parse(text)), text


def by_value_mutants(query: str) -> list[str]:
    return [apply(query, change.edits) for change in by_value(parse(query), SCHEMA)]


def test_by_value_counts_values_where_the_reference_counts_nodes():
    query = ("MATCH (f:Account)-[:FOLLOWS]->(a:Account) WITH a, count(DISTINCT f) AS n "
             "RETURN a.handle AS handle, n ORDER BY n DESC LIMIT 1")
    assert "MATCH (f:Account)-[:FOLLOWS]->(a:Account) WITH a, count(DISTINCT f.handle) AS n " \
           "RETURN a.handle AS handle, n ORDER BY n DESC LIMIT 1" in by_value_mutants(query)


def test_by_value_groups_by_the_value_a_later_clause_returns():
    query = ("MATCH (p:Person)-[:USES]->(a:Account) WITH p, count(DISTINCT a.platform) AS k WHERE k >= 3 "
             "RETURN p.name AS name, k")
    assert ("MATCH (p:Person)-[:USES]->(a:Account) WITH p.name AS p, count(DISTINCT a.platform) AS k "
            "WHERE k >= 3 RETURN p AS name, k") in by_value_mutants(query)


def test_by_value_leaves_a_node_that_is_used_as_a_node_later():
    query = ("MATCH (c:Organization)<-[:MEMBER_OF]-(m:Person) WITH c, count(m) AS n "
             "MATCH (c)<-[:PART_OF]-(x) RETURN c.name, n")
    assert all("WITH c.name AS c" not in m for m in by_value_mutants(query))
    query = "MATCH (p:Person)-[:USES]->(a:Account) WITH p, count(a) AS k RETURN p.name AS name, p.id AS id, k"
    assert all("WITH p.name AS p" not in m for m in by_value_mutants(query))


def test_the_choice_of_hidden_worlds_prefers_richer_worlds_on_ties():
    from linklab.grade.worlds import greedy

    assert greedy([{"a"}, {"a"}, {"b"}], 2, 3) == [0, 2]
    assert greedy([{"a"}, {"a"}, {"b"}], 2, 3, richness=[0, 5, 0]) == [1, 2]
    assert greedy([{"a"}, {"a", "b"}, set()], 2, 3, richness=[9, 0, 9]) == [1, 0]  # coverage first, then richness, then order
    assert greedy([{"a"}, set(), set()], 1, 3, richness=[0, 0, 9]) == [0]  # none beyond `least` that adds nothing
    # mistakes first: a world that only makes answers differ never displaces one that catches a mutant
    assert greedy([{"m"}, set(), set()], 1, 3, also=[set(), {"x", "y"}, {"x"}]) == [0, 1]
    assert greedy([set(), set()], 1, 2, also=[set(), {"x"}]) == [1]


@pytest.mark.integration  # no database, but three worlds made and answered (seconds): kept out of the unit tier
def test_where_every_candidate_answers_alike_a_spare_world_answers_otherwise(monkeypatch):
    """With this secret every candidate world (the realistic one and two varied, as in the suite) has the same
    number of hops between the two suspects path-hops asks about: hidden worlds chosen among them would pass
    a trainee's own number copied as a literal whenever it is that one. A spare varied world answers it
    otherwise, and with it no exercise is answered alike."""
    from linklab.exercises.catalogue import catalogue
    from linklab.grade import worlds
    from linklab.scenario.profiles import DESIGN

    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "secret-4")
    monkeypatch.setenv("LINKLAB_CANDIDATES", "2")
    monkeypatch.setenv("LINKLAB_EQUIVALENCE_POOL", "0")
    keys = [k for k in worlds.candidate_keys("test-course", DESIGN) if worlds.can_make(k)]
    assert worlds.answered_alike(catalogue(), keys) == {"path-hops"}, "the generator changed: choose another secret"
    spares = worlds.spare_candidates("test-course", DESIGN, "", catalogue(), keys)
    assert len(spares) == 1 and spares[0].varied and spares[0] not in keys
    assert worlds.answered_alike(catalogue(), keys + spares) == set()


@pytest.mark.integration  # it varies candidate worlds in a store of its own (seconds each): beyond the unit tier
def test_hidden_worlds_can_hold_one_where_neighbouring_questions_part(monkeypatch, tmp_path):
    """In a generated world each organisation's message hub is also its call hub (a habit of the generator, no
    promise): a trainee answering one question with the other's query is right there, on whichever
    organisation either asks about. The preparation counts "hub-calls~hub-messages" as covered only by a world
    where they differ, and some candidate does."""
    from linklab.grade.worlds import can_make, candidate_keys, exercises_of, sibling_items

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path))
    monkeypatch.setenv("LINKLAB_COURSE_SECRET", "siblings")
    exercises = list(exercises_of(DESIGN))
    first, *varied = candidate_keys("siblings-course", DESIGN, count=6)
    assert can_make(first) and "hub-calls~hub-messages" not in sibling_items(exercises, first)
    # (each varied world made only when the one before does not part them: the first one usually does)
    assert any(can_make(key) and "hub-calls~hub-messages" in sibling_items(exercises, key) for key in varied)


def test_mutants_made_once_are_found_again_by_a_later_process(monkeypatch, tmp_path):
    """A preparation makes every exercise's mutants (parsing each: most of a minute for the investigation
    world); a later process on the machine (the lab's, a class server's) finds them in the worlds database
    instead. The same reference, schema, parameters and code give the same mutants; a change of the code that
    makes them makes them afresh."""
    from linklab.grade import mutation, worlds

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path))
    exercise = next(e for e in SCENARIO_EXERCISES if e.id == "crews")
    args = (exercise.solution, SCHEMA, mutation.param_types({"org": "x"}), tuple(m.query for m in exercise.mutants))
    worlds.made_mutants.cache_clear()
    try:
        made = worlds.made_mutants(*args)
        assert made and made == mutation.mutants_of(exercise.solution, SCHEMA, {"org": "x"}, args[3])
        worlds.made_mutants.cache_clear()  # as a new process
        calls = []
        monkeypatch.setattr(mutation, "mutants_of_types", lambda *a: calls.append(a) or ())
        assert worlds.made_mutants(*args) == made and calls == []
        worlds.made_mutants.cache_clear()
        monkeypatch.setattr(worlds, "mutation_code", lambda: "other operators")
        assert worlds.made_mutants(*args) == () and len(calls) == 1  # made again (here: by the stand-in)
    finally:
        worlds.made_mutants.cache_clear()


def test_a_change_to_what_makes_mutants_prepares_the_worlds_again(monkeypatch):
    """The allowlists and the parser decide which mutants a reference has, so a course's stored choice of
    hidden worlds (chosen to catch those mutants) is made again when they change, as when the operators do."""
    from linklab.grade import worlds

    worlds.digest_of_content.cache_clear()
    try:
        before = worlds.content_digest("investigation")
        monkeypatch.setattr(worlds, "mutation_code", lambda: "another allowlist")
        worlds.digest_of_content.cache_clear()
        assert worlds.content_digest("investigation") != before
    finally:
        worlds.digest_of_content.cache_clear()


def test_a_preparation_runs_two_batches_at_a_time_and_the_first_error_stops_the_rest(monkeypatch):
    import threading
    import time

    from linklab.errors import LinklabError
    from linklab.grade import worlds

    monkeypatch.setenv("LINKLAB_PREPARING_SESSIONS", "2")
    lock, running, most = threading.Lock(), [0], [0]

    def square(n: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return n * n
    assert sorted(worlds.side_by_side(square, list(range(6)))) == [(n, n * n) for n in range(6)]
    assert most[0] == 2
    started: list[int] = []

    def fails_first(n: int) -> int:
        started.append(n)
        if n == 0:
            raise LinklabError("the grading server went away")
        time.sleep(0.2)
        return n
    with pytest.raises(LinklabError, match="went away"):
        list(worlds.side_by_side(fails_first, list(range(10))))
    assert len(started) < 10  # the batches not yet begun were cancelled


def test_a_full_disk_loses_only_the_kept_mutants(monkeypatch, tmp_path):
    import sqlite3
    from contextlib import contextmanager

    from linklab.grade import mutation, worlds

    monkeypatch.setenv("LINKLAB_HOME", str(tmp_path))
    exercise = next(e for e in SCENARIO_EXERCISES if e.id == "crews")
    args = (exercise.solution, SCHEMA, mutation.param_types({"org": "x"}), ())
    opened = worlds.connect

    @contextmanager
    def full_on_write():
        with opened() as db:
            class Full:
                def execute(self, sql, *rest):
                    if sql.startswith("INSERT"):
                        raise sqlite3.OperationalError("database or disk is full")
                    return db.execute(sql, *rest)
            yield Full()
    monkeypatch.setattr(worlds, "connect", full_on_write)
    worlds.made_mutants.cache_clear()
    try:
        made = worlds.made_mutants(*args)
        assert made == mutation.mutants_of_types(*args)
        monkeypatch.setattr(worlds, "connect", opened)
        with opened() as db:
            assert db.execute("SELECT count(*) FROM made_mutants").fetchone()[0] == 0
    finally:
        worlds.made_mutants.cache_clear()
