"""Data to GeoJSON, without folium: simplified geometry and escaped properties.

Everything here is pure: frames in, plain ``dict`` feature collections out, ready to be
embedded. Geometry is simplified in metres in the result's metric CRS and rounded to a
number of decimals; every text property taken from data is escaped (:func:`esc`) and the
tooltip and popup of each feature are built here as escaped HTML (:mod:`.popups`). The
areas' own properties are in :mod:`.area_fields`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import popups
from .escape import esc, text
from .jenks import natural_breaks
from .popups import Row
from .style import (
    CORRIDOR_COLORS,
    FACILITY_SYMBOLS,
    format_date,
    format_metres,
    format_number,
    status_color,
    status_label,
)

__all__ = [
    "POPULATION_COLORS",
    "Feature",
    "change_features",
    "corridor_features",
    "facility_features",
    "feature_collection",
    "frame_features",
    "frame_rows",
    "incident_features",
    "line_features",
    "pocket_features",
    "population_classes",
    "simplify_frame",
    "zone_features",
]

Feature = dict[str, Any]
#: Sequential palette of the population classes (ColorBrewer Purples, 5 classes).
POPULATION_COLORS: tuple[str, ...] = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")


# ---------------------------------------------------------------------- geometry
def simplify_frame(
    frame: gpd.GeoDataFrame | None,
    *,
    metric_crs: Any,
    simplify_m: float = 25.0,
    precision: int = 5,
) -> gpd.GeoDataFrame:
    """Simplify a frame's geometry in metres and round its coordinates, in EPSG:4326.

    Parameters
    ----------
    frame : GeoDataFrame or None
        Any CRS (EPSG:4326 assumed when it has none); ``None`` gives an empty frame.
    metric_crs : pyproj.CRS or str
        Projected CRS the tolerance is applied in.
    simplify_m : float
        Douglas-Peucker tolerance in metres (topology preserved); 0 leaves shapes as they are.
    precision : int
        Decimals kept in longitude and latitude (5 decimals is about one metre).

    Returns
    -------
    GeoDataFrame
        A copy in EPSG:4326 with the same index, rows with empty or missing geometry dropped.

    Examples
    --------
    >>> import shapely
    >>> ring = gpd.GeoDataFrame(geometry=[shapely.Point(37.1, 36.2).buffer(0.01, 64)],
    ...                         crs=4326)
    >>> out = simplify_frame(ring, metric_crs="EPSG:32637", simplify_m=50, precision=4)
    >>> len(out.geometry.iloc[0].exterior.coords) < 257
    True
    """
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    out = frame.copy()
    if out.crs is None:
        out = out.set_crs(4326)
    geoms = np.asarray(out.geometry.array, dtype=object)
    out = out[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if simplify_m > 0 and len(out):
        metric = out.geometry.to_crs(metric_crs)
        out = out.set_geometry(metric.simplify(simplify_m, preserve_topology=True).to_crs(4326))
    else:
        out = out.to_crs(4326)
    scale = 10.0**precision
    rounded = shapely.transform(
        np.asarray(out.geometry.values, dtype=object), lambda xy: np.round(xy * scale) / scale
    )
    out = out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=4326))
    return out[~out.geometry.is_empty.to_numpy()]


def feature_collection(features: Iterable[Feature]) -> dict[str, Any]:
    """Wrap features into a GeoJSON FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(features)}


def frame_rows(frame: gpd.GeoDataFrame | pd.DataFrame) -> Iterator[tuple[Any, Row]]:
    """Each row's index label and its values as Python objects, by column.

    The geometry column, whatever its name, is keyed ``"geometry"``.

    Like ``iterrows`` without building a Series per row, which was most of the time a
    map took to build.
    """
    columns = list(frame.columns)
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    keys = ["geometry" if c == geometry else c for c in columns]
    values = [frame.iloc[:, j].tolist() for j in range(len(columns))]
    for index, row in zip(frame.index, zip(*values, strict=True), strict=True):
        yield index, dict(zip(keys, row, strict=True))


def frame_features(
    frame: gpd.GeoDataFrame, props: Callable[[Row], dict[str, Any]]
) -> list[Feature]:
    """GeoJSON features of a frame's rows, with the properties ``props`` gives each row.

    A feature's ``id`` is its position; its ``key`` property, unless ``props`` sets one, is
    its escaped index label.
    """
    out = []
    for i, (index, row) in enumerate(frame_rows(frame)):
        properties = props(row)
        properties.setdefault("key", esc(index))
        out.append(
            {
                "type": "Feature",
                "id": i,
                "properties": properties,
                "geometry": shapely.geometry.mapping(_geojson_geometry(row["geometry"])),
            }
        )
    return out


def _geojson_geometry(geom: shapely.Geometry) -> shapely.Geometry:
    """Geometry GeoJSON can carry (a LinearRing becomes a LineString)."""
    if geom.geom_type == "LinearRing":
        return shapely.LineString(geom.coords)
    return geom


# ---------------------------------------------------------------------- layers
def zone_features(
    zones: gpd.GeoDataFrame, parties: pd.DataFrame, side_colors: dict[str, str]
) -> list[Feature]:
    """Control zones coloured by side, with party name and validity in the tooltip."""
    info = parties.set_index("id")

    def props(row: Row) -> dict[str, Any]:
        party = text(row["party"])
        side = text(info["side"].get(party)) if party in info.index else ""
        party_name = text(info["name"].get(party, party)) if "name" in info else party
        color = side_colors.get(side, "#777777")
        title = text(row.get("name")) or party_name
        html = popups.detail_html(
            title,
            [
                ("Party", party_name),
                ("Side", side),
                ("Valid from", row.get("valid_from")),
                ("Valid to", row.get("valid_to")),
            ],
        )
        return {
            "side": esc(side),
            "party": esc(party),
            "color": color,
            "tooltip": f"{esc(title)} ({esc(side)})",
            "popup": html,
        }

    return frame_features(zones, props)


def pocket_features(pockets: gpd.GeoDataFrame) -> list[Feature]:
    """Pocket outlines with their status and evidence."""

    def props(row: Row) -> dict[str, Any]:
        status = text(row.get("status"))
        title = f"Pocket {text(row.get('pocket_id'))} ({text(row.get('side'))})"
        area: Any = row.get("area_km2")
        rows = [
            ("Status", status_label(status)),
            ("Parties", row.get("parties")),
            ("Area", f"{float(area):.1f} km²" if text(area) else ""),
            *popups.evidence_rows(row),
        ]
        return {
            "status": esc(status),
            "color": status_color(status),
            "tooltip": esc(title),
            "popup": popups.detail_html(title, rows, note=row.get("reason")),
        }

    return frame_features(pockets, props)


def line_features(lines: gpd.GeoDataFrame, *, kind: str) -> list[Feature]:
    """Front lines (``kind="front_lines"``), siege lines (``"siege_lines"``) or lifelines."""

    def props(row: Row) -> dict[str, Any]:
        if kind in ("front", "front_lines"):
            title = f"Front line: {text(row.get('side_a'))} / {text(row.get('side_b'))}"
            rows: list[tuple[str, Any]] = [("Length", format_metres(row.get("length_m")))]
        elif kind in ("siege", "siege_lines"):
            title = f"Siege line: {text(row.get('name')) or text(row.get('party'))}"
            rows = [("Held by", row.get("party")), ("Valid from", row.get("valid_from"))]
        else:
            title = f"Lifeline: {text(row.get('name')) or 'road segment'}"
            ids = row.get("area_ids")
            if isinstance(ids, (list, tuple, np.ndarray)):
                ids = ", ".join(text(a) for a in ids)
            rows = [
                ("Areas depending", ids),
                ("Population depending", format_number(row.get("population"))),
            ]
        return {"tooltip": esc(title), "popup": popups.detail_html(title, rows)}

    return frame_features(lines, props)


def corridor_features(corridors: gpd.GeoDataFrame) -> list[Feature]:
    """Corridors as lines entrance→exit, with entrance/exit positions and exit bearing."""

    def props(row: Row) -> dict[str, Any]:
        status = text(row.get("status"))
        name = text(row.get("name")) or text(row.get("corridor_id"))
        title = f"Corridor {name}"
        rows = [
            ("Status", status),
            ("Kind", row.get("kind")),
            ("Entrance", row.get("entrance_name")),
            ("Exit", row.get("exit_name")),
            ("Valid from", row.get("valid_from")),
            ("Valid to", row.get("valid_to")),
            ("Front-line crossings", row.get("front_line_crossings")),
            (
                "Length",
                f"{format_number(row.get('length_m'))} m" if text(row.get("length_m")) else "",
            ),
            ("Population within reach", format_number(row.get("population_within_reach"))),
        ]
        coords = np.asarray(row["geometry"].coords)
        (x0, y0), (x1, y1) = coords[0][:2], coords[-1][:2]
        xp, yp = coords[-2][:2] if len(coords) > 1 else (x0, y0)
        bearing = math.degrees(math.atan2((x1 - xp) * math.cos(math.radians(y1)), y1 - yp))
        return {
            "corridor_id": esc(row.get("corridor_id")),
            "status": esc(status),
            "color": CORRIDOR_COLORS.get(status, "#555555"),
            "dash": "6 6" if status != "open" else None,
            "tooltip": f"{esc(title)}: {esc(status)}",
            "popup": popups.detail_html(title, rows),
            "entrance": [float(y0), float(x0)],
            "exit": [float(y1), float(x1)],
            "entrance_name": esc(row.get("entrance_name") or "entrance"),
            "exit_name": esc(row.get("exit_name") or "exit"),
            "bearing": round(bearing, 1),
        }

    return frame_features(corridors, props)


def facility_features(facilities: gpd.GeoDataFrame) -> list[Feature]:
    """Facilities with a symbol by kind and their exposure."""

    def props(row: Row) -> dict[str, Any]:
        kind = text(row.get("kind"))
        name = text(row.get("name")) or text(row.get("facility_id"))
        status = text(row.get("status"))
        rows = [
            ("Kind", kind),
            ("Status where it stands", status_label(status)),
            ("Side", row.get("side")),
            (
                "Distance to front",
                f"{format_number(row.get('distance_to_front_m'))} m"
                if text(row.get("distance_to_front_m"))
                else "",
            ),
            ("Incidents nearby", row.get("incidents_nearby")),
        ]
        return {
            "kind": esc(kind),
            "symbol": FACILITY_SYMBOLS.get(kind.lower(), "•"),
            "color": status_color(status),
            "tooltip": f"{esc(name)} ({esc(kind)})",
            "popup": popups.detail_html(name, rows),
        }

    return frame_features(facilities, props)


def incident_features(incidents: gpd.GeoDataFrame) -> list[Feature]:
    """Incidents with date, kind, fatalities and actor."""

    def props(row: Row) -> dict[str, Any]:
        title = f"{text(row.get('kind')) or 'incident'} on {text(row.get('date'))}"
        rows = [
            ("Fatalities", row.get("fatalities")),
            ("Actor", row.get("actor")),
            ("Source", row.get("source")),
        ]
        return {"tooltip": esc(title), "popup": popups.detail_html(title, rows)}

    return frame_features(incidents, props)


def change_features(
    changes: gpd.GeoDataFrame, *, side_names: dict[str, str] | None = None
) -> list[Feature]:
    """Areas whose status changed (:func:`geoaccess.changes`): before, after, since when."""
    names = side_names or {}

    def props(row: Row) -> dict[str, Any]:
        title, name_rows = popups.area_names(row)
        before = status_label(row.get("status_before"))
        after = status_label(row.get("status_after"))
        side_before = text(row.get("side_before"))
        side_after = text(row.get("side_after"))
        rows = [
            ("Was", before),
            ("Now", after),
            ("Since", format_date(row.get("changed_on"))),
            ("Held by", names.get(side_after, side_after)),
            (
                "Held before by",
                names.get(side_before, side_before) if side_before != side_after else "",
            ),
            *name_rows,
            ("Population", format_number(row.get("population"))),
        ]
        return {
            "area_id": esc(row.get("area_id")),
            "tooltip": f"{esc(title)}: {esc(before)} → {esc(after)}",
            "popup": popups.detail_html(f"{title}: status changed", rows, note=row.get("reason")),
        }

    return frame_features(changes, props)


def population_classes(
    values: Sequence[float] | pd.Series, *, k: int = 5
) -> tuple[list[float], list[int]]:
    """Fisher-Jenks natural-break classes of population (deterministic), ``k <= 5``.

    The breaks are mapclassify's (:func:`.jenks.natural_breaks`), in under a second for
    10,000 areas.

    With fewer distinct values than ``k`` each distinct value is its own class.

    Returns
    -------
    bins : list of float
        Upper bound of each class.
    classes : list of int
        The class of each value (``-1`` for missing values).

    Examples
    --------
    >>> population_classes([10, 20, 1000, None], k=2)
    ([20.0, 1000.0], [0, 0, 1, -1])
    """
    series = pd.Series(values, dtype="float64")
    known = series.dropna()
    distinct = np.unique(known.to_numpy())
    if len(distinct) == 0:
        return [], [-1] * len(series)
    k = max(1, min(k, 5, len(distinct)))
    if k == len(distinct):
        bins = [float(b) for b in distinct]
    else:
        bins = natural_breaks(known.to_numpy(), k)
    idx = np.searchsorted(np.asarray(bins), series.fillna(0).to_numpy(), side="left")
    classes = [int(c) if not m else -1 for c, m in zip(idx, series.isna(), strict=True)]
    return bins, classes
