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

__all__ = ["CELL_M", "in_part", "located", "people_points", "points_tree", "snapped"]

#: Side of the grid cells that turn polygon estimates into weighted points, metres.
CELL_M = 100.0


def people_points(
    people: gpd.GeoDataFrame, *, cell_m: float = CELL_M
) -> tuple[np.ndarray, np.ndarray]:
    """Located people as weighted points: polygons are cut on a ``cell_m`` grid.

    Cells wholly inside a polygon are taken as they are; only the cells its boundary
    crosses are intersected.

    Returns
    -------
    tuple of numpy.ndarray
        Points and people per point (polygon pieces at their centroids, people shared
        by area).
    """
    geoms = people.geometry.to_numpy(dtype=object)
    values = people["population"].to_numpy(dtype=float)
    ok = ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms) & (values > 0)
    geoms, values = geoms[ok], values[ok]
    if not len(geoms) or (shapely.get_type_id(geoms) == 0).all():
        return geoms, values
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    xs = np.arange(np.floor(x0 / cell_m) * cell_m, x1, cell_m)
    ys = np.arange(np.floor(y0 / cell_m) * cell_m, y1, cell_m)
    gx, gy = np.meshgrid(xs, ys)
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell_m, gy.ravel() + cell_m)
    tree = shapely.STRtree(cells)
    g, c = tree.query(geoms, predicate="intersects")
    gi, ci = tree.query(geoms, predicate="contains_properly")
    inside = np.zeros(len(g), dtype=bool)
    if len(gi):
        pair = g.astype(np.int64) * len(cells) + c
        inside = np.isin(pair, gi.astype(np.int64) * len(cells) + ci)
    pieces = cells[c].copy()
    pieces[~inside] = shapely.intersection(geoms[g[~inside]], cells[c[~inside]])
    area = shapely.area(pieces)
    keep = area > 0
    g, pieces, area = g[keep], pieces[keep], area[keep]
    whole = np.bincount(g, weights=area, minlength=len(geoms))
    return shapely.centroid(pieces), values[g] * area / whole[g]


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
