"""The package's shape: layers checked by import-linter, no import cycles, no private imports.

The layers contract lives in ``pyproject.toml`` (``[tool.importlinter]``) and is checked
by import-linter itself; these tests run it, and add the two rules it has no contract
for: no cycle between any two modules (counting imports inside functions and under
``TYPE_CHECKING``), and no ``_private`` name imported from another module.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "geoaccess"


def test_the_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(exe).exists():
        pytest.skip('import-linter is not installed (pip install -e ".[dev]")')
    done = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def import_graph() -> tuple[list[str], list[tuple[str, str]]]:
    """Every module of the package and every import between two of them."""
    grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter")
    graph = grimp.build_graph("geoaccess", cache_dir=None)
    modules = sorted(graph.modules)
    edges = [
        (importer, imported)
        for importer in modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported in graph.modules
    ]
    return modules, edges


def cycles(modules: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Groups of modules that import one another (strongly connected, more than one)."""
    index = {m: k for k, m in enumerate(modules)}
    rows = [index[a] for a, _ in edges]
    cols = [index[b] for _, b in edges]
    matrix = sparse.coo_array((np.ones(len(edges)), (rows, cols)), shape=(len(modules),) * 2)
    _, label = connected_components(matrix, directed=True, connection="strong")
    counts = np.bincount(label)
    return [
        [m for m, lab in zip(modules, label, strict=True) if lab == group]
        for group in np.flatnonzero(counts > 1)
    ]


def test_the_cycle_finder_finds_a_cycle() -> None:
    found = cycles(["a", "b", "c"], [("a", "b"), ("b", "a"), ("b", "c")])
    assert found == [["a", "b"]]


def test_no_import_cycles_between_modules() -> None:
    modules, edges = import_graph()
    assert len(modules) > 50
    assert cycles(modules, edges) == []


def private_imports() -> list[str]:
    """``from x import _name`` (or a ``_module``) anywhere in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                ours = node.level > 0 or (node.module or "").startswith("geoaccess")
                parts = (node.module or "").split(".") if ours else []
                names = [alias.name for alias in node.names] if ours else []
                for name in [*parts, *names]:
                    if name.startswith("_") and not name.startswith("__"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("geoaccess") and any(
                        p.startswith("_") and not p.startswith("__") for p in alias.name.split(".")
                    ):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {alias.name}")
    return found


def test_no_private_name_is_imported_from_another_module() -> None:
    assert private_imports() == []
