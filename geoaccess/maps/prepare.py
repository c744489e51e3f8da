"""Data to GeoJSON, without folium: simplified geometry and escaped properties.

Everything here is pure: frames in, plain ``dict`` feature collections out, ready to be
embedded. Geometry is simplified in metres in the result's metric CRS and rounded to a
number of decimals; every text property taken from data is escaped (:func:`esc`) and the
tooltip and popup of each feature are built here as escaped HTML.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .escape import esc, text
from .jenks import natural_breaks
from .style import (
    CORRIDOR_COLORS,
    FACILITY_SYMBOLS,
    format_date,
    format_metres,
    format_number,
    format_percent,
    status_color,
    status_label,
)

__all__ = [
    "AreaTable",
    "area_features",
    "area_table",
    "area_tooltip",
    "change_features",
    "corridor_features",
    "detail_html",
    "facility_features",
    "feature_collection",
    "incident_features",
    "line_features",
    "pocket_features",
    "population_classes",
    "simplify_frame",
    "zone_features",
]

Feature = dict[str, Any]
#: One row of a frame: its values by column, the geometry under ``"geometry"``.
Row = Mapping[Any, Any]
#: Stands for NaN in the keys of :func:`_values_key` (NaN equals no NaN, itself included).
_NAN = object()
#: Sequential palette of the population classes (ColorBrewer Purples, 5 classes).
POPULATION_COLORS: tuple[str, ...] = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")

_EVIDENCE = (
    ("encircled", "Encircled"),
    ("fire_controlled", "Under fire control"),
    ("hostile_perimeter_share", "Hostile share of perimeter"),
    ("route_clearance_m", "Route clearance"),
    ("open_corridors", "Open corridors"),
    ("open_supply_routes", "Open supply routes"),
)


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


def _rows(frame: gpd.GeoDataFrame | pd.DataFrame) -> Iterator[tuple[Any, Row]]:
    """Each row's index label and its values as Python objects, by column.

    Like ``iterrows`` without building a Series per row, which was most of the time a
    map took to build.
    """
    columns = list(frame.columns)
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    keys = ["geometry" if c == geometry else c for c in columns]
    values = [frame.iloc[:, j].tolist() for j in range(len(columns))]
    for index, row in zip(frame.index, zip(*values, strict=True), strict=True):
        yield index, dict(zip(keys, row, strict=True))


def _features(frame: gpd.GeoDataFrame, props: Callable[[Row], dict]) -> list[Feature]:
    out = []
    for i, (index, row) in enumerate(_rows(frame)):
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


# ---------------------------------------------------------------------- html
def detail_html(title: Any, rows: Sequence[tuple[str, Any]], *, note: Any = None) -> str:
    """Escaped HTML of a popup: a bold title, a table of label/value rows and a note.

    Empty values are left out; labels and values are escaped.

    Examples
    --------
    >>> html = detail_html("<b>", [("Status", "open"), ("Empty", None)])
    >>> html.startswith('<div class="ga-detail"><strong>&lt;b&gt;</strong><table>')
    True
    >>> "<tr><th>Status</th><td>open</td></tr></table>" in html, "Empty" in html
    (True, False)
    """
    cells = "".join(
        f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>"
        for label, value in rows
        if text(value) != ""
    )
    footer = f'<p class="ga-note">{esc(note)}</p>' if text(note) else ""
    return (
        f'<div class="ga-detail"><strong>{esc(title)}</strong><table>{cells}</table>{footer}</div>'
    )


def _get(row: Row, column: str) -> Any:
    return row.get(column)


def _yes_no(value: Any) -> str:
    if text(value) == "":
        return ""
    return "yes" if bool(value) else "no"


def _evidence(row: Row) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for column, label in _EVIDENCE:
        value = _get(row, column)
        if column in ("encircled", "fire_controlled"):
            value = _yes_no(value)
        elif column == "hostile_perimeter_share":
            value = format_percent(value)
        elif column.endswith("_m"):
            value = format_metres(value)
        else:  # counts: whole numbers
            value = format_number(value)
        rows.append((label, value))
    return rows


def _names(row: Row) -> tuple[str, list[tuple[str, Any]]]:
    """An area's title (both names where it has them) and its name and p-code rows."""
    name = text(_get(row, "name")) or text(_get(row, "area_id"))
    local = text(_get(row, "name_local"))
    title = f"{name} ({local})" if local and local != name else name
    # the same rows for every area (empty values are left out of the popup)
    rows: list[tuple[str, Any]] = [("Local name", local if local != name else "")]
    rows.append(("P-code", _get(row, "pcode")))
    for column in sorted(c for c in row if str(c).lower().endswith("_pcode")):
        level = str(column)[: -len("_pcode")].replace("adm", "Admin ")
        rows.append((f"{level} p-code", row[column]))
    return title, rows


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
        title = text(_get(row, "name")) or party_name
        html = detail_html(
            title,
            [
                ("Party", party_name),
                ("Side", side),
                ("Valid from", _get(row, "valid_from")),
                ("Valid to", _get(row, "valid_to")),
            ],
        )
        return {
            "side": esc(side),
            "party": esc(party),
            "color": color,
            "tooltip": f"{esc(title)} ({esc(side)})",
            "popup": html,
        }

    return _features(zones, props)


def _area_parts(
    row: Row, names: dict[str, str]
) -> tuple[str, str, str, str, list[tuple[str, Any]], Any]:
    """An area's status, status label, title, since, popup rows and note (unescaped)."""
    status = text(_get(row, "status"))
    label = status_label(status)
    title, name_rows = _names(row)
    since = format_date(_get(row, "status_since"))
    if since and _get(row, "status_since_known") is False:
        since = f"at least {since}"
    side = text(_get(row, "side"))
    rows = [
        ("Status", label),
        ("Since", since),
        *name_rows,
        ("Population", format_number(_get(row, "population"))),
        ("Held by", names.get(side, side)),
        *_evidence(row),
    ]
    return status, label, title, since, rows, _get(row, "reason")


def area_tooltip(title: str, label: str, since: str) -> str:
    """The tooltip of an area from its escaped title, status label and since date."""
    return f"{title}: {label}" + (f" since {since}" if since else "")


def area_features(
    areas: gpd.GeoDataFrame,
    *,
    side_names: dict[str, str] | None = None,
    built: dict[Hashable, dict[str, Any]] | None = None,
) -> list[Feature]:
    """Areas with status, colour, hatching flag, tooltip and popup (evidence and reason).

    The popup gives both names (``name``, ``name_local``) and every p-code the area
    carries (``pcode``, ``adm1_pcode``...), people as whole numbers, shares as
    percentages with one decimal; sides by ``side_names`` (display names).

    ``built`` holds properties already built, by the values of an area's row (its shape
    aside), and gains those built here: a timeline passes one for all its dates, on
    which most areas keep their values.
    """
    names = side_names or {}

    def props(row: Row) -> dict[str, Any]:
        key = None if built is None else _values_key(row)
        if built is None or key is None:
            return _area_properties(row, names)
        if key not in built:
            built[key] = _area_properties(row, names)
        return dict(built[key])

    return _features(areas, props)


def _values_key(row: Row) -> Hashable | None:
    """A row's values but its geometry, hashable (NaN as one value), or None."""
    key = tuple(
        (column, _NAN if isinstance(value, float) and math.isnan(value) else value)
        for column, value in row.items()
        if column != "geometry"
    )
    try:
        hash(key)
    except TypeError:  # a list or an array among the values
        return None
    return key


def _area_properties(row: Row, names: dict[str, str]) -> dict[str, Any]:
    """The properties of an area's feature (:func:`area_features`)."""
    status, label, title, since, rows, note = _area_parts(row, names)
    return {
        "area_id": esc(_get(row, "area_id")),
        "status": esc(status),
        "label": esc(label),
        "color": status_color(status),
        "hatch": status in ("besieged", "hard_to_reach", "watchlist"),
        "population": _number(_get(row, "population")),
        "tooltip": area_tooltip(esc(title), esc(label), esc(since)),
        "popup": detail_html(title, rows, note=note),
    }


@dataclass(frozen=True)
class AreaTable:
    """The areas of a map as escaped columns, one entry per area (in frame order).

    Every area has the same popup rows: ``row_labels`` holds their labels and ``rows``
    the values of each area (``""`` where the popup leaves a row out). The popup is
    :func:`detail_html` of ``titles``, these rows and ``notes``; the tooltip is
    :func:`area_tooltip`. Statuses and populations are as in :func:`area_features`.
    """

    area_ids: tuple[str, ...]
    statuses: tuple[str, ...]
    labels: tuple[str, ...]
    titles: tuple[str, ...]
    since: tuple[str, ...]
    notes: tuple[str, ...]
    populations: tuple[float | None, ...]
    row_labels: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def area_table(areas: gpd.GeoDataFrame, *, side_names: dict[str, str] | None = None) -> AreaTable:
    """What :func:`area_features` says of each area, as escaped columns (no HTML).

    Examples
    --------
    >>> import shapely
    >>> areas = gpd.GeoDataFrame({"area_id": ["a<1>"], "status": ["besieged"]},
    ...                          geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    >>> table = area_table(areas)
    >>> table.area_ids, table.statuses, table.row_labels[:3], table.rows[0][:3]
    (('a&lt;1&gt;',), ('besieged',), ('Status', 'Since', 'Local name'), ('besieged', '', ''))
    """
    names = side_names or {}
    columns: list[tuple[Any, ...]] = []
    row_labels: tuple[str, ...] = ()
    for _, row in _rows(areas):
        status, label, title, since, rows, note = _area_parts(row, names)
        row_labels = row_labels or tuple(esc(name) for name, _ in rows)
        columns.append(
            (
                esc(_get(row, "area_id")),
                esc(status),
                esc(label),
                esc(title),
                esc(since),
                esc(note),
                _number(_get(row, "population")),
                tuple(esc(value) for _, value in rows),
            )
        )
    ids, statuses, labels, titles, since_, notes, people, values = (
        (tuple(c) for c in zip(*columns, strict=True)) if columns else ((),) * 8
    )
    return AreaTable(ids, statuses, labels, titles, since_, notes, people, row_labels, values)


def pocket_features(pockets: gpd.GeoDataFrame) -> list[Feature]:
    """Pocket outlines with their status and evidence."""

    def props(row: Row) -> dict[str, Any]:
        status = text(_get(row, "status"))
        title = f"Pocket {text(_get(row, 'pocket_id'))} ({text(_get(row, 'side'))})"
        area = _get(row, "area_km2")
        rows = [
            ("Status", status_label(status)),
            ("Parties", _get(row, "parties")),
            ("Area", f"{float(area):.1f} km²" if text(area) else ""),
            *_evidence(row),
        ]
        return {
            "status": esc(status),
            "color": status_color(status),
            "tooltip": esc(title),
            "popup": detail_html(title, rows, note=_get(row, "reason")),
        }

    return _features(pockets, props)


def line_features(lines: gpd.GeoDataFrame, *, kind: str) -> list[Feature]:
    """Front lines (``kind="front_lines"``), siege lines (``"siege_lines"``) or lifelines."""

    def props(row: Row) -> dict[str, Any]:
        if kind in ("front", "front_lines"):
            title = f"Front line: {text(_get(row, 'side_a'))} / {text(_get(row, 'side_b'))}"
            rows = [("Length", format_metres(_get(row, "length_m")))]
        elif kind in ("siege", "siege_lines"):
            title = f"Siege line: {text(_get(row, 'name')) or text(_get(row, 'party'))}"
            rows = [("Held by", _get(row, "party")), ("Valid from", _get(row, "valid_from"))]
        else:
            title = f"Lifeline: {text(_get(row, 'name')) or 'road segment'}"
            ids = _get(row, "area_ids")
            if isinstance(ids, (list, tuple, np.ndarray)):
                ids = ", ".join(text(a) for a in ids)
            rows = [
                ("Areas depending", ids),
                ("Population depending", format_number(_get(row, "population"))),
            ]
        return {"tooltip": esc(title), "popup": detail_html(title, rows)}

    return _features(lines, props)


def corridor_features(corridors: gpd.GeoDataFrame) -> list[Feature]:
    """Corridors as lines entrance→exit, with entrance/exit positions and exit bearing."""

    def props(row: Row) -> dict[str, Any]:
        status = text(_get(row, "status"))
        name = text(_get(row, "name")) or text(_get(row, "corridor_id"))
        title = f"Corridor {name}"
        rows = [
            ("Status", status),
            ("Kind", _get(row, "kind")),
            ("Entrance", _get(row, "entrance_name")),
            ("Exit", _get(row, "exit_name")),
            ("Valid from", _get(row, "valid_from")),
            ("Valid to", _get(row, "valid_to")),
            ("Front-line crossings", _get(row, "front_line_crossings")),
            (
                "Length",
                f"{format_number(_get(row, 'length_m'))} m" if text(_get(row, "length_m")) else "",
            ),
            ("Population within reach", format_number(_get(row, "population_within_reach"))),
        ]
        coords = np.asarray(row["geometry"].coords)
        (x0, y0), (x1, y1) = coords[0][:2], coords[-1][:2]
        xp, yp = coords[-2][:2] if len(coords) > 1 else (x0, y0)
        bearing = math.degrees(math.atan2((x1 - xp) * math.cos(math.radians(y1)), y1 - yp))
        return {
            "corridor_id": esc(_get(row, "corridor_id")),
            "status": esc(status),
            "color": CORRIDOR_COLORS.get(status, "#555555"),
            "dash": "6 6" if status != "open" else None,
            "tooltip": f"{esc(title)}: {esc(status)}",
            "popup": detail_html(title, rows),
            "entrance": [float(y0), float(x0)],
            "exit": [float(y1), float(x1)],
            "entrance_name": esc(_get(row, "entrance_name") or "entrance"),
            "exit_name": esc(_get(row, "exit_name") or "exit"),
            "bearing": round(bearing, 1),
        }

    return _features(corridors, props)


def facility_features(facilities: gpd.GeoDataFrame) -> list[Feature]:
    """Facilities with a symbol by kind and their exposure."""

    def props(row: Row) -> dict[str, Any]:
        kind = text(_get(row, "kind"))
        name = text(_get(row, "name")) or text(_get(row, "facility_id"))
        status = text(_get(row, "status"))
        rows = [
            ("Kind", kind),
            ("Status where it stands", status_label(status)),
            ("Side", _get(row, "side")),
            (
                "Distance to front",
                f"{format_number(_get(row, 'distance_to_front_m'))} m"
                if text(_get(row, "distance_to_front_m"))
                else "",
            ),
            ("Incidents nearby", _get(row, "incidents_nearby")),
        ]
        return {
            "kind": esc(kind),
            "symbol": FACILITY_SYMBOLS.get(kind.lower(), "•"),
            "color": status_color(status),
            "tooltip": f"{esc(name)} ({esc(kind)})",
            "popup": detail_html(name, rows),
        }

    return _features(facilities, props)


def incident_features(incidents: gpd.GeoDataFrame) -> list[Feature]:
    """Incidents with date, kind, fatalities and actor."""

    def props(row: Row) -> dict[str, Any]:
        title = f"{text(_get(row, 'kind')) or 'incident'} on {text(_get(row, 'date'))}"
        rows = [
            ("Fatalities", _get(row, "fatalities")),
            ("Actor", _get(row, "actor")),
            ("Source", _get(row, "source")),
        ]
        return {"tooltip": esc(title), "popup": detail_html(title, rows)}

    return _features(incidents, props)


def change_features(
    changes: gpd.GeoDataFrame, *, side_names: dict[str, str] | None = None
) -> list[Feature]:
    """Areas whose status changed (:func:`geoaccess.changes`): before, after, since when."""
    names = side_names or {}

    def props(row: Row) -> dict[str, Any]:
        title, name_rows = _names(row)
        before = status_label(_get(row, "status_before"))
        after = status_label(_get(row, "status_after"))
        side_before = text(_get(row, "side_before"))
        side_after = text(_get(row, "side_after"))
        rows = [
            ("Was", before),
            ("Now", after),
            ("Since", format_date(_get(row, "changed_on"))),
            ("Held by", names.get(side_after, side_after)),
            (
                "Held before by",
                names.get(side_before, side_before) if side_before != side_after else "",
            ),
            *name_rows,
            ("Population", format_number(_get(row, "population"))),
        ]
        return {
            "area_id": esc(_get(row, "area_id")),
            "tooltip": f"{esc(title)}: {esc(before)} → {esc(after)}",
            "popup": detail_html(f"{title}: status changed", rows, note=_get(row, "reason")),
        }

    return _features(changes, props)


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


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number
