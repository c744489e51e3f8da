"""``read_scenario``: a folder with ``scenario.toml``, the manifest itself, or a GeoPackage."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ..errors import Problem, ScenarioError
from ..scenario.model import Scenario
from ..scenario.prepare import prepare_scenario
from ..schema import LAYER_NAMES, PopulationRaster
from .files import read_layer
from .geopackage import read_geopackage
from .manifest import LayerSource, layer_sources, load_manifest

__all__ = ["read_scenario"]

log = logging.getLogger(__name__)

MANIFEST_NAME = "scenario.toml"


def read_scenario(path: str | os.PathLike[str], *, allow_outside: bool = False) -> Scenario:
    """Read a scenario from a folder, its ``scenario.toml``, or a GeoPackage.

    Every layer that can be read is read, then the whole scenario is validated: all fatal
    problems (files missing or unreadable, layers without CRS, unknown parties, bad dates,
    overlapping zones...) are raised together in one :class:`~geoaccess.ScenarioError`.
    Repairs (invalid rings, 3D coordinates, mixed CRSs) are reported in one
    :class:`~geoaccess.ScenarioWarning`.

    Parameters
    ----------
    path : str or path-like
        A folder holding ``scenario.toml``, a ``.toml`` manifest, or a ``.gpkg`` file.
    allow_outside : bool, default False
        Whether the manifest may name files outside the scenario's folder (``../x.csv``
        or absolute paths). Leave it off for manifests you did not write yourself.

    Returns
    -------
    Scenario
        Layers in EPSG:4326, dates parsed, geometries valid.

    Raises
    ------
    ScenarioError
        Listing every fatal problem, each naming its layer, row and column.

    Examples
    --------
    >>> import geoaccess as ga
    >>> scn = ga.read_scenario(ga.datasets.data_path("aleppo_2016"))
    >>> scn.zones.crs.to_epsg()
    4326
    """
    path = Path(path)
    problems: list[Problem] = []
    if path.suffix.lower() == ".gpkg":
        if not path.is_file():
            raise ScenarioError([Problem("manifest", "GeoPackage not found", value=str(path))])
        parts = read_geopackage(path, allow_outside=allow_outside, problems=problems)
    else:
        manifest_path = path / MANIFEST_NAME if path.is_dir() else path
        if not manifest_path.is_file():
            msg = f"no scenario here: expected a folder with {MANIFEST_NAME}, a .toml or a .gpkg"
            raise ScenarioError([Problem("manifest", msg, value=str(path))])
        parts = _manifest_parts(load_manifest(manifest_path), problems)
        sources = layer_sources(
            parts.pop("layers", {}),
            root=manifest_path.parent,
            allow_outside=allow_outside,
            problems=problems,
        )
        parts["layers"], parts["population_rasters"] = _read_sources(sources, problems)
    layers = parts.pop("layers")
    log.info("read scenario %r from %s (%s)", parts.get("name"), path, ", ".join(layers))
    return prepare_scenario(
        Scenario, zones=layers.pop("zones", None), layers=layers, problems=problems, **parts
    )


def _manifest_parts(manifest: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """The arguments of :func:`prepare_scenario` held by the manifest itself."""

    def typed(key: str, kind: type, default: Any, hint: str, *, items: type = object) -> Any:
        value = manifest.get(key, default)
        if not isinstance(value, kind) or (
            isinstance(value, list) and not all(isinstance(v, items) for v in value)
        ):
            problems.append(Problem("manifest", f"{key} must be {hint}", column=key, value=value))
            return default
        return value

    rear: dict[str, Any] = {}
    for side, table in typed("sides", dict, {}, "a table of [sides.<side>] tables").items():
        points = table.get("rear", []) if isinstance(table, Mapping) else None
        if not isinstance(points, list) or set(table) - {"rear"}:
            problems.append(
                Problem(
                    "manifest",
                    f"[sides.{side}] holds only rear = [[lon, lat], ...]",
                    column="sides",
                    value=table,
                )
            )
            continue
        rear[side] = points
    return {
        "name": manifest.get("name", ""),
        "description": typed("description", str, "", "a text"),
        "sources": tuple(typed("sources", list, [], "a list of texts", items=str)),
        "extent": manifest.get("extent"),
        "parties": typed("parties", list, [], "an array of [[parties]] tables", items=dict),
        "relations": typed("relations", list, [], "an array of [[relations]] tables", items=dict),
        "rear": rear,
        "rules": typed("rules", dict, {}, "a table of rule = value"),
        "metadata": typed("metadata", dict, {}, "a table of key = value"),
        "layers": manifest.get("layers", {}),
    }


def _read_sources(
    sources: list[LayerSource], problems: list[Problem]
) -> tuple[dict[str, gpd.GeoDataFrame], tuple[PopulationRaster, ...]]:
    """Read every layer file; population estimates are gathered into one layer."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    estimates: list[tuple[gpd.GeoDataFrame, str]] = []  # with the file's name
    rasters: list[PopulationRaster] = []
    for source in sources:
        if source.name not in LAYER_NAMES:
            problems.append(
                Problem(
                    source.name,
                    f"unknown layer; layers are {', '.join(LAYER_NAMES)}",
                    column="layers",
                )
            )
        elif source.raster:
            if not source.path.is_file():
                problems.append(
                    Problem(
                        source.name,
                        "raster file not found",
                        column="raster",
                        value=str(source.path),
                    )
                )
            else:
                rasters.append(
                    PopulationRaster(source.path, source.source or source.path.stem, source.band)
                )
        elif (frame := read_layer(source, problems)) is not None:
            if source.name != "population":
                layers[source.name] = frame
                continue
            if source.source is not None:
                present = (
                    frame["source"] if "source" in frame else pd.Series(None, index=frame.index)
                )
                frame["source"] = present.where(present.notna(), source.source)
            estimates.append((frame, source.path.stem))
    if len(estimates) == 1:
        layers["population"] = estimates[0][0]
    elif estimates:
        layers["population"] = _concat_estimates(estimates)
    return layers, tuple(rasters)


def _concat_estimates(estimates: list[tuple[gpd.GeoDataFrame, str]]) -> gpd.GeoDataFrame:
    """Several vector estimates as one layer, each row tagged with its ``source``.

    An estimate without a ``source`` (in the manifest or the file) is named after its file.
    """
    crs = estimates[0][0].crs
    frames = []
    for frame, stem in estimates:
        if "source" not in frame:
            frame = frame.assign(source=stem)
        else:
            frame = frame.assign(source=frame["source"].where(frame["source"].notna(), stem))
        frames.append(frame.to_crs(crs) if frame.crs != crs else frame)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs)
