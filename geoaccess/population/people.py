"""Located people of an estimate as weighted points, with what is derived from them.

Polygon estimates are turned into weighted points for the network and catchment rules by
cutting them on a square grid of ``cell_m`` metres (area-weighted, each piece at its
centroid); straight-line reach and distance bands use the polygons exactly.

Everything derived from an estimate's people (weighted points, their road nodes, the
walks from each entrance) is computed once per call and shared by the distance bands,
corridor reach, the population table and the catchments: it is memoised in the call's
cache under the estimate's key.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ..engine import keys
from ..engine.cache import Cache
from ..engine.context import Context
from ..engine.passable import walk_parts
from ..engine.roads import RoadGraph, nearest_nodes
from ..engine.territory import Ground
from .estimates import Estimate

__all__ = [
    "CELL_M",
    "MAX_CELLS_PER_POLYGON",
    "in_part",
    "located",
    "people_points",
    "points_tree",
    "snapped",
]

#: Side of the grid cells that turn polygon estimates into weighted points, metres.
CELL_M = 100.0

#: Most grid cells over one polygon's bounding box: a larger polygon is cut on a grid of
#: ``CELL_M`` times a power of two, so that a district of 6,000 km² gives about 2,500
#: points, not 600,000 (people are spread evenly over a polygon in any case).
MAX_CELLS_PER_POLYGON = 2_500


def people_points(
    people: gpd.GeoDataFrame,
    *,
    cell_m: float = CELL_M,
    max_cells: int = MAX_CELLS_PER_POLYGON,
) -> tuple[np.ndarray, np.ndarray]:
    """Located people as weighted points: polygons are cut on a square grid.

    Each polygon is cut on the grid of side ``cell_m`` aligned on multiples of it, or,
    where its bounding box would hold more than ``max_cells`` such cells, of
    ``cell_m`` times the smallest power of two that brings it under. Cells wholly inside
    a polygon are taken as they are; only the cells its boundary crosses are
    clipped to it. Points are kept as they are.

    Returns
    -------
    tuple of numpy.ndarray
        Points and people per point (polygon pieces at their centroids, people shared
        by area), polygon by polygon in the order of the rows; every person of every
        polygon with an area is on a point.
    """
    geoms = people.geometry.to_numpy(dtype=object)
    values = people["population"].to_numpy(dtype=float)
    ok = ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms) & (values > 0)
    geoms, values = geoms[ok], values[ok]
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    if not polygonal.any():
        return geoms, values
    rows = np.flatnonzero(polygonal)
    # prepared copies: the estimate's geometries are shared, and preparing changes them
    shapes = shapely.transform(geoms[rows], lambda xy: xy)
    shapely.prepare(shapes)
    g, cells = _cells(shapes, cell_m, max_cells)
    inside = shapely.contains_properly(shapes[g], cells)
    meets = inside.copy()  # the cells inside meet it: only the others are tested
    meets[~inside] = shapely.intersects(shapes[g[~inside]], cells[~inside])
    g, cells, inside = g[meets], cells[meets], inside[meets]
    pieces = cells.copy()
    pieces[~inside] = _clipped(shapes[g[~inside]], cells[~inside])
    area = shapely.area(pieces)
    keep = area > 0
    g, pieces, area = g[keep], pieces[keep], area[keep]
    whole = np.bincount(g, weights=area, minlength=len(shapes))
    points, weights = shapely.centroid(pieces), values[rows][g] * area / whole[g]
    if polygonal.all():
        return points, weights
    # points stay where they are, in row order among the polygons' pieces
    order = np.argsort(np.r_[rows[g], np.flatnonzero(~polygonal)], kind="stable")
    return (
        np.r_[points, geoms[~polygonal]][order],
        np.r_[weights, values[~polygonal]][order],
    )


def _clipped(shapes: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Each polygon cut by its cell (a box), with GEOS's rectangle clipping.

    The same ground as :func:`shapely.intersection` (to float noise), about three times
    faster on the cells of neighbourhood polygons: a box needs no general overlay. GEOS
    does not promise a valid result; only the area and the centroid of each piece are
    read.
    """
    out = np.empty(len(shapes), dtype=object)
    for k, (shape, box) in enumerate(zip(shapes, shapely.bounds(cells), strict=True)):
        out[k] = shapely.clip_by_rect(shape, *box)
    return out


def _cells(shapes: np.ndarray, cell_m: float, max_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid cells over each polygon's bounding box, row by row (south to north).

    Returns the polygon of each cell and the cells (boxes).
    """
    x0, y0, x1, y1 = shapely.bounds(shapes).T
    # the grid of each polygon: cell_m * 2**k, k the least keeping it under max_cells
    wanted = np.sqrt((x1 - x0) * (y1 - y0) / max_cells) / cell_m
    size = cell_m * 2.0 ** np.ceil(np.log2(np.maximum(wanted, 1.0)))
    ix0, iy0 = np.floor(x0 / size), np.floor(y0 / size)
    nx = np.maximum(np.ceil(x1 / size) - ix0, 1).astype(np.int64)
    ny = np.maximum(np.ceil(y1 / size) - iy0, 1).astype(np.int64)
    count = nx * ny
    g = np.repeat(np.arange(len(shapes)), count)
    k = np.arange(len(g)) - np.repeat(np.cumsum(count) - count, count)
    row, col = np.divmod(k, nx[g])
    left, bottom, side = (ix0[g] + col) * size[g], (iy0[g] + row) * size[g], size[g]
    return g, shapely.box(left, bottom, left + side, bottom + side)


def located(cache: Cache, est: Estimate, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`people_points` of an estimate, computed once per call."""
    found: tuple[np.ndarray, np.ndarray] = cache.get(
        keys.people_points(est.key, cell_m), lambda: people_points(est.people, cell_m=cell_m)
    )
    return found


def points_tree(cache: Cache, est: Estimate, cell_m: float) -> shapely.STRtree:
    """Spatial index of an estimate's located people (built once per call)."""
    tree: shapely.STRtree = cache.get(
        keys.people_tree(est.key, cell_m), lambda: shapely.STRtree(located(cache, est, cell_m)[0])
    )
    return tree


def snapped(
    cache: Cache, est: Estimate, rows: keys.DayRows, graph: RoadGraph, cell_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest road node of each located person and the distance to it (once per call)."""
    found: tuple[np.ndarray, np.ndarray] = cache.get(
        keys.people_nodes(est.key, rows, cell_m),
        lambda: nearest_nodes(graph, located(cache, est, cell_m)[0]),
    )
    return found


def in_part(
    ctx: Context,
    cache: Cache,
    ground: Ground,
    est: Estimate,
    side: str | None,
    part: int,
    cell_m: float,
) -> np.ndarray:
    """Whether each located person stands on piece ``part`` of ``side``'s passable ground."""

    def build() -> np.ndarray:
        pts, _ = located(cache, est, cell_m)
        parts = walk_parts(ctx, cache, ground, side)
        if not (len(parts) and len(pts)):
            return np.zeros((2, 0), dtype=np.int64)
        return points_tree(cache, est, cell_m).query(parts, predicate="intersects")[::-1]

    p, q = cache.get(keys.people_parts(est.key, ground.rows, side, cell_m), build)
    out = np.zeros(len(located(cache, est, cell_m)[0]), dtype=bool)
    if part >= 0:
        out[p[q == part]] = True
    return out
