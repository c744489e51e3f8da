"""``bench_real`` names every unit whose status differs, and back-ports the sliver rule."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import shapely

from benchmarks.bench_real import (
    BEFORE,
    SLIVER_RULE,
    SLIVERS_HOSTILE,
    _assess_rows,
    agreement,
    with_sliver_rule,
)
from geoaccess.engine.territory import opening
from geoaccess.polygons import merged
from geoaccess.rules import Rules


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


def _tree(root: Path, sides_text: str) -> Path:
    (root / "geoaccess" / "engine").mkdir(parents=True)
    (root / "geoaccess" / "engine" / "sides.py").write_text(sides_text, encoding="utf-8")
    return root


def test_sliver_rule_replaces_the_line_that_made_every_unmapped_sliver_hostile(
    tmp_path: Path,
) -> None:
    head = "def _view(ctx, covered, pieces, rules):\n    if rules.unmapped == 'hostile':\n"
    before = head + SLIVERS_HOSTILE + "    return pieces\n"
    tree = _tree(tmp_path / "before", before)
    fixed = with_sliver_rule(tree, tmp_path / "fixed")
    assert fixed == tmp_path / "fixed"
    text = (fixed / "geoaccess" / "engine" / "sides.py").read_text(encoding="utf-8")
    assert SLIVERS_HOSTILE not in text
    assert SLIVER_RULE in text
    compile(text, "sides.py", "exec")  # still Python
    # the tree before is left as it was
    assert (tree / "geoaccess" / "engine" / "sides.py").read_text(encoding="utf-8") == before


def test_sliver_rule_is_not_applied_to_another_tree(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "other", "def _view():\n    return None\n")
    assert with_sliver_rule(tree, tmp_path / "fixed") is None
    assert not (tmp_path / "fixed").exists()


def test_the_commit_before_has_the_line_the_sliver_rule_replaces() -> None:
    root = Path(__file__).resolve().parent.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("needs git and this checkout's history")
    shown = subprocess.run(
        ["git", "show", f"{BEFORE}:geoaccess/engine/sides.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode:
        pytest.skip(f"{BEFORE} is not in this clone's history: {shown.stderr.strip()}")
    assert shown.stdout.count(SLIVERS_HOSTILE) == 1


def test_the_back_ported_rule_leaves_out_what_the_engine_leaves_out() -> None:
    """Run as 18c886e's ``_view`` would, the rule gives ``hostile_unmapped``'s ground.

    A 10 km frame whose zones leave unmapped a 20 m band along the west edge (residue:
    left out), a 300 m wide bay on that edge (hostile up to the edge), and a 300 m wide
    hole and a 20 m wide slit inside the map (both hostile).
    """
    frame = shapely.box(0, 0, 10_000, 10_000)
    holes = [shapely.box(0, 0, 20, 10_000), shapely.box(4000, 4000, 4300, 6000)]
    holes += [shapely.box(6000, 4000, 6020, 6000), shapely.box(0, 8000, 300, 8500)]
    covered = shapely.difference(frame, shapely.union_all(holes))
    source = "def view(ctx, covered, rules, pieces):\n    if True:\n" + SLIVER_RULE
    namespace: dict = {"shapely": shapely}
    # our own constant, run as the tree before runs it (no user data is executed)
    exec(compile(source + "    return pieces\n", "sides.py", "exec"), namespace)
    rules = Rules()
    (got,) = namespace["view"](SimpleNamespace(frame=frame), covered, rules, [])
    unmapped = shapely.difference(frame, covered)
    edge = shapely.buffer(shapely.get_exterior_ring(frame), rules.snap_m)
    engine = merged([opening(unmapped, rules.snap_m / 2.0), shapely.difference(unmapped, edge)])
    assert shapely.symmetric_difference(got, engine).area < 1e-6
    assert not got.intersects(shapely.Point(10, 5000))  # the edge band is left out
    assert got.contains(shapely.Point(6010, 5000))  # the slit inside the map is hostile
    assert got.contains(shapely.Point(30, 8250))  # the bay, wider than snap_m, to the edge
    # the hole and the slit whole: farther than snap_m from the edge, nothing is left out
    inside = shapely.intersection(got, shapely.box(1000, 0, 10_000, 10_000))
    assert inside.area == pytest.approx(300 * 2000 + 20 * 2000, abs=1e-6)
