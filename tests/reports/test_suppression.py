"""Small-number suppression: primary (1–4), secondary (rank 2 follows rank 1), parent rule."""

from __future__ import annotations

from reports.suppression import is_small, suppress, suppress_table


def test_primary_rule_suppresses_one_to_four_but_not_zero() -> None:
    assert [is_small(n) for n in range(7)] == [False, True, True, True, True, False, False]


def test_secondary_rule_suppresses_the_next_smallest() -> None:
    # A's 3 could otherwise be worked out as the all-provider 53 minus B's 20 and C's 30.
    assert suppress({"A": 3, "B": 20, "C": 30}) == {"A", "B"}


def test_zero_units_are_not_ranked() -> None:
    assert suppress({"A": 0, "B": 2, "C": 12, "D": 40}) == {"B", "C"}


def test_nothing_suppressed_when_every_unit_is_large() -> None:
    assert suppress({"A": 5, "B": 6}, parent_total=11) == set()


def test_two_small_units_need_no_third() -> None:
    assert suppress({"A": 1, "B": 4, "C": 9, "D": 50}) == {"A", "B"}


def test_a_lone_suppressed_unit_is_still_suppressed() -> None:
    assert suppress({"A": 2}) == {"A"}


def test_suppressed_parent_suppresses_its_two_smallest_children() -> None:
    assert suppress({"A": 2, "B": 0, "C": 1}, parent_total=3) == {"A", "C"}


def test_threshold_is_configurable() -> None:
    # The GP Patient Survey suppresses bases below 10.
    assert suppress({"A": 7, "B": 12, "C": 30}, threshold=10) == {"A", "B"}
    assert suppress({"A": 7, "B": 12, "C": 30}, threshold=5) == set()


def test_ties_are_broken_the_same_way_every_time() -> None:
    assert suppress({"B": 3, "A": 3, "C": 9}) == {"A", "B"}
    assert suppress({"C": 6, "B": 6, "A": 2}) == {"A", "B"}


def test_a_table_protects_rows_and_columns_together() -> None:
    # Providers × channels; every row total, column total and cell is published somewhere.
    cells = {("A", "sms"): 3, ("B", "sms"): 12, ("B", "web"): 10, ("C", "sms"): 40, ("C", "web"): 9}
    hidden = suppress_table(cells)
    assert hidden.rows == {"A", "B"}  # A's 3 respondents, and B as its neighbour
    assert not hidden.total
    # A's cell (primary); B's sms (rank 2 in the sms column); B's row total is hidden, so its
    # two smallest children are too; the web column then has one hidden cell, so C's goes, and
    # then C's row has one, so C's sms goes: no published total is left with a lone hidden cell.
    assert hidden.cells == set(cells)
    for column in ("sms", "web"):
        assert len([r for r in "ABC" if (r, column) in hidden.cells]) != 1
    for row in set("ABC") - hidden.rows:
        assert len([c for c in ("sms", "web") if (row, c) in hidden.cells]) != 1
