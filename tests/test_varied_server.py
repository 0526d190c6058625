"""Varied worlds on the real server: every reference solution passes there (its rows equal the networkx answer
key), and answers that lean on a habit of the generator which no prompt promises fail on some of them."""

from __future__ import annotations

import pytest

from linklab.exercises.catalogue import catalogue
from linklab.grade.engine import check_answer
from linklab.grade.loading import ensure_loaded
from linklab.keys import ScenarioKey
from linklab.scenario.profiles import DESIGN

SEEDS = (5, 21, 25)  # worlds with many transforms applied (tests/test_variation.py checks all of them offline)
KEYS = [ScenarioKey(DESIGN, "tiny", seed, varied=True) for seed in SEEDS]

# An answer that is right on generated worlds because of a habit of the generator: each fails on some varied world.
EXPLOITS = {
    "betweenness-gds": "MATCH (p:Person) RETURN p.name LIMIT 1",  # the planted broker was created first
    "hub-calls": "MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) "
                 "MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person) WHERE p <> q "
                 "WITH p, count(DISTINCT q) AS n ORDER BY n DESC LIMIT 1 "
                 "RETURN p.name, COUNT { MATCH (p)-[:HAS_PHONE]->(:Phone)-[:CALLED]-(:Phone)<-[:HAS_PHONE]-(q:Person) "
                 "WHERE q <> p RETURN DISTINCT q }",  # the message hub is the call hub
    "crews": "MATCH (:Organization {name: $org})<-[:PART_OF]-(c:Organization)<-[:MEMBER_OF]-(p:Person) WHERE c.kind = 'crew' "
             "RETURN c.name, count(DISTINCT p)",  # every crew has known members
    "three-platforms": "MATCH (p:Person)-[:MEMBER_OF]->() MATCH (p)-[:USES]->(a:Account) "
                       "WITH p, count(DISTINCT a.platform) AS n WHERE n >= 3 RETURN p.name, n",  # answers are members
    "hub-messages": "MATCH (p:Person)-[:MEMBER_OF]->(:Organization)-[:PART_OF*0..1]->(:Organization {name: $org}) MATCH (p)-[:USES]->(:Account)-[:MESSAGED]-(:Account)<-[:USES]-(q:Person) "
                    "RETURN p.name, count(DISTINCT q) AS n ORDER BY n DESC LIMIT 1",  # unique names, no self-contact
    "money-trail": "MATCH route = (:Wallet {address: $buyer})-[:SENT*]->(x:Wallet) WHERE x.exchange IS NOT NULL "
                   "RETURN [n IN nodes(route) | n.address]",  # exchanges only at the ends of routes
}


@pytest.fixture(scope="module")
def varied_runs(driver):
    """(exercise id, key) -> CheckResult of the reference solution, and of each exploit, on the varied worlds."""
    runs = {}
    for key in KEYS:
        ensure_loaded(driver, key)
        for exercise in catalogue():
            runs[(exercise.id, key)] = check_answer(driver, exercise, exercise.solution, key)
            if exercise.id in EXPLOITS:
                runs[("exploit", exercise.id, key)] = check_answer(driver, exercise, EXPLOITS[exercise.id], key)
    return runs


@pytest.mark.parametrize("exercise_id", [e.id for e in catalogue()])
def test_the_reference_passes_on_varied_worlds(varied_runs, exercise_id):
    for key in KEYS:
        result = varied_runs[(exercise_id, key)]
        assert result.passed, f"{key}: {result.feedback}"


@pytest.mark.parametrize("exercise_id", sorted(EXPLOITS))
def test_an_answer_that_leans_on_a_habit_of_the_generator_fails_on_a_varied_world(varied_runs, exercise_id):
    results = [varied_runs[("exploit", exercise_id, key)] for key in KEYS]
    assert all(r.status in ("passed", "failed") for r in results), [r.feedback for r in results]
    assert any(r.status == "failed" for r in results), exercise_id
