"""``bench_real`` names every unit whose status differs, not only that some do."""

from __future__ import annotations

from benchmarks.bench_real import _assess_rows, agreement


def test_agreement_lists_differing_units_and_the_worst_clearance_of_the_rest() -> None:
    after = {"a": ["accessible", 4450.0], "p-2": ["hard_to_reach", 1475.0], "new": ["x", None]}
    before = {"a": ["accessible", 4500.0], "p-2": ["accessible", 1500.0], "gone": ["y", None]}
    differ, worst = agreement(after, before)
    assert sorted(differ) == ["gone", "new", "p-2"]
    assert worst == 50.0  # p-2's 25 m is not counted: its status differs


def test_rows_say_how_many_differ_and_the_differences_are_listed() -> None:
    ours = {"assess": {"2024-02-16": [0.5, {"a": ["accessible", 100.0]}]}}
    base = {"assess": {"2024-02-16": [2.0, {"a": ["hard_to_reach", 100.0]}]}}
    differences: list[str] = []
    (row,) = _assess_rows("Case", ours, base, differences)
    assert row[:5] == ["Case assess 2024-02-16", 0.5, 2.0, 4.0, "1 differ"]
    assert differences == ["  Case 2024-02-16 a: ['accessible', 100.0] | ['hard_to_reach', 100.0]"]
