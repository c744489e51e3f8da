"""The result frames of one assessed date, in EPSG:4326.

The areas (status, evidence and population split by status), the facilities (status
where they stand, distance to the front, exposure), the lifelines and the population
table, built from a :class:`~geoaccess.pipeline.evaluate.Snapshot` and its final
statuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Hashable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import WGS84, reproject
from ..engine import keys
from ..engine.cache import Cache
from ..engine.columns import frame_values, is_text, with_columns
from ..engine.context import Context
from ..population.catchments import facility_exposure
from ..population.estimates import Estimate, area_population
from ..population.table import population_table, status_table
from .evaluate import Snapshot

__all__ = [
    "areas_frame",
    "facilities_frame",
    "geometry_in_wgs84",
    "in_wgs84",
    "lifelines_frame",
    "own_geometry",
    "population_frame",
    "to_wgs84",
]


def areas_frame(
    units: gpd.GeoDataFrame,
    pieces: gpd.GeoDataFrame,
    pockets: gpd.GeoDataFrame,
    rows: list[tuple[str, str, dt.date, bool]],
    own: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """One row per reporting unit: status, reason, since, evidence and population.

    ``rows`` holds each unit's final ``(status, reason, status_since,
    status_since_known)``; the evidence is its dominant piece's (the hostile perimeter
    share its pocket's), the population its own ``population`` split by the statuses of
    its pieces. ``own`` are the areas layer's rows, aligned with ``units``: their other
    columns (p-codes at every level, names in every language...) follow ``name``.
    """
    idx = units["piece"].to_numpy()
    has = idx >= 0
    at = pieces.index.get_indexer(idx[has])  # positions of the dominant pieces

    def pick(column: str, fill: object = None) -> np.ndarray:
        out = np.full(len(units), fill, dtype=object)
        out[has] = pieces[column].to_numpy(dtype=object)[at]
        return out

    share = dict(
        zip(
            pockets["pocket_id"].to_numpy(dtype=object),
            pockets["hostile_perimeter_share"].to_numpy(dtype=float),
            strict=True,
        )
    )
    pocket_id = pick("pocket_id")
    columns: dict[str, object] = {
        "area_id": frame_values(units["area_id"]),
        "name": frame_values(units["name"]),
        "side": pick("side"),
        "pocket_id": pocket_id,
        "status": [r[0] for r in rows],
        "status_since": [r[2] for r in rows],
        "status_since_known": np.array([r[3] for r in rows], dtype=bool),
        "reason": [r[1] for r in rows],
        "geometry": units.geometry.values,
        "encircled": pick("encircled", fill=False).astype(bool),
        "fire_controlled": pick("fire_controlled", fill=False).astype(bool),
        "hostile_perimeter_share": np.array([share.get(p, np.nan) for p in pocket_id], float),
    }
    for column in ("route_clearance_m", "open_corridors", "open_supply_routes"):
        columns[column] = pick(column, fill=np.nan).astype(float)
    # the areas' own population, split by area share (other estimates: with_population)
    split = area_population(
        units["area_id"].to_numpy(dtype=object),
        pieces,
        pieces["population"].to_numpy(dtype=float),
        units["total"].to_numpy(dtype=float),
    )
    columns |= {column: split[column].to_numpy() for column in split.columns}
    if own is not None:  # in place: no concatenation and reordering of the frame after
        extra = own_columns(own, taken=columns)
        merged = columns | extra
        columns = {c: merged[c] for c in _after_name(list(columns), list(extra))}
    return gpd.GeoDataFrame(pd.DataFrame(columns), geometry="geometry", crs=units.crs)


#: Columns of the areas layer that the results hold in their own way.
CONSUMED = ("area_id", "name", "population", "geometry")


def with_area_columns(frame: pd.DataFrame, own: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the areas layer's own columns after ``name`` (rows aligned).

    Every column of the areas layer travels to the results (p-codes at every level,
    names in every language, sources); one whose name a result column already has is
    kept as ``area_<name>``.
    """
    extra = own_columns(own, taken=frame.columns)
    if not extra:
        return frame
    added = pd.DataFrame(extra, index=frame.index)
    ordered = _after_name(list(frame.columns), list(added.columns))
    return pd.concat([frame, added], axis=1)[ordered]


def _after_name(names: list[str], extra: list[str]) -> list[str]:
    """``names`` with ``extra`` right after ``name``: where the areas' own columns go."""
    at = names.index("name") + 1
    return [*names[:at], *extra, *names[at:]]


def own_columns(
    own: pd.DataFrame, *, taken: Collection[str]
) -> dict[str, np.ndarray | pd.api.extensions.ExtensionArray]:
    """The areas layer's own columns that results carry, by name.

    See :func:`with_area_columns`; one whose name ``taken`` holds is ``area_<name>``.
    pandas' own text is taken as stored (:func:`~geoaccess.engine.columns.is_text`).
    """
    return {
        (f"area_{c}" if c in taken else c): own[c].array if is_text(own[c]) else own[c].to_numpy()
        for c in own.columns
        if c not in CONSUMED and not isinstance(own[c].dtype, gpd.array.GeometryDtype)
    }


def facilities_frame(
    ctx: Context,
    cache: Cache,
    snap: Snapshot,
    pieces: gpd.GeoDataFrame,
    found: list[Estimate],
) -> gpd.GeoDataFrame:
    """Facilities: status and side where they stand, distance to the front, exposure.

    Incidents and catchments come from
    :func:`geoaccess.population.catchments.facility_exposure` (full assessments only;
    light snapshots leave those columns out).
    """
    facilities = ctx.layer_at("facilities", snap.rows.facilities)
    if facilities is None:
        return gpd.GeoDataFrame(
            {"facility_id": [], "status": []}, geometry=gpd.GeoSeries([], crs=WGS84)
        )
    points = facilities.geometry.values
    status = np.full(len(points), None, dtype=object)
    side = np.full(len(points), None, dtype=object)
    area = np.full(len(points), None, dtype=object)
    if len(pieces):
        fi, pi = shapely.STRtree(pieces.geometry.values).query(points, predicate="within")
        status[fi] = pieces["status"].to_numpy(dtype=object)[pi]
        side[fi] = pieces["side"].to_numpy(dtype=object)[pi]
        area[fi] = pieces["area_id"].to_numpy(dtype=object)[pi]
    front = snap.ground.front_union
    out = with_columns(
        facilities,
        status=status,
        side=side,
        area_id=area,
        distance_to_front_m=(
            np.full(len(points), np.nan) if front.is_empty else shapely.distance(points, front)
        ),
    )
    if snap.detail == "full":
        out = facility_exposure(
            ctx, cache, out, snap.ground, found[0] if found else None, snap.graph
        )
    return in_wgs84(out, own_geometry(ctx, "facilities", snap.rows.facilities))


def lifelines_frame(
    cache: Cache, snap: Snapshot, units: gpd.GeoDataFrame, pieces: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Road segments whose loss cuts an area's last usable road link, with who depends."""
    columns = ["segment_id", "road", "name", "area_ids", "areas", "population", "length_m"]
    has = units["piece"].to_numpy() >= 0
    if snap.graph is None or "lifelines" not in pieces or not has.any():
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=WGS84))
    piece_of = units["piece"].to_numpy()[has]
    per_unit = pieces["lifelines"].to_numpy(dtype=object)[piece_of]
    counts = np.fromiter((len(s) for s in per_unit), dtype=np.int64, count=len(per_unit))
    if not counts.sum():
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=WGS84))
    # One row per (segment, area) that depends on it, sorted by segment then area label.
    segment_ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in per_unit])
    area_labels = np.repeat(units["area_id"].to_numpy(dtype=object)[has].astype(str), counts)
    people = np.repeat(units["total"].to_numpy(dtype=float)[has], counts)
    order = np.lexsort((area_labels, segment_ids))
    segment_ids, area_labels, people = segment_ids[order], area_labels[order], people[order]
    starts = np.flatnonzero(np.r_[True, segment_ids[1:] != segment_ids[:-1]])
    labels_by_segment = np.split(area_labels, starts[1:])
    population = np.add.reduceat(people, starts)
    # most people first; a stable sort, so that ties keep the segments' order
    order = np.argsort(-population, kind="stable")
    ids = segment_ids[starts][order]
    segments = snap.graph.segments
    metric = np.asarray(segments.geometry.array, dtype=object)[ids]
    lonlat = geometry_in_wgs84(cache, keys.in_wgs84("segments", snap.rows.roads), segments)[ids]
    names = segments["name"].to_numpy(dtype=object)[ids] if "name" in segments else None
    return gpd.GeoDataFrame(
        {
            "segment_id": ids,
            "road": segments["road"].to_numpy(dtype=object)[ids],
            "name": names,
            "area_ids": np.array([", ".join(labels_by_segment[k]) for k in order], dtype=object),
            "areas": np.array([len(set(labels_by_segment[k])) for k in order], dtype=int),
            "population": population[order],
            "length_m": shapely.length(metric),
        },
        geometry=gpd.array.GeometryArray(lonlat, crs=WGS84),
    )


def population_frame(
    ctx: Context,
    cache: Cache,
    snap: Snapshot,
    areas: gpd.GeoDataFrame,
    pieces: gpd.GeoDataFrame,
    found: list[Estimate],
) -> pd.DataFrame:
    """Population by status, distance band and corridor reach, with the accounting.

    See :func:`geoaccess.population.table.population_table`. Light snapshots (the dates
    of a timeline) have the status and total rows only
    (:func:`~geoaccess.population.table.status_table`); scenarios without population an
    empty table.
    """
    if found and snap.detail != "full":
        return status_table(areas, pieces, found)
    if snap.detail != "full" or not found:
        return pd.DataFrame(
            {
                "category": pd.Series(dtype=object),
                "label": pd.Series(dtype=object),
                "areas": pd.Series(dtype="Int64"),
                "population": pd.Series(dtype=float),
            }
        )
    return population_table(
        ctx, cache, areas, pieces, found, snap.ground, snap.corridors, snap.graph
    )


def to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A metric frame reprojected to EPSG:4326 with a fresh index."""
    return reproject(frame, WGS84).reset_index(drop=True)


def in_wgs84(frame: gpd.GeoDataFrame, lonlat: np.ndarray | None) -> gpd.GeoDataFrame:
    """A metric frame in EPSG:4326 with a fresh index, its geometry ``lonlat`` if given.

    ``lonlat`` holds the rows' geometries in EPSG:4326 already, in the frame's order:
    the scenario's own rows (areas, corridors, facilities), taken as they are rather
    than projected there and back, or a date's derived geometries reprojected once
    (:func:`geometry_in_wgs84`). ``None``, or not one per row: the frame is reprojected.
    ``frame`` itself is left as it is.

    Examples
    --------
    >>> from shapely import Point
    >>> metric = gpd.GeoDataFrame(
    ...     {"id": ["a"]}, geometry=[Point(500_000, 4_000_000)], crs=32637, index=[7]
    ... )
    >>> out = in_wgs84(metric, np.array([Point(39.0, 36.14)], dtype=object))
    >>> out.crs.to_epsg(), out.index.tolist(), out.geometry.iloc[0].x
    (4326, [0], 39.0)
    >>> metric.crs.to_epsg(), metric.index.tolist(), metric.geometry.iloc[0].x
    (32637, [7], 500000.0)
    """
    if lonlat is None or len(lonlat) != len(frame):
        return to_wgs84(frame)
    # a shallow copy (copied on write) whose geometry column is replaced: the GeoDataFrame
    # takes its CRS from the new column, with no new frame built around the columns
    out = frame.copy(deep=False)
    out.index = pd.RangeIndex(len(out))
    out[frame.geometry.name] = gpd.array.GeometryArray(np.asarray(lonlat, dtype=object), crs=WGS84)
    return out


def own_geometry(ctx: Context, layer: str, rows: Collection[int]) -> np.ndarray | None:
    """The scenario's own EPSG:4326 geometry of a layer's rows (``None``: no layer).

    The rows are positions, as :meth:`~geoaccess.engine.context.Context.layer_at` takes
    them: the projected layer keeps the scenario's rows in their places.
    """
    frame = getattr(ctx.scenario, layer)
    if frame is None:
        return None
    return np.asarray(frame.geometry.array, dtype=object)[list(rows)]


def geometry_in_wgs84(cache: Cache, key: Hashable, frame: gpd.GeoDataFrame) -> np.ndarray:
    """A date's derived geometries (pockets, front lines, road segments) in EPSG:4326.

    Reprojected once per ``key`` in the call's cache: dates with the same zones share
    their pockets and front lines, dates with the same roads their segments.
    """
    return cache.get(  # type: ignore[no-any-return]
        key, lambda: np.asarray(reproject(frame.geometry, WGS84).array, dtype=object)
    )
