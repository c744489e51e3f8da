"""``write_scenario``: a folder (``scenario.toml`` and one GeoJSON per layer) or a GeoPackage."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyogrio

from .convert import dates_as_text, plain_records, raster_entries, rear_by_side, rules_changes
from .geopackage import write_geopackage
from .manifest import dump_toml
from .reader import MANIFEST_NAME

if TYPE_CHECKING:
    from ..scenario.model import Scenario

__all__ = ["write_scenario"]


def write_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> Path:
    """Write a scenario so that :func:`read_scenario` reads it back unchanged.

    Parameters
    ----------
    scenario : Scenario
        The scenario to write.
    path : str or path-like
        A ``.gpkg`` file (one GeoPackage holding every layer and the ``parties``,
        ``relations`` and ``metadata`` tables), or a folder, created if needed, that
        receives ``scenario.toml`` and one GeoJSON file per layer.

    Returns
    -------
    Path
        The GeoPackage or the folder written.

    Notes
    -----
    Existing files of the same names are replaced. Dates are written as ISO
    ``YYYY-MM-DD`` text, empty where open. Population rasters are not copied: the manifest
    refers to them by absolute path, so reading the copy back needs
    ``read_scenario(..., allow_outside=True)`` unless the rasters lie in its folder.
    Free ``metadata`` values must be TOML values (text, numbers, lists, tables).

    Examples
    --------
    >>> import tempfile, geoaccess as ga
    >>> scn = ga.datasets.aleppo_2016()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ga.read_scenario(ga.write_scenario(scn, f"{folder}/copy.gpkg")).equals(scn)
    True
    """
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        return write_geopackage(scenario, path)
    path.mkdir(parents=True, exist_ok=True)
    files: dict[str, Any] = {}
    for name, layer in scenario.layers.items():
        target = path / f"{name}.geojson"
        target.unlink(missing_ok=True)
        frame = dates_as_text(layer)
        kind = None if len(frame) else "Unknown"
        pyogrio.write_dataframe(frame, target, driver="GeoJSON", geometry_type=kind)
        files[name] = target.name
    rasters = raster_entries(scenario)
    if rasters:
        files["population"] = [{"path": files["population"]}] if "population" in files else []
        files["population"] += rasters
    (path / MANIFEST_NAME).write_text(dump_toml(_manifest(scenario, files)), encoding="utf-8")
    return path


def _manifest(scenario: Scenario, files: dict[str, Any]) -> dict[str, Any]:
    relations = [
        {"sides": [a, b], "relation": rel}
        for a, b, rel in scenario.relations[["side_a", "side_b", "relation"]].itertuples(
            index=False
        )
    ]
    return {
        "name": scenario.name,
        "description": scenario.description or None,
        "sources": list(scenario.sources) or None,
        "extent": list(scenario.declared_extent) if scenario.declared_extent else None,
        "parties": plain_records(scenario.parties),
        "relations": relations or None,
        "sides": _sides(scenario) or None,
        "rules": rules_changes(scenario.rules) or None,
        "metadata": dict(scenario.metadata) or None,
        "layers": files,
    }


def _sides(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The ``[sides.<side>]`` tables: rear anchors and contested sides."""
    sides: dict[str, dict[str, Any]] = {
        side: {"rear": points} for side, points in rear_by_side(scenario).items()
    }
    for side in scenario.contested:
        sides.setdefault(side, {})["kind"] = "contested"
    return sides
