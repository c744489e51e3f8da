"""Corridor reach: the people within walking reach of each corridor's entrance.

- **Corridor reach.** People within ``walk_reach_m`` straight-line of a corridor's
  entrance *and* on the connected piece of passable ground of the entrance's side that
  holds the entrance: people across a front or siege line cannot walk to it, however
  close. With roads, the network reach counts the people whose nearest road node (snap
  distance added) is within ``walk_reach_m`` of the entrance along roads usable by the
  entrance's side (front and siege lines cut roads; roads deeper than ``snap_m`` in
  hostile ground are removed), on the same piece of ground.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra

from ..engine import keys
from ..engine.cache import Cache
from ..engine.context import Context
from ..engine.passable import part_of, walk_ground, walk_roads
from ..engine.roads import RoadGraph, nearest_nodes
from ..engine.territory import Ground
from .allocate import allocate_population
from .estimates import Estimate
from .people import CELL_M, in_part, located, snapped

__all__ = ["corridor_reach", "reach_region", "reached"]


def corridor_reach(
    ctx: Context,
    cache: Cache,
    corridors: gpd.GeoDataFrame,
    ground: Ground,
    estimate: Estimate | None,
    graph: RoadGraph | None,
    *,
    cell_m: float = CELL_M,
) -> gpd.GeoDataFrame:
    """Population within walking reach of each corridor's entrance.

    Parameters
    ----------
    ctx : Context
        The projected scenario (``walk_reach_m`` and ``walk_speed_kmh`` of its rules).
    cache : Cache
        The call's cache.
    corridors : GeoDataFrame
        :func:`~geoaccess.engine.corridors.corridor_table` (metric CRS, with ``entrance``).
    ground : Ground
        Territories of the date.
    estimate : Estimate or None
        The primary estimate (``None``: no population, reach is ``NaN``).
    graph : RoadGraph or None
        Roads of the date (``None``: network columns are ``NaN``).
    cell_m : float, default CELL_M
        Grid for turning polygon people into points (network reach).

    Returns
    -------
    GeoDataFrame
        A copy with ``population_within_reach`` (straight line, entrance side's ground),
        ``population_within_reach_network`` and ``walk_minutes_p50`` (median walk of the
        people reached by road, at ``walk_speed_kmh``).
    """
    rules = ctx.rules
    out = corridors.copy()
    n = len(out)
    straight, network, minutes = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    if estimate is not None and n:
        entrances = out["entrance"].to_numpy(dtype=object)
        sides = out["entrance_side"].to_numpy(dtype=object)
        regions = [
            reach_region(ctx, cache, ground, s, e) for e, s in zip(entrances, sides, strict=True)
        ]
        straight[:] = allocate_population(
            gpd.GeoSeries(regions, crs=out.crs), estimate.people
        ).to_numpy(float)
        if graph is not None:
            _, weights = located(cache, estimate, cell_m)
            speed = rules.walk_speed_kmh * 1000.0 / 60.0
            for k, (entrance, side) in enumerate(zip(entrances, sides, strict=True)):
                walk, ok = reached(ctx, cache, estimate, ground, graph, entrance, side, cell_m)
                network[k] = float(weights[ok].sum())
                minutes[k] = _weighted_median(walk[ok], weights[ok]) / speed
    out["population_within_reach"] = straight
    out["population_within_reach_network"] = network
    out["walk_minutes_p50"] = minutes
    return out


def reach_region(
    ctx: Context, cache: Cache, ground: Ground, side: str | None, entrance: shapely.Point
) -> shapely.Geometry:
    """Ground within ``walk_reach_m`` of an entrance, on its side's ground (memoised).

    Only the connected piece of the side's passable ground holding the entrance counts.
    """
    reach_m = ctx.rules.walk_reach_m

    def build() -> shapely.Geometry:
        disc = shapely.buffer(entrance, reach_m, quad_segs=32)
        return shapely.intersection(disc, walk_ground(ctx, cache, ground, side, entrance))

    key = keys.reach_region(ground.rows, side, (entrance.x, entrance.y), reach_m)
    return cache.get(key, build)


def reached(
    ctx: Context,
    cache: Cache,
    est: Estimate,
    ground: Ground,
    graph: RoadGraph,
    entrance: shapely.Point,
    side: str | None,
    cell_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Walk from ``entrance`` to each person by road, and who is within reach (memoised).

    The walk is the snap of the entrance to its nearest node, the road distance usable by
    ``side`` and the person's snap to their nearest node (``inf``: beyond reach); a
    person is within reach when the walk is at most ``walk_reach_m`` and they stand on
    the entrance's piece of the side's passable ground.
    """
    reach = ctx.rules.walk_reach_m

    def build() -> tuple[np.ndarray, np.ndarray]:
        pts, _ = located(cache, est, cell_m)
        if not len(pts):
            return np.zeros(0), np.zeros(0, dtype=bool)
        (start,), (snap,) = nearest_nodes(graph, np.array([entrance], dtype=object))
        dist = dijkstra(
            walk_roads(ctx, cache, ground, side, graph), directed=True, indices=start, limit=reach
        )
        node, near = snapped(cache, est, ground.rows, graph, cell_m)
        walk = snap + dist[node] + near
        part = part_of(ctx, cache, ground, side, entrance)
        ok = (walk <= reach) & in_part(ctx, cache, ground, est, side, part, cell_m)
        return walk, ok

    key = keys.walk(est.key, ground.rows, side, (entrance.x, entrance.y), cell_m)
    walk, ok = cache.get(key, build)
    return walk, ok


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    if not len(values) or weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2.0)])
