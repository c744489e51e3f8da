"""Reading one layer file: anything GDAL reads, or CSV with lon/lat or WKT geometries.

Files in formats of their own (ACLED and UCDP event tables, COD-AB boundaries,
OpenStreetMap extracts) are handed to their readers.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from ..crs import WGS84
from ..errors import Problem, ScenarioError, ScenarioWarning
from ..schema import LAYERS
from .acled import read_acled
from .codab import cod_ab_areas
from .manifest import LayerSource
from .osm import read_osm_roads
from .ucdp import read_ucdp_ged

__all__ = ["read_layer"]

log = logging.getLogger(__name__)

#: Columns read from CSV as text whatever they hold (ids such as "007" stay as written).
TEXT_COLUMNS: tuple[str, ...] = (
    "party",
    "corridor_id",
    "area_id",
    "facility_id",
    "pcode",
    "announced_by",
    "kind",
    "status",
    "valid_from",
    "valid_to",
    "date",
)
#: Errors GDAL, pandas and the file system raise on a file that cannot be read.
READ_ERRORS = (OSError, RuntimeError, ValueError, UnicodeDecodeError, pd.errors.ParserError)


def read_layer(source: LayerSource, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    """Read the file of one layer; ``None`` (and problems appended) when it cannot be used.

    Parameters
    ----------
    source : LayerSource
        The layer's file, sub-layer and declared CRS.
    problems : list of Problem
        Fatal problems found are appended here.

    Returns
    -------
    GeoDataFrame or None
        The layer in its own CRS (the manifest's CRS set when the file declares none).

    Raises
    ------
    ImportError
        When the format needs an extra that is not installed (``"osm"``: pyrosm).
    """
    name, path = source.name, source.path
    if source.format == "osm" and name != "roads":
        problems.append(
            Problem(
                name,
                'format "osm" reads the roads of an OpenStreetMap extract: use it for the '
                "roads layer only",
                column="format",
                value=source.format,
            )
        )
        return None
    if not path.is_file():
        problems.append(
            Problem(
                name,
                "file not found; check the path in the manifest",
                column="path",
                value=str(path),
            )
        )
        return None
    if source.format == "acled":
        return _read_acled(source, problems)
    if source.format == "ucdp":
        return _read_ucdp(source, problems)
    if source.format == "osm":
        return _read_osm(source, problems)
    declared = _declared_crs(source, problems)
    if declared is False:
        return None
    try:
        if path.suffix.lower() in (".csv", ".txt", ".tsv"):
            frame = _read_csv(source, problems)
        else:
            frame = _read_gdal(source, problems)
    except READ_ERRORS as error:
        problems.append(
            Problem(name, f"cannot read the file: {error}", column="path", value=str(path))
        )
        return None
    if frame is None:
        return None
    if declared is not None:
        if frame.crs is None:
            frame = frame.set_crs(declared)
        elif not frame.crs.equals(declared):
            problems.append(
                Problem(
                    name,
                    f"the manifest declares {declared.to_string()} but the file is in "
                    f"{frame.crs.to_string()}; remove crs from the manifest or fix the file",
                    column="crs",
                    value=source.crs,
                )
            )
            return None
    if frame.crs is None:
        problems.append(
            Problem(
                name,
                "layer without CRS; declare it in the manifest: "
                f'{name} = {{ path = "{path.name}", crs = "EPSG:4326" }}',
                column="crs",
                value=str(path),
            )
        )
        return None
    log.debug("read %d rows of layer %s from %s", len(frame), name, path)
    if source.format == "cod-ab":
        return _as_cod_ab(frame, source, problems)
    return frame


def _as_cod_ab(
    frame: gpd.GeoDataFrame, source: LayerSource, problems: list[Problem]
) -> gpd.GeoDataFrame | None:
    options = source.options
    try:
        return cod_ab_areas(
            frame,
            level=options.get("level"),
            id_column=options.get("id_column"),
            name_column=options.get("name_column"),
            local_name_column=options.get("local_name_column"),
            layer=source.name,
        )
    except ScenarioError as error:
        problems.extend(error.problems)
    return None


def _read_osm(source: LayerSource, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    """The roads of an OpenStreetMap extract: one layer, always in EPSG:4326."""
    if source.layer is not None:
        problems.append(
            Problem(
                source.name,
                "an OpenStreetMap extract has no layers to choose from; remove layer from "
                "the manifest",
                column="layer",
                value=source.layer,
            )
        )
        return None
    declared = _declared_crs(source, problems)
    if declared is False:
        return None
    if declared is not None and not declared.equals(WGS84, ignore_axis_order=True):
        problems.append(
            Problem(
                source.name,
                "OpenStreetMap extracts are in EPSG:4326; remove crs from the manifest",
                column="crs",
                value=source.crs,
            )
        )
        return None
    try:
        return read_osm_roads(source.path, layer=source.name)
    except ScenarioError as error:
        problems.extend(error.problems)
    return None


def _read_ucdp(source: LayerSource, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    return _read_events(read_ucdp_ged, "UCDP GED file", source, problems)


def _read_acled(source: LayerSource, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    return _read_events(read_acled, "ACLED export", source, problems)


def _read_events(
    reader: Callable[[Path], gpd.GeoDataFrame],
    what: str,
    source: LayerSource,
    problems: list[Problem],
) -> gpd.GeoDataFrame | None:
    """Read an event file with its own reader, its problems joining the others."""
    try:
        return reader(source.path)
    except ScenarioError as error:
        problems.extend(error.problems)
    except READ_ERRORS as error:
        problems.append(
            Problem(
                source.name,
                f"cannot read the {what}: {error}",
                column="path",
                value=str(source.path),
            )
        )
    return None


def _declared_crs(source: LayerSource, problems: list[Problem]) -> CRS | Literal[False] | None:
    if source.crs is None:
        return None
    try:
        return CRS.from_user_input(source.crs)
    except CRSError as error:
        problems.append(
            Problem(source.name, f"unknown CRS: {error}", column="crs", value=source.crs)
        )
        return False


#: GDAL open options per file suffix. GeoJSON has no date type: its driver guesses one
#: from texts that look like dates or times ("2016-07-17", "0/01/01", "12:30"), a party
#: id or a zone name included. Every text is read as written; date columns are then
#: parsed by the scenario's own rule (:func:`geoaccess.temporal.to_day_series`), as CSV
#: texts are.
OPEN_OPTIONS: dict[str, dict[str, str]] = {
    ".geojson": {"DATE_AS_STRING": "YES"},
    ".json": {"DATE_AS_STRING": "YES"},
}


def _read_gdal(source: LayerSource, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    layer = source.layer
    available = [str(row[0]) for row in pyogrio.list_layers(source.path)]
    if layer is None and len(available) > 1:
        if source.name not in available:
            problems.append(
                Problem(
                    source.name,
                    f"the file holds several layers ({', '.join(available)}); name "
                    'one: { path = "...", layer = "..." }',
                    column="layer",
                    value=str(source.path),
                )
            )
            return None
        layer = source.name
    if layer is not None and layer not in available:
        problems.append(
            Problem(
                source.name,
                f"no such layer in {source.path.name}; layers are {', '.join(available)}",
                column="layer",
                value=layer,
            )
        )
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # a geometry GEOS cannot build (a ring with a NaN coordinate is never closed)
        # is read as none, with a warning: the layer's check then names its row
        frame = pyogrio.read_dataframe(
            source.path,
            layer=layer,
            on_invalid="warn",
            **OPEN_OPTIONS.get(source.path.suffix.lower(), {}),
        )
    for message in dict.fromkeys(str(w.message) for w in caught):
        # GDAL's own warnings (a feature of unsupported type read as NULL...) name no
        # layer: pass them on as a ScenarioWarning that does
        warnings.warn(
            f"layer {source.name!r} ({source.path.name}): GDAL: {message}",
            ScenarioWarning,
            stacklevel=2,
        )
    suffix = source.path.suffix.lower()
    if suffix == ".shp":
        frame = frame.rename(columns=_untruncate(source.name, frame.columns))
    elif suffix in (".kml", ".kmz"):
        frame = _tidy_kml(frame)
    return frame


#: Columns GDAL adds to every KML placemark.
KML_HOUSEKEEPING = (
    "id",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
)


def _tidy_kml(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn GDAL's KML placemarks into a plain layer.

    Placemark ``Name`` becomes ``name`` and a TimeSpan ``begin``/``end`` the validity; the
    zero altitudes KML gives every vertex and GDAL's styling columns are dropped.
    """
    renames = {"Name": "name", "begin": "valid_from", "end": "valid_to"}
    frame = frame.rename(columns={k: v for k, v in renames.items() if v not in frame})
    empty = [
        c
        for c in ("Name", "description", "timestamp", "begin", "end")
        if c in frame and frame[c].isna().all()
    ]
    frame = frame.drop(columns=[c for c in KML_HOUSEKEEPING if c in frame])
    frame = frame.drop(columns=empty)
    geoms = np.asarray(frame.geometry.values)
    coords = shapely.get_coordinates(geoms, include_z=True)
    if shapely.has_z(geoms).any() and np.nan_to_num(coords[:, 2]).max(initial=0) == 0:
        frame = frame.set_geometry(shapely.force_2d(geoms), crs=frame.crs)
    return frame


def _untruncate(name: str, columns: pd.Index) -> dict[str, str]:
    """Shapefile column names are cut to 10 characters: map them back to the layer's own."""
    expected = LAYERS[name].columns if name in LAYERS else ()
    renames = {}
    for column in columns:
        if len(column) == 10 and column not in expected:
            matches = [c for c in expected if c.startswith(column)]
            if len(matches) == 1 and matches[0] not in columns:
                renames[column] = matches[0]
    return renames


def _read_csv(source: LayerSource, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    sep = "\t" if source.path.suffix.lower() == ".tsv" else ","
    table = pd.read_csv(
        source.path, sep=sep, dtype=dict.fromkeys(TEXT_COLUMNS, str), encoding="utf-8-sig"
    )
    table.columns = [str(c).strip() for c in table.columns]
    name = source.name
    if "geometry" in table:
        text = table.pop("geometry")
        with warnings.catch_warnings():
            # "POINT (1e400 0)" overflows to infinity: reported below as non-finite, once
            warnings.simplefilter("ignore", RuntimeWarning)
            geoms = shapely.from_wkt(
                text.astype(object).where(text.notna(), None).to_numpy(), on_invalid="ignore"
            )
        bad = shapely.is_missing(geoms) & text.notna().to_numpy()
        for row in table.index[bad]:
            problems.append(Problem(name, "unparseable WKT geometry", row, "geometry", text[row]))
    elif "lon" in table and "lat" in table:
        coords = {c: pd.to_numeric(table[c], errors="coerce") for c in ("lon", "lat")}
        bad = np.zeros(len(table), dtype=bool)
        for column, values in coords.items():
            wrong = ~np.isfinite(values.to_numpy(dtype=float))
            for row in table.index[wrong]:
                problems.append(
                    Problem(name, "coordinate must be a number", row, column, table.at[row, column])
                )
            bad |= wrong
        geoms = shapely.points(np.column_stack([coords["lon"], coords["lat"]]))
        table = table.drop(columns=["lon", "lat"])
    else:
        problems.append(
            Problem(
                name,
                "a CSV layer needs lon and lat columns or a WKT geometry column "
                f"(columns found: {', '.join(table.columns)})",
                column="geometry",
                value=str(source.path),
            )
        )
        return None
    # rows reported above are left out: the scenario will not load, and they would only be
    # reported a second time as features without geometry
    keep = ~bad
    return gpd.GeoDataFrame(
        table[keep], geometry=gpd.GeoSeries(geoms[keep], index=table.index[keep])
    )
