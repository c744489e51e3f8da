"""One side's perspective on a date: its hostile ground, barriers and passable ground.

- **hostile(s)**: the territories of the sides hostile to ``s``, plus, with
  ``Rules(unmapped="hostile")``, frame ground that no zone covers, but for the
  slivers narrower than ``snap_m`` along the frame's edge.
- **barriers**: derived front lines and the siege lines held by parties of sides hostile
  to ``s``, ``snap_m / 2`` wide.
- **impassable**: the sea and the ``impassable`` layer (:mod:`.impassable`), but for the
  bridges: road segments the side can use across it (``snap_m`` wide).
- **passable(s)** = frame − hostile(s) − barriers − impassable.
- **rear(s)**: the side's declared anchors, else the frame's edge where it does not lie
  on impassable ground (the sea is no rear).

What follows from a view (safe ground, encirclement, route clearance) is
:mod:`.safe_ground`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely

from ..polygons import merged
from ..rules import Rules
from . import keys
from .cache import Cache
from .context import Context
from .impassable import impassable_at
from .roads import road_graph_at, usable_segments
from .territory import EMPTY, Ground, opening

__all__ = ["SideView", "hostile_unmapped", "side_view", "usable_roads"]


@dataclass(frozen=True, eq=False)
class SideView:
    """Hostile ground, barriers and passable ground of one side on one date (metric CRS).

    Attributes
    ----------
    side : str
        The side whose perspective this is.
    date : datetime.date
        The day.
    rows : DayRows
        The rows valid on the date.
    hostile : shapely.Geometry
        Ground of the sides hostile to ``side`` (and unmapped ground, when it counts as
        hostile).
    barrier_lines : shapely.Geometry
        Front lines and the siege lines of hostile parties.
    passable : shapely.Geometry
        Frame minus hostile ground minus the barriers (``snap_m / 2`` wide).
    frame : shapely.Polygon
        The frame.
    impassable : shapely.Geometry
        Impassable ground (the sea included), bridges not removed.
    rear_edge : shapely.Geometry
        The frame's edge off impassable ground: where ground reaches the rear when the
        side declares no anchors.
    anchors : numpy.ndarray or None
        Declared rear anchors, ``(n, 2)`` coordinates; ``None``: the frame's edge is the
        rear.
    hostile_sides : tuple of str
        Hostile sides holding ground on the date.
    clearance_lines : shapely.Geometry
        The barrier lines that clearances must keep away from beyond ``hostile``
        itself: front lines drawn on the edge of hostile ground lie on that ground
        already (their buffers add nothing to its buffer), so only those on the side's
        own or friendly ground's edge and the siege lines are kept.
    """

    side: str
    date: dt.date
    rows: keys.DayRows
    hostile: shapely.Geometry
    barrier_lines: shapely.Geometry
    passable: shapely.Geometry
    frame: shapely.Polygon
    impassable: shapely.Geometry
    rear_edge: shapely.Geometry
    anchors: np.ndarray | None
    hostile_sides: tuple[str, ...]
    clearance_lines: shapely.Geometry


def side_view(ctx: Context, cache: Cache, ground: Ground, side: str) -> SideView:
    """Hostile ground, barriers and passable ground of ``side`` on the ground's date.

    Memoised within one call by the zones and siege lines valid on the date.

    Parameters
    ----------
    ctx : Context
        The projected scenario.
    cache : Cache
        The call's cache.
    ground : Ground
        Territories on the date.
    side : str
        The side whose perspective is taken.

    Returns
    -------
    SideView
    """
    rows = ground.rows
    found = cache.get(keys.side_view(rows, side), lambda: _view(ctx, cache, ground, side))
    if found.date == ground.date and found.rows == rows:
        return found
    return dataclasses.replace(found, date=ground.date, rows=rows)


def _view(ctx: Context, cache: Cache, ground: Ground, side: str) -> SideView:
    scn, rules = ctx.scenario, ctx.rules
    hostile_sides = tuple(s for s in ground.sides if scn.relation(side, s) == "hostile")
    pieces = [ground.territory(s) for s in hostile_sides]
    blocked = impassable_at(ctx, cache, ground.rows)
    if rules.unmapped == "hostile":
        pieces.append(hostile_unmapped(ctx, cache, ground))
    hostile = merged(pieces)
    held: tuple[int, ...] = ()
    if ground.rows.siege_lines:
        sieges = ctx.layers["siege_lines"]
        rows = np.asarray(ground.rows.siege_lines, dtype=int)
        held_by = sieges["side"].to_numpy(dtype=object)[rows]
        held = tuple(rows[np.isin(held_by, hostile_sides)].tolist())
    barrier_lines, barriers = cache.get(
        keys.barriers(ground.rows, held), lambda: _barriers(ctx, ground, held, rules)
    )
    # a front line is drawn on the edge of its first side's territory (side_a): when
    # that side is hostile, the line lies on hostile ground and adds nothing to it
    on_friendly_edge = ~np.isin(ground.front["side_a"].to_numpy(dtype=object), hostile_sides)
    kept = tuple(np.flatnonzero(on_friendly_edge).tolist())
    clearance_key = keys.clearance_lines(ground.rows, held, kept)
    clearance_lines = cache.get(clearance_key, lambda: _clearance_lines(ctx, ground, held, kept))
    closed = shapely.union(hostile, barriers)
    rear_edge = shapely.get_exterior_ring(ctx.frame)
    if not blocked.is_empty:
        crossing = _bridges(ctx, cache, ground, side, hostile, barrier_lines, blocked.ground)
        closed = shapely.union(closed, shapely.difference(blocked.ground, crossing))
        rear_edge = shapely.difference(
            rear_edge, shapely.buffer(blocked.ground, rules.snap_m, quad_segs=4)
        )
    passable = shapely.difference(ctx.frame, closed)
    # prepared once: every clearance asks which components come within snap_m of it
    shapely.prepare(rear_edge)
    holding = tuple(s for s in hostile_sides if not ground.territory(s).is_empty)
    return SideView(
        side,
        ground.date,
        ground.rows,
        hostile,
        barrier_lines,
        passable,
        ctx.frame,
        blocked.ground,
        rear_edge,
        ctx.anchors.get(side),
        holding,
        clearance_lines,
    )


def hostile_unmapped(ctx: Context, cache: Cache, ground: Ground) -> shapely.Geometry:
    """Unmapped ground counted as hostile (``Rules(unmapped="hostile")``; memoised).

    Frame ground that no zone covers and that is not impassable (the sea is nobody's
    ground), but for the slivers narrower than ``snap_m`` within ``snap_m`` of the
    frame's edge. A map's zones run on beyond its edge; where they meet it, their edges
    and the frame's part by float noise, or, once both are simplified, by up to
    ``Rules.edge_tolerance_m`` plus the frame's metre. Counted as hostile, those slivers
    would line the rear with hostile ground and cap every route clearance through it.
    Narrow unmapped ground inside the map stays hostile, as the cautious reading asks
    (a strip left between occupied ground and the sea is no way out).

    Parameters
    ----------
    ctx : Context
        The projected scenario.
    cache : Cache
        The call's cache.
    ground : Ground
        Territories on the date.

    Returns
    -------
    shapely.Geometry
        Polygonal, or empty.
    """

    def build() -> shapely.Geometry:
        blocked = impassable_at(ctx, cache, ground.rows)
        covered = shapely.union_all([*ground.raw, *ground.territories])
        if not blocked.is_empty:
            covered = shapely.union(covered, blocked.ground)
        unmapped = shapely.difference(ctx.frame, covered)
        if unmapped.is_empty:
            return EMPTY
        snap = ctx.rules.snap_m
        # what is at least snap_m wide anywhere, and whatever lies farther in than snap_m
        edge = shapely.buffer(shapely.get_exterior_ring(ctx.frame), snap)
        return merged([opening(unmapped, snap / 2.0), shapely.difference(unmapped, edge)])

    found: shapely.Geometry = cache.get(keys.unmapped(ground.rows), build)
    return found


def usable_roads(
    ctx: Context,
    cache: Cache,
    rows: keys.DayRows,
    side: str,
    hostile: shapely.Geometry,
    barrier_lines: shapely.Geometry,
) -> np.ndarray | None:
    """The road segments ``side`` can use on the date (``None``: no roads; memoised)."""
    graph = road_graph_at(ctx, cache, rows)
    if graph is None:
        return None

    def build() -> np.ndarray:
        return usable_segments(
            graph, hostile=hostile, barriers=barrier_lines, snap_m=ctx.rules.snap_m
        )

    found: np.ndarray = cache.get(keys.usable(rows, side), build)
    return found


def _bridges(
    ctx: Context,
    cache: Cache,
    ground: Ground,
    side: str,
    hostile: shapely.Geometry,
    barrier_lines: shapely.Geometry,
    blocked: shapely.Geometry,
) -> shapely.Geometry:
    """Where the side crosses impassable ground on its roads (bridges, causeways).

    The usable road segments across it, ``snap_m`` wide.
    """
    usable = usable_roads(ctx, cache, ground.rows, side, hostile, barrier_lines)
    graph = road_graph_at(ctx, cache, ground.rows)
    if usable is None or graph is None:
        return EMPTY
    across = usable & shapely.intersects(graph.lines, blocked)
    if not across.any():
        return EMPTY
    # not clipped to the impassable ground: a band that ends exactly on the shore would
    # leave float slivers of shore across it
    return shapely.buffer(shapely.union_all(graph.lines[across]), ctx.rules.snap_m / 2.0)


def _clearance_lines(
    ctx: Context, ground: Ground, held: tuple[int, ...], kept: tuple[int, ...]
) -> shapely.Geometry:
    """The front lines ``kept`` (rows of ``ground.front``) and the siege lines ``held``."""
    lines = [*ground.front.geometry.values[list(kept)]]
    if held:
        lines.extend(ctx.layers["siege_lines"].geometry.values[list(held)])
    return shapely.union_all(lines) if lines else EMPTY


def _barriers(
    ctx: Context, ground: Ground, held: tuple[int, ...], rules: Rules
) -> tuple[shapely.Geometry, shapely.Geometry]:
    """Barrier lines (front lines and the siege lines ``held``) and their ``snap_m/2`` band."""
    lines = [ground.front_union]
    if held:
        lines.extend(ctx.layers["siege_lines"].geometry.values[list(held)])
    merged = shapely.union_all(lines)
    band = shapely.buffer(merged, rules.snap_m / 2.0, quad_segs=4) if not merged.is_empty else EMPTY
    return merged, band
