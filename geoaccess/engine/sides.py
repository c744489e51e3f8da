"""One side's perspective on a date: its hostile ground, barriers and passable ground.

- **hostile(s)**: the territories of the sides hostile to ``s``, plus, with
  ``Rules(unmapped="hostile")``, frame ground that no zone covers.
- **barriers**: derived front lines and the siege lines held by parties of sides hostile
  to ``s``, ``snap_m / 2`` wide.
- **passable(s)** = frame − hostile(s) − barriers.
- **rear(s)**: the side's declared anchors, else the frame's edge.

What follows from a view (safe ground, encirclement, route clearance) is
:mod:`.safe_ground`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import shapely

from ..rules import Rules
from . import keys
from .cache import Cache
from .context import Context
from .territory import EMPTY, Ground

__all__ = ["SideView", "side_view"]


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
    anchors : numpy.ndarray or None
        Declared rear anchors, ``(n, 2)`` coordinates; ``None``: the frame's edge is the
        rear.
    hostile_sides : tuple of str
        Hostile sides holding ground on the date.
    barrier_key : Hashable
        Cache key of ``barrier_lines``: sides facing the same lines share their buffers.
    """

    side: str
    date: dt.date
    rows: keys.DayRows
    hostile: shapely.Geometry
    barrier_lines: shapely.Geometry
    passable: shapely.Geometry
    frame: shapely.Polygon
    anchors: np.ndarray | None
    hostile_sides: tuple[str, ...]
    barrier_key: Hashable


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
    if rules.unmapped == "hostile":
        covered = shapely.union_all([*ground.raw, *ground.territories])
        pieces.append(shapely.difference(ctx.frame, covered))
    hostile = shapely.union_all(pieces) if pieces else EMPTY
    held: tuple[int, ...] = ()
    if ground.rows.siege_lines:
        sieges = ctx.layers["siege_lines"]
        rows = np.asarray(ground.rows.siege_lines, dtype=int)
        held = tuple(rows[sieges["side"].iloc[rows].isin(hostile_sides).to_numpy()].tolist())
    barrier_key = keys.barriers(ground.rows, held)
    barrier_lines, barriers = cache.get(barrier_key, lambda: _barriers(ctx, ground, held, rules))
    passable = shapely.difference(ctx.frame, shapely.union(hostile, barriers))
    holding = tuple(s for s in hostile_sides if not ground.territory(s).is_empty)
    return SideView(
        side,
        ground.date,
        ground.rows,
        hostile,
        barrier_lines,
        passable,
        ctx.frame,
        ctx.anchors.get(side),
        holding,
        barrier_key,
    )


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
