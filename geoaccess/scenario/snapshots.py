"""Zones from dated control maps: one map per date, as trackers publish them.

A control map (ISW/CTP, DeepState...) shows who holds what on the day it was published,
with no ``valid_from``/``valid_to``. :func:`zones_from_snapshots` turns a series of such
maps into zones: each party's ground on a map is valid from the map's date until the
next map's; consecutive maps that give a party the same ground merge into one zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import WGS84, to_wgs84
from ..errors import Problem, ScenarioError
from ..polygons import polygonal
from ..temporal import to_day_series

__all__ = ["date_in_name", "zones_from_snapshots"]

LAYER = "zones"
#: A date in a file name: ``2024-02-15`` or ``20240215``.
DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def date_in_name(name: str) -> dt.date | None:
    """The date a snapshot's file name carries (``YYYY-MM-DD`` or ``YYYYMMDD``), if any.

    Examples
    --------
    >>> date_in_name("2024-02-15.geojson"), date_in_name("isw_20220315_control.gpkg")
    (datetime.date(2024, 2, 15), datetime.date(2022, 3, 15))
    >>> date_in_name("latest.geojson") is None
    True
    """
    for match in DATE_IN_NAME.finditer(name):
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            continue
    return None


def zones_from_snapshots(
    maps: Mapping[Any, gpd.GeoDataFrame] | gpd.GeoDataFrame,
    *,
    party: str | None = None,
    party_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Zones from a series of dated control maps (snapshots).

    Parameters
    ----------
    maps : mapping of date to GeoDataFrame, or GeoDataFrame
        One map per date (keys: ISO ``YYYY-MM-DD`` texts or dates), or one frame with a
        ``date`` column. Any CRS (each map's own; the result is in EPSG:4326).
    party : str, optional
        The party holding every polygon of the maps (one-sided maps).
    party_column : str, optional
        The column naming each polygon's party; by default ``party`` when no ``party``
        is given.

    Returns
    -------
    GeoDataFrame
        ``party``, ``valid_from``, ``valid_to`` (the next map's date; open after the
        last map), ``source`` (the first non-empty ``source`` of the party's polygons
        when the maps have one), ``snapshots`` (how many maps the zone spans) and the
        geometry (the union of the party's polygons on the map).

    Raises
    ------
    ScenarioError
        A date that is not ISO, a map without CRS, no party given or found, or two
        maps on one date; each problem names the map's date (or row) and the column.

    Examples
    --------
    >>> import shapely
    >>> maps = {
    ...     "2024-02-10": gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=4326),
    ...     "2024-02-15": gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=4326),
    ...     "2024-02-18": gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 2, 1)], crs=4326),
    ... }
    >>> zones = zones_from_snapshots(maps, party="ru")
    >>> zones[["valid_from", "valid_to", "snapshots"]]
      valid_from   valid_to  snapshots
    0 2024-02-10 2024-02-18          2
    1 2024-02-18        NaT          1
    """
    problems: list[Problem] = []
    dated = _dated_maps(maps, problems)
    if party is None and party_column is None:
        party_column = "party"
    held: list[dict[str, shapely.Geometry]] = []
    sources: list[dict[str, Any]] = []
    for day, frame in dated:
        label = day.isoformat()
        if frame.crs is None:
            problems.append(Problem(LAYER, "the map has no CRS; set one", label, "crs"))
            held.append({})
            sources.append({})
            continue
        frame = to_wgs84(frame)
        if party is not None:
            owners = np.full(len(frame), party, dtype=object)
        elif party_column in frame:
            owners = frame[party_column].astype(object).to_numpy()
        else:
            msg = (
                f"no {party_column!r} column: give party= (one-sided maps) or "
                "party_column= (the column naming each polygon's party)"
            )
            problems.append(Problem(LAYER, msg, label, party_column))
            held.append({})
            sources.append({})
            continue
        geoms = shapely.make_valid(np.asarray(frame.geometry.array, dtype=object))
        by_party: dict[str, shapely.Geometry] = {}
        source: dict[str, Any] = {}
        for owner in pd.unique(owners):
            if owner is None or (isinstance(owner, float) and np.isnan(owner)):
                continue
            mine = owners == owner
            by_party[str(owner)] = polygonal(shapely.union_all(geoms[mine]))
            if "source" in frame:
                present = frame.loc[mine, "source"].dropna()
                source[str(owner)] = present.iloc[0] if len(present) else None
        held.append(by_party)
        sources.append(source)
    if problems:
        raise ScenarioError(problems)
    return _intervals([d for d, _ in dated], held, sources)


def _dated_maps(
    maps: Mapping[Any, gpd.GeoDataFrame] | gpd.GeoDataFrame, problems: list[Problem]
) -> list[tuple[dt.date, gpd.GeoDataFrame]]:
    """The maps with their dates, in date order (problems appended)."""
    if isinstance(maps, gpd.GeoDataFrame):
        if "date" not in maps:
            msg = "one frame of snapshots needs a date column (or pass a mapping of date to map)"
            raise ScenarioError([Problem(LAYER, msg, column="date")])
        parsed, bad = to_day_series(maps["date"])
        for row in maps.index[bad.to_numpy()]:
            problems.append(Problem(LAYER, _NOT_ISO, row, "date", maps.at[row, "date"]))
        groups = [
            (day.date(), maps[(parsed == day).to_numpy()].drop(columns="date"))
            for day in sorted(parsed.dropna().unique())
        ]
        return groups
    keys = pd.Series(list(maps.keys()), dtype=object)
    parsed, bad = to_day_series(keys)
    out = []
    seen: dict[dt.date, object] = {}
    for key, day, wrong in zip(keys, parsed, bad, strict=True):
        if wrong or pd.isna(day):
            problems.append(Problem(LAYER, _NOT_ISO, key, "date", key))
            continue
        if day.date() in seen:
            msg = f"two maps on one date (also {seen[day.date()]!r})"
            problems.append(Problem(LAYER, msg, key, "date", day.date().isoformat()))
            continue
        seen[day.date()] = key
        out.append((day.date(), maps[key]))
    return sorted(out, key=lambda item: item[0])


_NOT_ISO = "not an ISO date: write YYYY-MM-DD (01/07/2016 could be 1 July or 7 January)"


def _intervals(
    days: list[dt.date], held: list[dict[str, shapely.Geometry]], sources: list[dict[str, Any]]
) -> gpd.GeoDataFrame:
    """Each party's ground from map to map, consecutive identical ground merged."""
    rows: list[dict[str, Any]] = []
    open_rows: dict[str, dict[str, Any]] = {}
    for k, day in enumerate(days):
        upto = days[k + 1] if k + 1 < len(days) else None
        for owner, geom in held[k].items():
            if geom.is_empty:
                continue
            run = open_rows.get(owner)
            same = run is not None and run["valid_to"] == day and _same(run["geometry"], geom)
            if same and run is not None:
                run["valid_to"], run["snapshots"] = upto, run["snapshots"] + 1
                continue
            run = {
                "party": owner,
                "valid_from": day,
                "valid_to": upto,
                "source": sources[k].get(owner),
                "snapshots": 1,
                "geometry": geom,
            }
            rows.append(run)
            open_rows[owner] = run
    frame = pd.DataFrame(
        rows, columns=["party", "valid_from", "valid_to", "source", "snapshots", "geometry"]
    )
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    frame["party"] = frame["party"].astype(object)
    if frame["source"].isna().all():
        frame = frame.drop(columns="source")
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)


def _same(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), 0.0))
