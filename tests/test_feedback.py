"""Every message a trainee can see about an answer (linklab.feedback) is rendered here, from the comparison
that produces it, and read for the words a non-programmer would stumble on."""

from __future__ import annotations

import re

import pytest

from linklab import feedback
from linklab.grade.compare import CompareSpec, Expected, compare

TWO = CompareSpec(mode="multiset", columns=2)
TOP2 = CompareSpec(mode="topk", columns=2)
TOP1 = CompareSpec(mode="topk", columns=2)
EXPECTED = Expected([("Ana", 13), ("Ben", 17)])

# reason code -> (expected, returned rows, spec): each comparison that gives that reason
CASES = {
    "correct": (EXPECTED, [["Ben", 17], ["Ana", 13]], TWO),
    "columns": (EXPECTED, [["Ana", 13, "x"]], TWO),
    "numbers_differ": (EXPECTED, [["Ana", 14], ["Ben", 17]], TWO),
    "missing_and_extra": (EXPECTED, [["Ana", 13], ["Cid", 12], ["Cid", 12]], TWO),
    "missing": (EXPECTED, [["Ana", 13]], TWO),
    "extra": (EXPECTED, [["Ana", 13], ["Ben", 17], ["Cid", 15]], TWO),
    "order": (Expected([("a",), ("b",)]), [["b"], ["a"]], CompareSpec(mode="ordered", columns=1)),
    "top_count": (EXPECTED, [["Ana", 13]], TOP2),
    "top_one_count": (Expected([("Ana", 3)]), [["Ana", 3], ["Ben", 1]], TOP1),
    "top_repeats": (EXPECTED, [["Ana", 13], ["Ana", 13]], TOP2),
    "top_wrong": (EXPECTED, [["Ana", 13], ["Cid", 11]], TOP2),
    "top_one_wrong": (Expected([("Ana", 3)]), [["Ben", 3]], TOP1),
    "top_missing": (Expected([("Ana", 9), ("Ben", 7)], tied=[("Ben", 7), ("Cid", 7)]), [["Ben", 7], ["Cid", 7]], TOP2),
    "single": (Expected([(4,)]), [[4], [4]], CompareSpec(mode="scalar", columns=1)),
    "value": (Expected([(4,)]), [[3]], CompareSpec(mode="scalar", columns=1)),
}


def test_every_message_has_a_case():
    assert set(CASES) == set(feedback.MESSAGES)


@pytest.mark.parametrize("reason", sorted(feedback.MESSAGES))
def test_each_message_reads_well_and_never_gives_the_answer(reason):
    expected, got, spec = CASES[reason]
    verdict = compare(expected, got, spec)
    assert verdict.reason == reason and verdict.passed == (reason == "correct")
    text = verdict.feedback
    assert "row(s)" not in text and "(s)" not in text and not re.search(r"\btop \d", text)
    assert "{" not in text and text[0].isupper() and text.endswith(".")
    returned = {str(v) for row in got for v in row}
    for row in expected.rows + expected.tied:  # values the trainee did not return are never named
        for value in row:
            assert str(value) in returned or str(value) not in text, (reason, value, text)
    # no count taken from the expected answer: only the trainee's own count and the prompt's k or columns
    allowed = {str(len(got)), str(len(got[0]) if got else 0), str(len(expected.rows)) if spec.mode == "topk" else "",
               str(spec.columns)} | returned
    assert set(re.findall(r"\d+", text)) <= allowed, (reason, text)
    assert not re.search(r"DISTINCT|ORDER BY|LIMIT|count\(|>=", text), (reason, text)  # no code to copy


def test_the_names_are_right_but_a_number_differs_in_top_k_too():
    verdict = compare(Expected([("Ana", 3)]), [["Ana", 4]], TOP1)
    assert verdict.reason == "numbers_differ" and "names are right" in verdict.feedback


@pytest.mark.parametrize("message", [feedback.PASSED, feedback.OWN_FAILED, feedback.OWN_REFUSED,
                                     feedback.HIDDEN_REFUSED, feedback.HARD_CODED, feedback.HIDDEN_WRONG,
                                     feedback.NOT_SUBMITTED])
def test_verdict_messages(message):
    text = message.format(hidden=2, hidden_scenarios="scenarios", feedback="Correct.", what="Something differs.")
    assert "(s)" not in text and "{" not in text and text[0].isupper()


@pytest.mark.parametrize("reason", sorted(feedback.HIDDEN_REASONS))
def test_what_went_wrong_on_a_hidden_world_carries_nothing_of_it(reason):
    text = feedback.hidden_reason(reason)
    assert not re.search(r"\d", text) and text.startswith("On this hidden scenario") and text.endswith(".")


def test_a_known_mistake_is_said_of_your_answer():
    assert feedback.known_mistake("follows MESSAGED the other way round").endswith(
        "your answer follows MESSAGED the other way round.")
    assert "your answer your answer" not in feedback.known_mistake("your answer counts accounts.")


@pytest.mark.parametrize("code", sorted(feedback.REFUSALS))
def test_each_refusal_reads_as_a_sentence(code):
    text = feedback.refusal(code, length=25_000, limit=20_000, name="apoc.load", detail="Unknown function 'x'.",
                            kind="writes", names="LoadCSV", max_rows=10_000, seconds=10, mib=1024,
                            what="SHOW TRANSACTIONS")
    assert "{" not in text.replace("CALL { }", "") and text[0].isupper() and text.rstrip(".'").strip()
    assert "row(s)" not in text and "(s)" not in text


def test_the_guard_speaks_only_through_the_catalogue():
    """Every refusal the guard and the engine raise is built from linklab.feedback, never written inline."""
    from pathlib import Path

    root = Path(feedback.__file__).parent / "grade"
    for name in ("guard.py", "engine.py", "evaluate.py", "worlds.py", "allow.py"):
        for line in (root / name).read_text().splitlines():
            if "Refused(" in line and "class Refused" not in line and "except" not in line:
                assert any(word in line for word in ("refusal(", "syntax_error", "parse_error", "str(found)")), line
