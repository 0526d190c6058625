"""An answer right only by the order the database happens to list rows in fails, on every load (grade.ordering):
which rows a LIMIT keeps, and the order of rows that tie, must follow from the query."""

from __future__ import annotations

import pytest

from linklab.cases.network import save
from linklab.cases.read import read_case
from linklab.exercises.catalogue import get
from linklab.grade.engine import CaseKey, check_answer
from linklab.grade.loading import ensure_loaded
from linklab.grade.evaluate import run_batch
from linklab.grade.ordering import tie_breaks
from linklab.grade.status import Status


def test_tie_breaks_order_further_by_every_column_both_ways():
    ranked = "MATCH (p)--(q) WITH p, count(q) AS n RETURN p.name, n ORDER BY n DESC LIMIT 5"
    up, down = tie_breaks(ranked, False)
    assert up.endswith("RETURN p.name AS `p.name`, n ORDER BY n DESC, `p.name` ASC, n ASC LIMIT 5")
    assert down.endswith("ORDER BY n DESC, `p.name` DESC, n DESC LIMIT 5")
    first = "MATCH (a)-->(b) RETURN b.name AS name LIMIT 1"
    assert tie_breaks(first, False) == ("MATCH (a)-->(b) RETURN b.name AS name ORDER BY name ASC LIMIT 1",
                                        "MATCH (a)-->(b) RETURN b.name AS name ORDER BY name DESC LIMIT 1")


def test_a_with_that_keeps_the_top_among_ties_is_probed_both_ways():
    """WITH ... ORDER BY contacts DESC LIMIT 1: which of the people tied at the top it keeps is the storage
    order's choice, as at the end of a query; both variants settle it, each one way."""
    top = "MATCH (p:Person)--(q:Person) WITH p, count(DISTINCT q) AS contacts ORDER BY contacts DESC LIMIT 1 RETURN p.name AS name"
    up, down = tie_breaks(top, False)
    assert "ORDER BY contacts DESC, p ASC, contacts ASC LIMIT 1 RETURN p.name AS name" in up
    assert "ORDER BY contacts DESC, p DESC, contacts DESC LIMIT 1 RETURN p.name AS name" in down
    some = "MATCH (p:Person) WITH p LIMIT 3 RETURN p.name AS name"  # any three: ordered by the node, both ways
    assert tie_breaks(some, False) == ("MATCH (p:Person) WITH p ORDER BY p ASC LIMIT 3 RETURN p.name AS name",
                                       "MATCH (p:Person) WITH p ORDER BY p DESC LIMIT 3 RETURN p.name AS name")


@pytest.mark.parametrize("query", [
    "MATCH (p) RETURN p.name",  # a set of rows, compared as a set: order cannot matter
    "MATCH (p) RETURN * LIMIT 3",  # no columns to name
    "MATCH (p) RETURN p.name LIMIT 2 UNION MATCH (q) RETURN q.name LIMIT 2",
    "MATCH (p RETURN p",  # not Cypher: the guard says why, elsewhere
    "UNWIND [['Ann', 3], ['Bo', 2]] AS r RETURN r[0], r[1] LIMIT 2",  # the order is the list's
    "MATCH (p) WITH p ORDER BY p.name WITH collect(p.name) AS names UNWIND names AS n RETURN n LIMIT 3",
])
def test_no_tie_breaks_where_order_cannot_matter_or_cannot_be_said(query):
    assert tie_breaks(query, False) == ()


def test_an_ordered_exercise_is_probed_without_a_limit():
    assert len(tie_breaks("MATCH (p) RETURN p.name AS name ORDER BY size(name)", True)) == 2


@pytest.fixture
def pairs_case(tmp_path, monkeypatch):
    """Six pairs of people: everyone has one contact, so the five most connected are a tie that only the
    names settle; the file lists the names in reverse, so storage order is not name order."""
    monkeypatch.setenv("LINKLAB_CASES", str(tmp_path / "cases"))
    names = [chr(ord("L") - i) + "ee" for i in range(12)]
    path = tmp_path / "pairs.csv"
    path.write_text("source,target\n" + "".join(f"{a},{b}\n" for a, b in zip(names[::2], names[1::2])))
    case, _ = read_case(path, "pairs", "KNOWS", None)
    save(case)
    return CaseKey("pairs", 0, case.digest)


def test_ties_left_to_the_database_fail_on_every_load(driver, pairs_case):
    exercise = get("case-degree")
    untied = ("MATCH (p:Person)--(q:Person) WITH p, count(DISTINCT q) AS contacts "
              "RETURN p.name AS name, contacts ORDER BY contacts DESC LIMIT 5")
    ensure_loaded(driver, pairs_case)
    for _ in range(2):  # whatever the storage order of this load
        right = check_answer(driver, exercise, exercise.solution, pairs_case)
        wrong = check_answer(driver, exercise, untied, pairs_case)
        assert right.passed and wrong.status is Status.FAILED, wrong
        assert "order" in wrong.feedback and "Lee" not in wrong.feedback  # why, never the rows
        assert [t.status for t in run_batch(driver, exercise, [exercise.solution, untied], pairs_case)] == \
            [Status.PASSED, Status.FAILED]  # the preparation's fast path judges alike
        driver.execute_query("MATCH (n:Scenario) SET n.complete = false")  # the next check loads it again
