"""A whole scenario in one GeoPackage.

Spatial tables carry the layers under their own names (``zones``, ``corridors``...);
non-spatial tables carry ``parties`` (id, name, side, color), ``relations`` (side_a,
side_b, relation) and ``metadata`` (key, value), whose values are JSON: ``name``,
``description``, ``sources``, ``extent``, ``rules``, ``rear`` (``{side: [[lon, lat]]}``),
``population_rasters`` and the scenario's free ``metadata``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyogrio

from ..errors import Problem
from ..schema import LAYER_NAMES, PopulationRaster
from .convert import dates_as_text, raster_entries, rear_by_side, rules_changes
from .files import READ_ERRORS
from .manifest import layer_sources

if TYPE_CHECKING:
    from ..scenario.model import Scenario

__all__ = ["read_geopackage", "write_geopackage"]

TABLES: tuple[str, ...] = ("parties", "relations", "metadata")
METADATA_KEYS: tuple[str, ...] = (
    "name",
    "description",
    "sources",
    "extent",
    "rules",
    "rear",
    "contested",
    "population_rasters",
    "metadata",
)


def read_geopackage(path: Path, *, allow_outside: bool, problems: list[Problem]) -> dict[str, Any]:
    """The arguments of :func:`~geoaccess.scenario.prepare.prepare_scenario` held by a GeoPackage.

    Only the layers and ``parties`` are needed: without a ``metadata`` table the
    scenario is named after the file. Other tables (QGIS styles, for instance) are ignored.
    """
    try:
        present = {str(name) for name, _ in pyogrio.list_layers(path)}
    except READ_ERRORS as error:
        problems.append(
            Problem("manifest", f"cannot read the GeoPackage: {error}", value=str(path))
        )
        present = set()
    tables = {t: _read_table(path, t, problems) for t in TABLES if t in present}
    if "parties" not in tables:
        problems.append(
            Problem(
                "parties",
                "the GeoPackage has no parties table (id, name, side, color)",
                value=str(path),
            )
        )
    meta = _metadata(tables.get("metadata"), problems)
    layers = {}
    for name in LAYER_NAMES:
        if name in present:
            try:
                layers[name] = pyogrio.read_dataframe(path, layer=name)
            except READ_ERRORS as error:
                problems.append(Problem(name, f"cannot read the table: {error}", value=str(path)))
    rasters = layer_sources(
        {"population": meta.get("population_rasters") or []},
        root=path.parent,
        allow_outside=allow_outside,
        problems=problems,
    )
    return {
        "name": meta.get("name", path.stem),
        "description": meta.get("description") or "",
        "sources": tuple(meta.get("sources") or ()),
        "extent": meta.get("extent"),
        "parties": tables.get("parties", pd.DataFrame()),
        "relations": tables.get("relations"),
        "rear": meta.get("rear") or {},
        "contested": tuple(meta.get("contested") or ()),
        "rules": meta.get("rules") or {},
        "metadata": meta.get("metadata") or {},
        "layers": layers,
        "population_rasters": tuple(
            PopulationRaster(s.path, s.source or s.path.stem, s.band) for s in rasters
        ),
    }


def _read_table(path: Path, table: str, problems: list[Problem]) -> pd.DataFrame:
    try:
        return pyogrio.read_dataframe(path, layer=table, read_geometry=False)
    except READ_ERRORS as error:
        problems.append(Problem(table, f"cannot read the table: {error}", value=str(path)))
        return pd.DataFrame()


def _metadata(table: pd.DataFrame | None, problems: list[Problem]) -> dict[str, Any]:
    if table is None:
        return {}
    if not {"key", "value"} <= set(table.columns):
        problems.append(
            Problem(
                "metadata",
                "the metadata table needs key and value columns",
                value=", ".join(map(str, table.columns)),
            )
        )
        return {}
    out = {}
    for i, (key, text) in enumerate(zip(table["key"], table["value"], strict=True)):
        if key not in METADATA_KEYS:
            problems.append(
                Problem(
                    "metadata", f"unknown key; keys are {', '.join(METADATA_KEYS)}", i, "key", key
                )
            )
            continue
        try:
            out[key] = json.loads(text)
        except (TypeError, json.JSONDecodeError) as error:
            problems.append(Problem("metadata", f"value is not JSON ({error})", i, "value", text))
    return out


def write_geopackage(scenario: Scenario, path: Path) -> Path:
    """Write ``scenario`` to one GeoPackage at ``path`` (replaced if it exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    for name, layer in scenario.layers.items():
        frame = dates_as_text(layer)
        kind = None if len(frame) else "Unknown"
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", geometry_type=kind)
    pyogrio.write_dataframe(scenario.parties, path, layer="parties", driver="GPKG")
    if len(scenario.relations):
        pyogrio.write_dataframe(scenario.relations, path, layer="relations", driver="GPKG")
    values = {
        "name": scenario.name,
        "description": scenario.description,
        "sources": list(scenario.sources),
        "extent": list(scenario.declared_extent) if scenario.declared_extent else None,
        "rules": rules_changes(scenario.rules),
        "rear": rear_by_side(scenario),
        "contested": list(scenario.contested),
        "population_rasters": raster_entries(scenario),
        "metadata": dict(scenario.metadata),
    }
    meta = pd.DataFrame({"key": list(values), "value": [json.dumps(v) for v in values.values()]})
    pyogrio.write_dataframe(meta, path, layer="metadata", driver="GPKG")
    return path
