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

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from .passable import _gkey, _memo, _part_of, _side_csr, _side_ground
from .people import CELL_M, _in_part, _located, _snapped
from .population import allocate_population

if TYPE_CHECKING:
    from .exposure import Estimate
    from .territory import Ground

__all__ = ["corridor_reach"]


def corridor_reach(
    corridors: gpd.GeoDataFrame,
    ground: Ground,
    estimate: Estimate | None,
    graph: Any,
    *,
    cell_m: float = CELL_M,
) -> gpd.GeoDataFrame:
    """Population within walking reach of each corridor's entrance.

    Parameters
    ----------
    corridors : GeoDataFrame
        :func:`~geoaccess.corridors.corridor_table` (metric CRS, with ``entrance``).
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
    rules = ground.projected.rules
    out = corridors.copy()
    n = len(out)
    straight, network, minutes = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    if estimate is not None and n:
        entrances = out["entrance"].to_numpy(dtype=object)
        sides = out["entrance_side"].to_numpy(dtype=object)
        regions = [
            _reach_region(ground, s, e, rules.walk_reach_m)
            for e, s in zip(entrances, sides, strict=True)
        ]
        straight[:] = allocate_population(
            gpd.GeoSeries(regions, crs=out.crs), estimate.people
        ).to_numpy(float)
        if graph is not None:
            _, weights = _located(estimate, cell_m)
            speed = rules.walk_speed_kmh * 1000.0 / 60.0
            for k, (entrance, side) in enumerate(zip(entrances, sides, strict=True)):
                walk, ok = _reached(estimate, ground, graph, entrance, side, cell_m)
                network[k] = float(weights[ok].sum())
                minutes[k] = _weighted_median(walk[ok], weights[ok]) / speed
    out["population_within_reach"] = straight
    out["population_within_reach_network"] = network
    out["walk_minutes_p50"] = minutes
    return out


def _reach_region(
    ground: Ground, side: str | None, entrance: shapely.Point, reach_m: float
) -> shapely.Geometry:
    def build() -> shapely.Geometry:
        disc = shapely.buffer(entrance, reach_m, quad_segs=32)
        return shapely.intersection(disc, _side_ground(ground, side, entrance))

    key = ("reach_region", _gkey(ground), side, shapely.to_wkb(entrance), reach_m)
    return _memo(ground, key, build)


def _reached(
    est: Estimate,
    ground: Ground,
    graph: Any,
    entrance: shapely.Point,
    side: str | None,
    cell_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Walk from ``entrance`` to each person by road, and who is within reach (cached).

    The walk is the snap of the entrance to its nearest node, the road distance usable by
    ``side`` and the person's snap to their nearest node (``inf``: beyond reach); a
    person is within reach when the walk is at most ``walk_reach_m`` and they stand on
    the entrance's piece of the side's passable ground.
    """
    from scipy.sparse.csgraph import dijkstra

    from .network import nearest_nodes

    reach = ground.projected.rules.walk_reach_m
    key = ("walk", _gkey(ground), id(graph), side, shapely.to_wkb(entrance), cell_m)
    found = est.cache.get(key)
    if not isinstance(found, tuple):
        pts, _ = _located(est, cell_m)
        if not len(pts):
            found = (np.zeros(0), np.zeros(0, dtype=bool))
        else:
            (start,), (snap,) = nearest_nodes(graph, np.array([entrance], dtype=object))
            dist = dijkstra(
                _side_csr(ground, side, graph), directed=True, indices=start, limit=reach
            )
            node, near = _snapped(est, graph, cell_m)
            walk = snap + dist[node] + near
            ok = (walk <= reach) & _in_part(
                est, ground, side, _part_of(ground, side, entrance), cell_m
            )
            found = (walk, ok)
        est.cache[key] = found
    walk, ok = found
    return walk, ok


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    if not len(values) or weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2.0)])
