"""What an area says on a map: status, colour, hatching, tooltip and popup.

Built once per area as GeoJSON properties (:func:`area_features`, for the timeline map)
or as escaped columns (:func:`area_table`, for the assessment map, whose page builds the
same tooltip and popup markup when one opens). Every text from data is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from . import popups, prepare
from .escape import esc, text
from .popups import Row
from .prepare import Feature
from .style import format_date, format_number, status_color, status_label

__all__ = ["AreaTable", "area_features", "area_table", "area_tooltip"]

#: Stands for NaN in the keys of :func:`_values_key` (NaN equals no NaN, itself included).
_NAN = object()


def _area_parts(
    row: Row, names: dict[str, str]
) -> tuple[str, str, str, str, list[tuple[str, Any]], Any]:
    """An area's status, status label, title, since, popup rows and note (unescaped)."""
    status = text(row.get("status"))
    label = status_label(status)
    title, name_rows = popups.area_names(row)
    since = format_date(row.get("status_since"))
    if since and row.get("status_since_known") is False:
        since = f"at least {since}"
    side = text(row.get("side"))
    rows = [
        ("Status", label),
        ("Since", since),
        *name_rows,
        ("Population", format_number(row.get("population"))),
        ("Held by", names.get(side, side)),
        *popups.evidence_rows(row),
    ]
    return status, label, title, since, rows, row.get("reason")


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

    return prepare.frame_features(areas, props)


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
        "area_id": esc(row.get("area_id")),
        "status": esc(status),
        "label": esc(label),
        "color": status_color(status),
        "hatch": status in ("besieged", "hard_to_reach", "watchlist"),
        "population": _number(row.get("population")),
        "tooltip": area_tooltip(esc(title), esc(label), esc(since)),
        "popup": popups.detail_html(title, rows, note=note),
    }


@dataclass(frozen=True)
class AreaTable:
    """The areas of a map as escaped columns, one entry per area (in frame order).

    Every area has the same popup rows: ``row_labels`` holds their labels and ``rows``
    the values of each area (``""`` where the popup leaves a row out). The popup is
    :func:`.popups.detail_html` of ``titles``, these rows and ``notes``; the tooltip is
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
    for _, row in prepare.frame_rows(areas):
        status, label, title, since, rows, note = _area_parts(row, names)
        row_labels = row_labels or tuple(esc(name) for name, _ in rows)
        columns.append(
            (
                esc(row.get("area_id")),
                esc(status),
                esc(label),
                esc(title),
                esc(since),
                esc(note),
                _number(row.get("population")),
                tuple(esc(value) for _, value in rows),
            )
        )
    ids, statuses, labels, titles, since_, notes, people, values = (
        (tuple(c) for c in zip(*columns, strict=True)) if columns else ((),) * 8
    )
    return AreaTable(ids, statuses, labels, titles, since_, notes, people, row_labels, values)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number
