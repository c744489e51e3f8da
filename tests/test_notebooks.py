"""The notebooks under notebooks/ run from top to bottom (each in well under a minute).

Notebooks 02 and 03 also run where ``../shared/data`` is absent (a pip user's case): they
are run again from a copy in a temporary folder, where no shared data lies beside them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_aleppo_2016.ipynb",
        "02_your_own_data.ipynb",
        "03_real_control_map.ipynb",
        "04_publishing.ipynb",
    ]


def run(path: Path) -> nbformat.NotebookNode:
    """Execute a notebook in its own folder; fail on any cell error."""
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "notebooks are committed without outputs"
    )
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": path.parent}}
    )
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
    return notebook


def printed(notebook: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path):
    run(path)


@pytest.mark.parametrize(
    "name", ["02_your_own_data.ipynb", "03_real_control_map.ipynb"], ids=lambda n: n[:2]
)
def test_notebook_runs_without_the_shared_data(tmp_path: Path, name: str):
    folder = tmp_path / "project" / "notebooks"
    folder.mkdir(parents=True)
    copy = Path(shutil.copy(NOTEBOOKS[0].parent / name, folder / name))
    assert not (tmp_path / "shared").exists()
    notebook = run(copy)
    assert "../shared/data is absent" in printed(notebook)
