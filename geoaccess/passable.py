"""Connected pieces of each side's passable ground and the barriers that cut them.

A person moves on the connected piece of their side's passable ground where they stand;
front and siege lines (and the core of hostile ground) cut the roads a walker of that
side can use. Everything here is memoised in ``Projected.memo`` by the zones and siege
lines valid on the date, and shared by corridor reach and facility catchments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

if TYPE_CHECKING:
    from .territory import Ground


def _gkey(ground: Ground) -> tuple[object, ...]:
    """Memo key of a date's ground and barriers: the zones and siege lines valid."""
    return (ground.key, ground.projected.rows_at("siege_lines", ground.date))


def _memo(ground: Ground, key: tuple[object, ...], build: Any) -> Any:
    memo = ground.projected.memo
    if key not in memo:
        memo[key] = build()
    return memo[key]


def _side_parts(ground: Ground, side: str | None) -> np.ndarray:
    """Connected pieces of ``side``'s passable ground (the frame for no known side)."""
    from .territory import side_view

    def build() -> np.ndarray:
        if side is None or side not in ground.sides:
            return np.array([ground.projected.frame], dtype=object)
        return shapely.get_parts(side_view(ground, side).passable)

    return _memo(ground, ("exposure_parts", _gkey(ground), side), build)


def _part_of(ground: Ground, side: str | None, point: shapely.Point) -> int:
    """Position in :func:`_side_parts` of the piece holding ``point`` (within snap_m; -1)."""
    parts = _side_parts(ground, side)
    if not len(parts):
        return -1
    dist = shapely.distance(parts, point)
    best = int(np.argmin(dist))
    return best if dist[best] <= ground.projected.rules.snap_m else -1


def _side_ground(ground: Ground, side: str | None, point: shapely.Point) -> shapely.Geometry:
    """The connected piece of ``side``'s passable ground holding ``point`` (within snap_m)."""
    k = _part_of(ground, side, point)
    return _side_parts(ground, side)[k] if k >= 0 else shapely.Polygon()


def _side_barriers(ground: Ground, side: str | None) -> shapely.Geometry | None:
    """Front and siege lines facing ``side``, plus the core of its hostile ground."""
    from .territory import side_view

    if side is None or side not in ground.sides:
        return _all_barriers(ground)
    view = side_view(ground, side)
    core = shapely.buffer(view.hostile, -ground.projected.rules.snap_m)
    return shapely.union(view.barrier_lines, core)


def _all_barriers(ground: Ground) -> shapely.Geometry:
    lines = [ground.front_union]
    sieges = ground.projected.layer_at("siege_lines", ground.date)
    if sieges is not None and len(sieges):
        lines.extend(sieges.geometry.values)
    return shapely.union_all(lines)


def _side_csr(ground: Ground, side: str | None, graph: Any) -> Any:
    """Road lengths a walker of ``side`` can use (its barriers cut), memoised per call."""
    from ._graph import cut_by, weighted_csr

    def build() -> Any:
        keep = ~cut_by(graph, _side_barriers(ground, side))
        if keep.all():
            return graph.distance_csr
        return weighted_csr(graph.n_nodes, graph.u[keep], graph.v[keep], graph.lengths[keep])

    key = ("exposure_csr", _gkey(ground), side, id(graph))
    return _memo(ground, key, build)
