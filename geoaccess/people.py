"""Located people of an estimate as weighted points, with what is derived from them.

Polygon estimates are turned into weighted points for the network and catchment rules by
cutting them on a square grid of ``cell_m`` metres (area-weighted, each piece at its
centroid); straight-line reach and distance bands use the polygons exactly.

Everything derived from an estimate's people (weighted points, their road nodes, the
walks from each entrance) is computed once per assessment and shared by the distance
bands, corridor reach, the population table and the catchments (``Estimate.cache``);
the per-side road graphs and reach regions are memoised in ``Projected.memo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from .passable import _gkey, _side_parts

if TYPE_CHECKING:
    from .exposure import Estimate
    from .territory import Ground

__all__ = ["CELL_M", "people_points"]

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


def _located(est: Estimate, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`people_points` of an estimate, computed once per assessment."""
    key = ("points", cell_m)
    found = est.cache.get(key)
    if not isinstance(found, tuple):
        found = people_points(est.people, cell_m=cell_m)
        est.cache[key] = found
    pts, weights = found
    return pts, weights


def _points_tree(est: Estimate, cell_m: float) -> shapely.STRtree:
    """Spatial index of the located people (cached)."""
    key = ("tree", cell_m)
    tree = est.cache.get(key)
    if not isinstance(tree, shapely.STRtree):
        tree = shapely.STRtree(_located(est, cell_m)[0])
        est.cache[key] = tree
    return tree


def _snapped(est: Estimate, graph: Any, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest road node of each located person and the distance to it (cached)."""
    from .network import nearest_nodes

    key = ("nodes", id(graph), cell_m)
    found = est.cache.get(key)
    if not isinstance(found, tuple):
        found = nearest_nodes(graph, _located(est, cell_m)[0])
        est.cache[key] = found
    node, near = found
    return node, near


def _in_part(
    est: Estimate, ground: Ground, side: str | None, part: int, cell_m: float
) -> np.ndarray:
    """Whether each located person stands on piece ``part`` of ``side``'s ground."""
    key = ("in_parts", _gkey(ground), side, cell_m)
    hits = est.cache.get(key)
    if not isinstance(hits, np.ndarray):
        pts, _ = _located(est, cell_m)
        parts = _side_parts(ground, side)
        hits = (
            _points_tree(est, cell_m).query(parts, predicate="intersects")[::-1]
            if len(parts) and len(pts)
            else np.zeros((2, 0), dtype=np.int64)
        )
        est.cache[key] = hits
    p, q = hits
    out = np.zeros(len(_located(est, cell_m)[0]), dtype=bool)
    if part >= 0:
        out[p[q == part]] = True
    return out
