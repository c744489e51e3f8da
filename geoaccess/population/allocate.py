"""Population at risk: areal, dasymetric, point and raster allocation, and distance bands.

Every allocation conserves people: what falls outside every target is reported in a
:class:`PopulationAccounting`, never lost. Polygon and point work happens in the CRS the
caller gives (one projected CRS for areas); only rasters reproject, and only the targets,
to the raster's CRS (see :mod:`geoaccess.population.raster`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import Problem, ScenarioError
from . import raster
from .shapes import (
    PopulationAccounting,
    Shapes,
    checked_shapes,
    geometry_kind,
    overlapping,
    people_values,
    require_projected,
    require_same_crs,
    shapes_of,
    target_geometries,
)

if TYPE_CHECKING:
    from pyproj import CRS

__all__ = ["PopulationAccounting", "allocate_population", "population_within"]

METRIC_HINT = "project both to a metric CRS, e.g. scn.metric_crs"
_POLYGONAL = ("Polygon", "MultiPolygon")
_PUNTAL = ("Point",)


@overload
def allocate_population(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = ...,
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = ...,
    return_accounting: Literal[False] = ...,
) -> pd.Series: ...


@overload
def allocate_population(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = ...,
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = ...,
    return_accounting: Literal[True],
) -> tuple[pd.Series, PopulationAccounting]: ...


@overload
def allocate_population(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = ...,
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = ...,
    return_accounting: bool = ...,
) -> pd.Series | tuple[pd.Series, PopulationAccounting]: ...


def allocate_population(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = "population",
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    return_accounting: bool = False,
) -> pd.Series | tuple[pd.Series, PopulationAccounting]:
    """Population of each target polygon, from polygons, points or a raster.

    Parameters
    ----------
    targets : GeoDataFrame or GeoSeries
        Polygons to receive people (areas, pockets, pieces of areas). They may overlap:
        each target then gets its own share, and the accounting counts shared people once.
    population : GeoDataFrame, path, PopulationRaster or rasterio dataset
        Polygons (people spread evenly over each polygon's area, extensive), points
        (people counted where they stand), or a raster of people per cell (summed with
        exact cell-coverage fractions, see :func:`geoaccess.population.raster.allocate_raster`).
    column : str, default "population"
        Column of people in a vector ``population``; also the name of the result.
    mask : GeoDataFrame or GeoSeries, optional
        Dasymetric mask for polygon sources (e.g. built-up areas): the people of each
        source polygon are spread over its masked part only. Sources with no masked part
        keep plain area weighting; they are counted in ``accounting.mask_fallback``.
    return_accounting : bool, default False
        Also return a :class:`PopulationAccounting`.

    Returns
    -------
    pandas.Series or tuple of (pandas.Series, PopulationAccounting)
        People per target, aligned to ``targets.index`` and named ``column``.

    Raises
    ------
    ScenarioError
        Missing or invalid population column, targets and population in different CRSs,
        area weighting in a geographic CRS, mixed geometry types.

    Notes
    -----
    Polygons: source polygons wholly inside a target go to it whole without computing
    intersections; the others are split by exact intersection areas. Points: a point on
    a shared boundary is counted once, in the target with the lowest position (``iloc``)
    among those whose closure contains it; this holds for overlapping targets too.
    Vector allocation needs targets and population in one CRS, and a projected one for
    areas; a raster is the exception: targets are reprojected to its CRS.

    Examples
    --------
    >>> from shapely import box, Point
    >>> cells = gpd.GeoDataFrame({"population": [100.0, 100.0]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32637)
    >>> area = gpd.GeoDataFrame(geometry=[box(0.5, 0, 1.5, 1)], crs=32637)
    >>> allocate_population(area, cells).tolist()
    [100.0]
    >>> people, acc = allocate_population(area, cells, return_accounting=True)
    >>> acc.input_total, acc.assigned_total, acc.outside_total
    (200.0, 100.0, 100.0)
    >>> pts = gpd.GeoDataFrame({"population": [1, 1, 1]},
    ...                        geometry=[Point(0.5, 0.5), Point(1, 0.5), Point(5, 5)], crs=32637)
    >>> halves = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32637)
    >>> allocate_population(halves, pts).tolist()
    [2.0, 0.0]
    """
    if hasattr(population, "__dask_graph__"):
        msg = (
            "a Dask collection of population is allocated on the scale path: call "
            'geoaccess.allocate_population (pip install "geoaccess[dask]")'
        )
        raise TypeError(msg)
    tgt = target_geometries(targets, "targets")
    if not isinstance(population, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if mask is not None:
            msg = "mask applies to polygon population only, not to a raster"
            raise ScenarioError([Problem("population", msg)])
        return raster.allocate_raster(
            targets, population, column=column, return_accounting=return_accounting
        )
    if not isinstance(population, gpd.GeoDataFrame) or column not in population.columns:
        msg = f"population needs a {column!r} column of people (pass column=... to choose)"
        raise ScenarioError([Problem("population", msg, column=column)])
    values = people_values(population, column)
    shapes = checked_shapes(population, "population")
    src = shapes.geoms
    require_same_crs(targets.crs, population.crs, "targets", "population")
    kind = geometry_kind(src)
    if kind == "points":
        if mask is not None:
            msg = "mask applies to polygon population only, not to points"
            raise ScenarioError([Problem("population", msg)])
        alloc, assigned, outside = _allocate_points(tgt, src, values)
        fallback = 0
        source = "points"
    else:
        require_projected(population.crs, "area weighting")
        fallback = 0
        if mask is not None:
            src, values, fallback = _apply_mask(src, values, mask, population.crs)
            shapes = shapes_of(src)
        alloc, assigned, outside = _allocate_areas(tgt, shapes, values)
        source = "polygons" if mask is None else "polygons (dasymetric)"
    series = pd.Series(alloc, index=targets.index, name=column)
    if not return_accounting:
        return series
    accounting = PopulationAccounting(
        input_total=float(values.sum()),
        assigned_total=assigned,
        outside_total=outside,
        source=source,
        mask_fallback=fallback,
    )
    return series, accounting


def population_within(
    population: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame | gpd.GeoSeries,
    distances_m: Sequence[float] = (1000, 3000, 10000),
    *,
    column: str = "population",
) -> pd.DataFrame:
    """People by distance band from features (front lines, siege lines, incidents).

    Parameters
    ----------
    population : GeoDataFrame
        Points (placed by their distance to the nearest feature) or polygons (spread by
        area over ring buffers around the features), with a ``column`` of people.
    features : GeoDataFrame or GeoSeries
        Lines, points or polygons, in the same projected CRS as ``population``.
    distances_m : sequence of float, default (1000, 3000, 10000)
        Upper edges of the bands in metres, strictly increasing.
    column : str, default "population"
        Column of people.

    Returns
    -------
    pandas.DataFrame
        One row per band (``band`` like ``"0-1 km"``, ``lower_m``, ``upper_m``,
        ``population``) and a last row ``"beyond 10 km"`` (``upper_m`` infinite), so the
        ``population`` column sums to the input total. A distance equal to a band's upper
        edge falls in that band.

    Examples
    --------
    >>> from shapely import LineString, Point
    >>> front = gpd.GeoSeries([LineString([(0, 0), (0, 10000)])], crs=32637)
    >>> pts = gpd.GeoDataFrame({"population": [10, 20, 30]},
    ...     geometry=[Point(500, 0), Point(2500, 0), Point(20000, 0)], crs=32637)
    >>> population_within(pts, front)[["band", "population"]].values.tolist()
    [['0-1 km', 10.0], ['1-3 km', 20.0], ['3-10 km', 0.0], ['beyond 10 km', 30.0]]
    """
    bounds = np.asarray([float(d) for d in distances_m], dtype=float)
    if bounds.size == 0 or not np.all(np.isfinite(bounds)) or np.any(bounds <= 0):
        msg = f"distances_m must be positive finite distances in metres; got {distances_m!r}"
        raise ValueError(msg)
    if np.any(np.diff(bounds) <= 0):
        msg = f"distances_m must be strictly increasing; got {distances_m!r}"
        raise ValueError(msg)
    if not isinstance(population, gpd.GeoDataFrame) or column not in population.columns:
        msg = f"population needs a {column!r} column of people"
        raise ScenarioError([Problem("population", msg, column=column)])
    require_same_crs(population.crs, features.crs, "population", "features")
    require_projected(population.crs, "distances in metres")
    values = people_values(population, column)
    shapes = checked_shapes(population, "population")
    src = shapes.geoms
    feat = target_geometries(features, "features")
    feat = feat[~shapely.is_empty(feat) & ~shapely.is_missing(feat)]
    nb = bounds.size
    if geometry_kind(src) == "points":
        band = np.full(src.size, nb, dtype=np.int64)
        if feat.size:
            reach = bounds[-1] * (1 + 1e-9) + 1e-6
            tree = shapely.STRtree(feat)
            (i, _), dist = tree.query_nearest(src, max_distance=reach, return_distance=True)
            band[i] = np.searchsorted(bounds, dist, side="left")
        totals = np.bincount(band, weights=values, minlength=nb + 1)
    else:
        rings = _rings(feat, bounds)
        alloc, _, outside = _allocate_areas(rings, shapes, values)
        totals = np.append(alloc, outside)
    lower = np.concatenate([[0.0], bounds])
    upper = np.concatenate([bounds, [np.inf]])
    labels = [f"{_km(lo)}-{_km(hi)} km" for lo, hi in zip(lower[:-1], upper[:-1], strict=True)]
    labels.append(f"beyond {_km(bounds[-1])} km")
    return pd.DataFrame({"band": labels, "lower_m": lower, "upper_m": upper, "population": totals})


# --------------------------------------------------------------------------- internals
def _km(metres: float) -> str:
    return f"{metres / 1000:g}"


def _rings(features: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Disjoint ring buffers (0-d1, d1-d2, ...) around the union of the features."""
    if features.size == 0:
        return np.array([shapely.Polygon()] * bounds.size, dtype=object)
    merged = shapely.union_all(features)
    buffers = shapely.buffer(merged, bounds, quad_segs=16)
    inner = np.concatenate([[shapely.Polygon()], buffers[:-1]])
    return shapely.difference(buffers, inner)


def _allocate_points(
    targets: np.ndarray, points: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Points to the lowest-position target whose closure holds them."""
    n_tgt = targets.size
    tree = shapely.STRtree(points)
    t, s = tree.query(targets, predicate="intersects")
    best = np.full(points.size, n_tgt, dtype=np.int64)
    np.minimum.at(best, s, t)
    inside = best < n_tgt
    alloc = np.bincount(best[inside], weights=values[inside], minlength=n_tgt)
    return alloc.astype(float), float(values[inside].sum()), float(values[~inside].sum())


def _apply_mask(
    src: np.ndarray, values: np.ndarray, mask: Any, crs: CRS
) -> tuple[np.ndarray, np.ndarray, int]:
    """Replace each source by its masked pieces, people shared by piece area."""
    if mask is None:
        return src, values, 0
    mgeoms = target_geometries(mask, "mask")
    require_same_crs(crs, mask.crs, "population", "mask")
    parts = shapely.get_parts(shapely.union_all(mgeoms))
    parts = parts[shapely.area(parts) > 0]
    tree = shapely.STRtree(src)
    p, s = tree.query(parts, predicate="intersects")
    pieces = shapely.intersection(parts[p], src[s])
    area = shapely.area(pieces)
    keep = area > 0
    pieces, s, area = pieces[keep], s[keep], area[keep]
    masked = np.bincount(s, weights=area, minlength=src.size)
    fallback = masked <= 0
    piece_values = values[s] * area / masked[s]
    return (
        np.concatenate([src[fallback], pieces]),
        np.concatenate([values[fallback], piece_values]),
        int(fallback.sum()),
    )


def _coverage(
    targets: np.ndarray, shapes: Shapes, tree: shapely.STRtree
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target, source, weight) for every overlapping pair; weight = share of the source.

    Candidate pairs come from bounding boxes. A source that no piece of a target's
    boundary comes near (by bounding box; boundaries are cut into pieces about one source
    wide) lies wholly inside or wholly outside that target: one point-in-polygon test
    decides, with weight 1 and no intersection. Only sources near a boundary are cut.
    """
    src, bounds, src_area, rect = shapes
    n_src = src.size
    t, s = tree.query(targets)
    if t.size == 0:
        return t, s, np.zeros(0)
    size = np.nanmedian(np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]))
    parts, part_of = shapely.get_parts(shapely.boundary(targets), return_index=True)
    if np.isfinite(size) and size > 0:
        parts = shapely.segmentize(parts, size)
    xy, line = shapely.get_coordinates(parts, return_index=True)
    same = line[1:] == line[:-1]
    segments = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))
    seg_t, seg_s = tree.query(segments)
    near_keys = np.unique(part_of[line[:-1][same]][seg_t].astype(np.int64) * n_src + seg_s)
    keys = t.astype(np.int64) * n_src + s
    at = np.minimum(np.searchsorted(near_keys, keys), max(near_keys.size - 1, 0))
    near = near_keys[at] == keys if near_keys.size else np.zeros(t.size, dtype=bool)
    far = np.flatnonzero(~near)
    probe = (bounds[:, :2] + bounds[:, 2:]) / 2
    odd = np.flatnonzero(~rect)
    if odd.size:
        probe[odd] = shapely.get_coordinates(shapely.point_on_surface(src[odd]), include_z=False)
    shapely.prepare(targets)
    weight = np.zeros(t.size, dtype=float)
    xy = probe[s[far]]
    weight[far] = shapely.contains_xy(targets[t[far]], xy[:, 0], xy[:, 1]).astype(float)
    cut = np.flatnonzero(near)
    area = np.zeros(cut.size)
    # rectangles against polygonal targets: exact areas in numpy; the rest through GEOS
    boxed = rect[s[cut]] & np.isin(shapely.get_type_id(targets), (3, 6))[t[cut]]
    if boxed.any():
        area[boxed] = _box_overlap(targets, t[cut[boxed]], bounds[s[cut[boxed]]])
    if not boxed.all():
        other = cut[~boxed]
        area[~boxed] = shapely.area(shapely.intersection(targets[t[other]], src[s[other]]))
    with np.errstate(divide="ignore", invalid="ignore"):
        weight[cut] = np.minimum(area / src_area[s[cut]], 1.0)
    ok = np.isfinite(weight) & (weight > 0)
    return t[ok], s[ok], weight[ok]


def _box_overlap(targets: np.ndarray, which: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Area of ``targets[which[i]]`` ∩ axis-aligned box ``boxes[i]`` (minx, miny, maxx, maxy).

    Exact up to rounding, by columns: the area of polygon P inside box R is the integral
    over x in R's span of the length of P ∩ R on the vertical line at x. Each boundary
    edge crossing that line contributes ``clamp(y, y0, y1) - y0``, positive where P lies
    below the edge, negative where above (each ring is read as if exteriors ran
    counter-clockwise and holes clockwise). So each edge whose x-span meets R's and that
    is not wholly below R adds ``-∫ (clamp(y(x), y0, y1) - y0) dx`` over its clipped
    x-span, in closed form. No crossing or corner is special-cased, so edges along the
    box's sides need no care. Work grows with the target edges in each box's column up
    to the target's top (a few for convex targets, more for ragged ones).
    """
    used = np.unique(which)
    parts, part_of = shapely.get_parts(targets[used], return_index=True)
    part_of = used[part_of]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    exterior = np.r_[True, ring_of[1:] != ring_of[:-1]]
    sign = np.where(shapely.is_ccw(rings) == exterior, 1.0, -1.0)
    xy, vertex_of = shapely.get_coordinates(rings, return_index=True)
    same = np.flatnonzero(vertex_of[1:] == vertex_of[:-1])
    a, b = xy[same], xy[same + 1]
    edge_ring = vertex_of[same]
    edge_target, edge_sign = part_of[ring_of[edge_ring]], sign[edge_ring]
    # candidate edges: those in the box's column, from its bottom up to the target's top
    top = shapely.bounds(targets)[which, 3]
    # (the diagonal of each column: same envelope as a box, cheaper to build)
    corners = np.stack(
        [boxes[:, :2], np.column_stack([boxes[:, 2], np.maximum(top, boxes[:, 3])])], axis=1
    )
    edges = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    i, e = edges.query(shapely.linestrings(corners))
    keep = edge_target[e] == which[i]
    i, e = i[keep], e[keep]
    x0, y0 = boxes[i, 0], boxes[i, 1]
    width, height = boxes[i, 2] - x0, boxes[i, 3] - y0
    xa, ya = a[e, 0] - x0, a[e, 1] - y0
    xb, yb = b[e, 0] - x0, b[e, 1] - y0
    dx = xb - xa
    left = np.clip(np.minimum(xa, xb), 0.0, width)
    right = np.clip(np.maximum(xa, xb), 0.0, width)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(dx != 0, (yb - ya) / dx, 0.0)
    y_left, y_right = ya + (left - xa) * slope, ya + (right - xa) * slope
    lo, hi = np.minimum(y_left, y_right), np.maximum(y_left, y_right)
    c_lo, c_hi = np.clip(lo, 0.0, height), np.clip(hi, 0.0, height)
    span = hi - lo
    flat = span <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(flat, 1.0, (c_hi - c_lo) / span)
        above = np.where(flat, 0.0, np.maximum(hi - np.maximum(lo, height), 0.0) / span)
    mean = inside * (c_lo + c_hi) / 2 + above * height
    contribution = -np.sign(dx) * (right - left) * mean * edge_sign[e]
    return np.bincount(i, weights=contribution, minlength=which.size)


def _allocate_areas(
    targets: np.ndarray, shapes: Shapes, values: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Area-weighted (extensive) allocation; returns (per target, assigned, outside)."""
    n_src, n_tgt = shapes.geoms.size, targets.size
    if n_src == 0 or n_tgt == 0:
        return np.zeros(n_tgt), 0.0, float(values.sum())
    # own copies: preparing must not touch the caller's geometry objects
    targets = shapely.transform(targets, lambda xy: xy)
    tree = shapely.STRtree(shapes.geoms)
    t, s, w = _coverage(targets, shapes, tree)
    covered = np.bincount(s, weights=w, minlength=n_src)
    if overlapping(targets):
        # each target keeps its own share; people are counted once from the union
        union = np.array([shapely.union_all(targets)], dtype=object)
        _, su, wu = _coverage(union, shapes, tree)
        covered = np.minimum(np.bincount(su, weights=wu, minlength=n_src), 1.0)
    else:
        # rounding can push a source's shares a hair above 1: normalise to conserve
        over = covered > 1.0
        if over.any():
            w = w / np.maximum(covered[s], 1.0)
            covered = np.minimum(covered, 1.0)
    alloc = np.bincount(t, weights=w * values[s], minlength=n_tgt)
    assigned = float(np.sum(values * covered))
    outside = float(np.sum(values * (1.0 - covered)))
    return alloc, assigned, outside
