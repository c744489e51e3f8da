"""``read_scenario``: a folder with ``scenario.toml``, the manifest itself, or a GeoPackage."""

from __future__ import annotations

import glob
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
from ..scenario.snapshots import date_in_name, zones_from_snapshots
from ..schema import LAYER_NAMES, SIDE_KINDS, PopulationRaster
from .files import read_layer
from .geopackage import read_geopackage
from .manifest import LayerSource, layer_sources, load_manifest

__all__ = ["read_scenario"]

log = logging.getLogger(__name__)

MANIFEST_NAME = "scenario.toml"
#: Keys of a ``[sides.<side>]`` table.
SIDE_KEYS: tuple[str, ...] = ("rear", "kind", "holds_rest")


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
        root = manifest_path.parent
        parts = _manifest_parts(load_manifest(manifest_path), problems)
        sources = layer_sources(
            parts.pop("layers", {}),
            root=root,
            allow_outside=allow_outside,
            problems=problems,
        )
        parts["layers"], parts["population_rasters"] = _read_sources(sources, problems)
        parts["holds_rest"] = _read_boundaries(
            parts.pop("rest_sources"), root=root, allow_outside=allow_outside, problems=problems
        )
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
    contested: list[str] = []
    rest_sources: dict[str, Any] = {}
    for side, table in typed("sides", dict, {}, "a table of [sides.<side>] tables").items():
        if not isinstance(table, Mapping) or set(table) - set(SIDE_KEYS):
            problems.append(
                Problem(
                    "manifest",
                    f"[sides.{side}] holds {', '.join(SIDE_KEYS)} (rear = [[lon, lat], ...], "
                    'kind = "contested", holds_rest = "boundary.geojson")',
                    column="sides",
                    value=table,
                )
            )
            continue
        points = table.get("rear", [])
        if not isinstance(points, list):
            problems.append(
                Problem(
                    "manifest",
                    f"[sides.{side}] rear = [[lon, lat], ...]",
                    column="sides",
                    value=table,
                )
            )
        else:
            rear[side] = points
        kind = table.get("kind", "holding")
        if kind not in SIDE_KINDS:
            problems.append(
                Problem("sides", f"kind must be one of {', '.join(SIDE_KINDS)}", side, "kind", kind)
            )
        elif kind == "contested":
            contested.append(side)
        if "holds_rest" in table:
            rest_sources[side] = table["holds_rest"]
    return {
        "name": manifest.get("name", ""),
        "description": typed("description", str, "", "a text"),
        "sources": tuple(typed("sources", list, [], "a list of texts", items=str)),
        "extent": manifest.get("extent"),
        "parties": typed("parties", list, [], "an array of [[parties]] tables", items=dict),
        "relations": typed("relations", list, [], "an array of [[relations]] tables", items=dict),
        "rear": rear,
        "contested": tuple(contested),
        "rest_sources": rest_sources,
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
        elif source.snapshots:
            if (zones := _read_snapshots(source, problems)) is not None:
                layers[source.name] = zones
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


def _read_snapshots(source: LayerSource, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    """Zones from the dated control maps matching the source's pattern.

    Each file's date is read from its name (``YYYY-MM-DD`` or ``YYYYMMDD``) or, when its
    name carries none, from its ``date`` column.
    """
    files = sorted(Path(p) for p in glob.glob(str(source.path)))
    if not files:
        problems.append(
            Problem(
                source.name,
                "no snapshot file matches the pattern",
                column="snapshots",
                value=str(source.path),
            )
        )
        return None
    maps: dict[str, gpd.GeoDataFrame] = {}
    dated_frames: list[gpd.GeoDataFrame] = []
    before = len(problems)
    for path in files:
        one = LayerSource(source.name, path, layer=source.layer, crs=source.crs)
        frame = read_layer(one, problems)
        if frame is None:
            continue
        day = date_in_name(path.name)
        if day is not None:
            if day.isoformat() in maps:
                problems.append(
                    Problem(
                        source.name,
                        f"two snapshot files for {day.isoformat()}",
                        path.name,
                        "snapshots",
                        str(path),
                    )
                )
                continue
            maps[day.isoformat()] = frame.drop(columns="date", errors="ignore")
        elif "date" in frame:
            dated_frames.append(frame)
        else:
            problems.append(
                Problem(
                    source.name,
                    "the snapshot's file name carries no date (YYYY-MM-DD or YYYYMMDD) and "
                    "it has no date column",
                    path.name,
                    "date",
                    str(path),
                )
            )
    if len(problems) > before:
        return None
    party = source.options.get("party")
    party_column = source.options.get("party_column")
    try:
        parts = [zones_from_snapshots(maps, party=party, party_column=party_column)] if maps else []
        for frame in dated_frames:
            parts.append(zones_from_snapshots(frame, party=party, party_column=party_column))
    except ScenarioError as error:
        problems.extend(error.problems)
        return None
    if len(parts) == 1:
        return parts[0]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)


def _read_boundaries(
    sources: dict[str, Any], *, root: Path, allow_outside: bool, problems: list[Problem]
) -> dict[str, gpd.GeoDataFrame]:
    """The ``holds_rest`` boundary of each side (``{ path, layer }`` or a path)."""
    out = {}
    for side, entry in sources.items():
        name = f"sides.{side}.holds_rest"
        found = layer_sources(
            {name: entry}, root=root, allow_outside=allow_outside, problems=problems
        )
        for source in found:
            frame = read_layer(source, problems)
            if frame is not None:
                out[side] = frame
    return out


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
