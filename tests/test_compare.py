"""Result comparison: multiset, order, top-k with ties, scalars, tolerance, column order; feedback that
never contains the expected values."""

from linklab.grade.compare import CompareSpec, Expected, compare

TWO = CompareSpec(mode="multiset", columns=2)


def test_multiset_ignores_row_and_column_order():
    expected = Expected([("Ana", 3), ("Ben", 1)])
    assert compare(expected, [[1, "Ben"], [3, "Ana"]], TWO).passed


def test_fixed_columns_respect_the_order():
    spec = CompareSpec(mode="multiset", columns=2, fixed_columns=True)
    expected = Expected([("Ana", "Ben")])
    assert compare(expected, [["Ana", "Ben"]], spec).passed
    assert not compare(expected, [["Ben", "Ana"]], spec).passed


def test_missing_extra_and_duplicate_rows_are_said_without_values_or_counts():
    expected = Expected([("Ana", 3), ("Ben", 1)])
    verdict = compare(expected, [["Ana", 3], ["Ana", 3], ["Cid", 2]], TWO)
    assert not verdict.passed
    assert verdict.reason == "missing_and_extra"
    assert "expected results are missing" in verdict.feedback and "should not be there" in verdict.feedback
    assert "more than once" in verdict.feedback
    assert "Ben" not in verdict.feedback and not any(ch.isdigit() for ch in verdict.feedback)


def test_wrong_column_count():
    verdict = compare(Expected([("Ana", 3)]), [["Ana", 3, "x"]], TWO)
    assert not verdict.passed and verdict.reason == "columns"
    assert verdict.feedback.startswith("Your answer returns 3 columns; this exercise asks for 2 columns")


def test_floats_within_tolerance_even_across_a_rounding_boundary():
    spec = CompareSpec(mode="multiset", columns=2, tolerance=1e-4)
    expected = Expected([("crew", 0.12344999)])
    assert compare(expected, [["crew", 0.12345001]], spec).passed
    assert not compare(expected, [["crew", 0.1236]], spec).passed


def test_integer_and_float_values_compare_as_numbers():
    assert compare(Expected([("a", 2)]), [["a", 2.0]], TWO).passed


def test_ordered_mode():
    spec = CompareSpec(mode="ordered", columns=1)
    expected = Expected([("a",), ("b",)])
    assert compare(expected, [["a"], ["b"]], spec).passed
    verdict = compare(expected, [["b"], ["a"]], spec)
    assert not verdict.passed and "wrong order" in verdict.feedback


def test_topk_with_ties_accepts_any_tied_row():
    spec = CompareSpec(mode="topk", columns=2)
    expected = Expected(rows=[("Ana", 9), ("Ben", 7)], tied=[("Ben", 7), ("Cid", 7)])
    assert compare(expected, [["Ana", 9], ["Cid", 7]], spec).passed
    assert compare(expected, [["Ben", 7], ["Ana", 9]], spec).passed
    assert not compare(expected, [["Ben", 7], ["Cid", 7]], spec).passed  # Ana must be there
    assert not compare(expected, [["Ana", 9]], spec).passed  # LIMIT 1 where 2 are wanted
    assert not compare(expected, [["Ana", 9], ["Dan", 7]], spec).passed


def test_scalar_says_the_trainees_value_not_the_expected_one():
    spec = CompareSpec(mode="scalar", columns=1)
    assert compare(Expected([(4,)]), [[4]], spec).passed
    verdict = compare(Expected([(4,)]), [[3]], spec)
    assert not verdict.passed and "3" in verdict.feedback and "4" not in verdict.feedback
    assert "one single value" in compare(Expected([(4,)]), [[4], [4]], spec).feedback


def test_lists_compare_as_sequences():
    spec = CompareSpec(mode="multiset", columns=1)
    expected = Expected([(("w1", "w2", "w3"),)])
    assert compare(expected, [[["w1", "w2", "w3"]]], spec).passed
    assert not compare(expected, [[["w2", "w3"]]], spec).passed


def test_maps_are_compared_by_content():
    spec = CompareSpec(mode="multiset", columns=1)
    expected = Expected([((("a", 1), ("b", 2)),)])
    assert compare(expected, [[{"b": 2, "a": 1}]], spec).passed


def test_a_ranked_top_k_needs_the_highest_first_and_takes_ties_in_any_order():
    spec = CompareSpec(mode="topk", columns=2, ranked=True)
    expected = Expected([("Ana", 9), ("Ben", 7), ("Cid", 7)], tied=[("Ben", 7), ("Cid", 7), ("Dan", 7)])
    assert compare(expected, [["Ana", 9], ["Cid", 7], ["Dan", 7]], spec).passed
    assert compare(expected, [["Ana", 9], ["Ben", 7], ["Cid", 7]], spec).passed
    wrong = compare(expected, [["Ben", 7], ["Ana", 9], ["Cid", 7]], spec)
    assert not wrong.passed and wrong.reason == "order"
    assert compare(expected, [["Ben", 7], ["Ana", 9], ["Cid", 7]], CompareSpec(mode="topk", columns=2)).passed
