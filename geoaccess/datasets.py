"""Bundled example scenarios."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .io import read_scenario
from .scenario.model import Scenario

__all__ = ["aleppo_2016", "data_path"]


def data_path(name: str) -> Path:
    """Folder of a bundled scenario, in an installed wheel or a source checkout."""
    packaged = resources.files("geoaccess").joinpath("_data", "geo", name)
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "data" / "geo" / name
    if checkout.is_dir():
        return checkout
    msg = f"bundled scenario {name!r} is not installed (looked in {packaged} and {checkout})"
    raise FileNotFoundError(msg)


def aleppo_2016() -> Scenario:
    """Aleppo, 1 July to 31 December 2016: an illustrative reconstruction.

    The geometry is coarse and approximate, drawn by the geoaccess authors from public
    reporting; it is an example for learning the library, not for operational use.

    Examples
    --------
    >>> import geoaccess as ga
    >>> scn = ga.datasets.aleppo_2016()
    >>> "government" in scn.sides
    True
    """
    return read_scenario(data_path("aleppo_2016"))
