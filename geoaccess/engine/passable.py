"""Where a walker can go: connected pieces of a side's passable ground, and its roads.

A person moves on the connected piece of their side's passable ground where they stand;
front and siege lines (and the core of hostile ground) cut the roads a walker of that
side can use. A walker on ground no side holds (``side=None``) is cut by every front and
siege line. Everything here is memoised in the call's cache by the zones and siege lines
valid on the date, and shared by corridor reach and facility catchments.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy import sparse

from . import keys
from .cache import Cache
from .context import Context
from .graph import cut_by, weighted_csr
from .impassable import impassable_at
from .roads import RoadGraph
from .sides import side_view
from .territory import Ground

__all__ = [
    "all_barriers",
    "part_of",
    "unheld_parts",
    "walk_ground",
    "walk_parts",
    "walk_roads",
    "walker_barriers",
]


def walk_parts(ctx: Context, cache: Cache, ground: Ground, side: str | None) -> np.ndarray:
    """Connected pieces of ``side``'s passable ground (the whole frame for no known side)."""

    def build() -> np.ndarray:
        if side is None or side not in ground.sides:
            blocked = impassable_at(ctx, cache, ground.rows)
            if blocked.is_empty:
                return np.array([ctx.frame], dtype=object)
            return shapely.get_parts(shapely.difference(ctx.frame, blocked.ground))
        return shapely.get_parts(side_view(ctx, cache, ground, side).passable)

    return cache.get(keys.walk_parts(ground.rows, side), build)


def unheld_parts(ctx: Context, cache: Cache, ground: Ground) -> np.ndarray:
    """Connected pieces of the frame cut by every front and siege line.

    Where people on ground no side holds can walk: every line is a barrier to them.
    """

    def build() -> np.ndarray:
        lines = all_barriers(ctx, ground)
        blocked = impassable_at(ctx, cache, ground.rows)
        if shapely.is_empty(lines) and blocked.is_empty:
            return np.array([ctx.frame], dtype=object)
        cut = shapely.buffer(lines, ctx.rules.snap_m / 2.0, quad_segs=4)
        if not blocked.is_empty:
            cut = shapely.union(cut, blocked.ground)
        return shapely.get_parts(shapely.difference(ctx.frame, cut))

    return cache.get(keys.unheld_parts(ground.rows), build)


def part_of(
    ctx: Context, cache: Cache, ground: Ground, side: str | None, point: shapely.Point
) -> int:
    """Position in :func:`walk_parts` of the piece holding ``point`` (within snap_m; -1)."""
    parts = walk_parts(ctx, cache, ground, side)
    if not len(parts):
        return -1
    dist = shapely.distance(parts, point)
    best = int(np.argmin(dist))
    return best if dist[best] <= ctx.rules.snap_m else -1


def walk_ground(
    ctx: Context, cache: Cache, ground: Ground, side: str | None, point: shapely.Point
) -> shapely.Geometry:
    """The connected piece of ``side``'s ground holding ``point`` (within snap_m)."""
    k = part_of(ctx, cache, ground, side, point)
    return walk_parts(ctx, cache, ground, side)[k] if k >= 0 else shapely.Polygon()


def walker_barriers(
    ctx: Context, cache: Cache, ground: Ground, side: str | None
) -> shapely.Geometry:
    """Front and siege lines facing ``side``, plus the core of its hostile ground."""
    if side is None or side not in ground.sides:
        return all_barriers(ctx, ground)
    view = side_view(ctx, cache, ground, side)
    core = shapely.buffer(view.hostile, -ctx.rules.snap_m)
    return shapely.union(view.barrier_lines, core)


def all_barriers(ctx: Context, ground: Ground) -> shapely.Geometry:
    """Every front and siege line of the date."""
    lines = [ground.front_union]
    sieges = ctx.layer_at("siege_lines", ground.rows.siege_lines)
    if sieges is not None and len(sieges):
        lines.extend(sieges.geometry.values)
    return shapely.union_all(lines)


def walk_roads(
    ctx: Context, cache: Cache, ground: Ground, side: str | None, graph: RoadGraph
) -> sparse.csr_array:
    """Road lengths a walker of ``side`` can use (its barriers cut them)."""

    def build() -> sparse.csr_array:
        keep = ~cut_by(graph, walker_barriers(ctx, cache, ground, side))
        if keep.all():
            return graph.distance_csr
        return weighted_csr(graph.n_nodes, graph.u[keep], graph.v[keep], graph.lengths[keep])

    return cache.get(keys.walk_roads(ground.rows, side), build)
