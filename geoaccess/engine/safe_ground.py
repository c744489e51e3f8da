"""Safe ground and the rear: encirclement, fire control and route clearance of a side's ground.

- **safe ground at clearance c**: ``S_c = passable(s) − buffer(hostile(s) ∪ barrier
  lines, c)`` (``S_0`` = passable).
- **rear**: a component of ``S_c`` reaches the rear when it lies within ``max(c, snap_m)``
  of a declared anchor of the side, or, where the side declares none, within ``snap_m``
  of the frame's edge.
- a piece of ground ``X`` is **connected at c** when a component of ``S_c`` that reaches
  the rear lies within ``c`` of ``X``: the morphological opening of passable ground by a
  disc of radius ``c``, so ground along a wide front stays reachable while necks
  narrower than ``2c`` do not, and ``X``'s own ground counts.
- **encircled**: not connected at 0; **route clearance**: the largest ``c`` at which
  ``X`` stays connected, by bisection on a grid of ``step`` metres.

The components reaching the rear are memoised per side and clearance in the call's cache,
so every pocket and area of a side shares them. Past ``fire_control_m``, the ground a
clearance keeps from grows from a ladder of buffers at ``fire_control_m * 2**k``
(:func:`_blocked`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
import shapely

from ..rules import Rules
from . import keys
from .cache import Cache
from .sides import SideView

__all__ = [
    "CLEARANCE_CAP_M",
    "CLEARANCE_STEP_M",
    "connected",
    "encircled",
    "hostile_perimeter_share",
    "rear_components",
    "route_clearance",
]

#: Grid of the route-clearance bisection, metres.
CLEARANCE_STEP_M = 25.0
#: Largest route clearance searched; reported as "at least" this much.
CLEARANCE_CAP_M = 10_000.0
#: Segments per quarter circle in the buffers of safe ground. GEOS draws a buffer's arcs
#: as chords inside the circle, up to ``c (1 - cos(pi / (4 q)))`` short of a clearance
#: ``c``: 0.12 % with 16 (12 m at the cap). With 4 (used before) it is 1.9 %, and gaps
#: between the buffers of two obstacles stay open well past the clearance that closes
#: them: on the bundled Aleppo scenario route clearances came out up to 550 m too large
#: against buffers of 256 segments; with 16 they are within 50 m of those.
ARC_SEGMENTS = 16
#: Metres by which hostile ground and clearance lines are first grown into one polygon
#: before a clearance's buffer (:func:`_grown`).
SEED_M = 0.5
#: Lowest foot of the ladder of buffers that clearances past fire control grow from
#: (:func:`_blocked`): a foot near zero would need many rungs, each with more vertices,
#: and below a nanometre GEOS drops the clearance lines' buffer altogether.
LADDER_FROM_M = 1_000.0


def rear_components(
    view: SideView, clearance: float, *, rules: Rules, cache: Cache
) -> shapely.STRtree | None:
    """Tree of the components of safe ground ``S_c`` that reach the rear (``None``: none)."""
    c = float(clearance)
    return cache.get(
        keys.rear_components(view.rows, view.side, c),
        lambda: _rear_components(view, c, rules, cache),
    )


def _rear_components(
    view: SideView, c: float, rules: Rules, cache: Cache
) -> shapely.STRtree | None:
    snap_m = rules.snap_m
    if c <= 0:
        safe = view.passable
    else:
        safe = shapely.difference(view.passable, _blocked(view, c, rules.fire_control_m, cache))
    parts = shapely.get_parts(safe)
    parts = parts[shapely.area(parts) > 0] if len(parts) else parts
    # the rear (prepared) first: GEOS then measures each part against its index
    if view.anchors is not None:
        anchors = shapely.multipoints(view.anchors)
        shapely.prepare(anchors)
        reach = shapely.dwithin(anchors, parts, max(c, snap_m))
    else:
        reach = shapely.dwithin(view.rear_edge, parts, snap_m)
    kept = parts[reach]
    return shapely.STRtree(kept) if len(kept) else None


def _blocked(view: SideView, c: float, fire_control_m: float, cache: Cache) -> shapely.Geometry:
    """``buffer(hostile ∪ clearance lines, c)``: the ground a clearance ``c`` keeps from.

    Up to the ladder's foot, ``max(fire_control_m, LADDER_FROM_M)``, it is one buffer of
    the obstacles (:func:`_grown`), as encirclement and fire control, which decide
    statuses, have always had it. Beyond, it is the ground of the highest rung of the
    ladder at or below ``c`` (:func:`_rung`) grown by the rest: buffers add up, and
    growing a rung's ground, already rounded, is cheap. On the Avdiivka maps, growing
    the 6 km rung by 4 km took 0.5 ms, against 2.2-3.6 ms for growing the obstacles by
    10 km; its 1,700 vertices (against 300) then cost 0.2 ms in the difference with
    passable ground (against 0.1 ms).

    The arcs of each buffer fall short of the circle by at most 0.12 % of its own
    distance (:data:`ARC_SEGMENTS`), and a chain's distances add up to ``c``: the chain's
    bound is one buffer's. Against buffers of 256 segments per quarter circle, on four
    dates of the bundled scenario (453 route clearances of areas and pockets), the
    ladder's differ in 8 places by at most 25 m; one buffer each, in 20 by up to 50 m.
    The ground at a clearance depends on ``c`` and ``fire_control_m`` alone, never on
    what the cache holds.
    """
    foot = max(fire_control_m, LADDER_FROM_M)
    if c < foot:
        return _grown(view, c, cache)
    rung = foot
    while 2.0 * rung <= c:  # doubling is exact: rungs are foot * 2**k to the bit
        rung *= 2.0
    ground = _rung(view, rung, foot, cache)
    return ground if rung == c else shapely.buffer(ground, c - rung, quad_segs=ARC_SEGMENTS)


def _rung(view: SideView, rung: float, foot: float, cache: Cache) -> shapely.Geometry:
    """The ground kept from at a rung ``foot * 2**k``: the rung below it grown by half."""
    if rung == foot:
        build = partial(_grown, view, rung, cache)
    else:
        half = rung / 2.0
        build = partial(_grown_from, view, half, foot, cache)
    return cache.get(keys.blocked_rung(view.rows, view.side, rung), build)


def _grown_from(view: SideView, rung: float, foot: float, cache: Cache) -> shapely.Geometry:
    """The ground of ``rung`` grown by as much again: the next rung up."""
    return shapely.buffer(_rung(view, rung, foot, cache), rung, quad_segs=ARC_SEGMENTS)


def _grown(view: SideView, c: float, cache: Cache) -> shapely.Geometry:
    """``buffer(hostile ∪ clearance lines, c)`` in one buffer of the obstacles.

    Where the side keeps clearance lines, hostile ground and the lines are first grown
    by :data:`SEED_M` into one polygon (once per view, :func:`_obstacles`), which is
    then buffered by ``c - SEED_M``: buffers add up (growing by ``a`` then by ``b`` is
    growing by ``a + b``), so this is the same ground, to a metre, as buffering each
    and merging them, at a fraction of the cost: a polygon's buffer is cheap, while
    merging the round-ended buffers of many front lines with hostile ground's buffer
    was most of a clearance's time on real maps.
    """
    if shapely.is_empty(view.clearance_lines):
        return shapely.buffer(view.hostile, c, quad_segs=ARC_SEGMENTS)
    if c <= SEED_M:
        lines = shapely.buffer(view.clearance_lines, c, quad_segs=ARC_SEGMENTS)
        return shapely.union(shapely.buffer(view.hostile, c, quad_segs=ARC_SEGMENTS), lines)
    obstacles = cache.get(keys.clearance_obstacles(view.rows, view.side), lambda: _obstacles(view))
    return shapely.buffer(obstacles, c - SEED_M, quad_segs=ARC_SEGMENTS)


def _obstacles(view: SideView) -> shapely.Geometry:
    """Hostile ground and the clearance lines, grown by :data:`SEED_M` into one polygon.

    Mitred joins and square caps keep the vertices few and never fall short of the
    round buffer (they reach at most ``2 * SEED_M`` past it, at sharp corners).
    """
    style = {"join_style": "mitre", "mitre_limit": 2.0}
    hostile = shapely.buffer(view.hostile, SEED_M, **style)
    lines = shapely.buffer(view.clearance_lines, SEED_M, cap_style="square", **style)
    return shapely.union(hostile, lines)


def connected(
    view: SideView, geoms: np.ndarray, clearance: float, *, rules: Rules, cache: Cache
) -> np.ndarray:
    """Whether each geometry is connected to the rear at ``clearance`` metres.

    Parameters
    ----------
    view : SideView
        The side's perspective.
    geoms : numpy.ndarray of shapely.Geometry
        Pockets or pieces of areas held by this side.
    clearance : float
        Distance to keep from hostile ground and barriers, metres (0: passable).
    rules : Rules
        ``snap_m`` sets how near the rear a component must come.
    cache : Cache
        The call's cache.

    Returns
    -------
    numpy.ndarray of bool
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=bool)
    tree = rear_components(view, clearance, rules=rules, cache=cache)
    if tree is None or not len(geoms):
        return out
    if clearance <= 0:
        hits = tree.query(geoms, predicate="intersects")
    else:
        hits = tree.query(geoms, predicate="dwithin", distance=float(clearance))
    out[np.unique(hits[0])] = True
    return out


def encircled(view: SideView, geoms: np.ndarray, *, rules: Rules, cache: Cache) -> np.ndarray:
    """Whether no passable path links each geometry to the rear."""
    return ~connected(view, geoms, 0.0, rules=rules, cache=cache)


def route_clearance(
    view: SideView,
    geoms: np.ndarray,
    *,
    rules: Rules,
    cache: Cache,
    cap: float = CLEARANCE_CAP_M,
    step: float = CLEARANCE_STEP_M,
    known: Mapping[float, np.ndarray] | None = None,
) -> np.ndarray:
    """Largest clearance at which each geometry stays connected (bisection).

    Midpoints lie on a ``step`` grid so that safe ground is shared between
    geometries; the answer is accurate to ``step`` and is ``cap`` ("at least") when
    still connected at ``cap``, 0 when encircled.

    ``known`` maps clearances already tested (the encirclement at 0 and the fire
    control at ``fire_control_m``, say) to whether each geometry was connected there:
    the bisection starts from the bracket they give instead of testing them again.
    """
    geoms = np.asarray(geoms, dtype=object)
    n_steps = round(cap / step)
    lo = np.zeros(len(geoms), dtype=int)
    hi = np.full(len(geoms), n_steps, dtype=int)
    known = dict(known or {})
    if 0.0 not in known:
        known[0.0] = connected(view, geoms, 0.0, rules=rules, cache=cache)
    ok0 = np.asarray(known[0.0], dtype=bool)
    for clearance, linked in known.items():
        linked = np.asarray(linked, dtype=bool)
        if 0 < clearance < n_steps * step:  # connected at c: at least floor(c); else below
            lo[linked] = np.maximum(lo[linked], int(clearance // step))
            hi[~linked] = np.minimum(hi[~linked], int(-(-clearance // step)))
    todo = ok0 & (hi == n_steps)
    top = np.zeros(len(geoms), dtype=bool)
    if todo.any():
        top[todo] = connected(view, geoms[todo], n_steps * step, rules=rules, cache=cache)
    lo[top] = n_steps
    active = ok0 & ~top
    lo[~ok0] = 0
    while np.any(active & (hi - lo > 1)):
        live = np.flatnonzero(active & (hi - lo > 1))
        mid = (lo[live] + hi[live]) // 2
        for value in np.unique(mid):
            sel = live[mid == value]
            good = connected(view, geoms[sel], value * step, rules=rules, cache=cache)
            lo[sel[good]] = value
            hi[sel[~good]] = value
    return lo * step


def hostile_perimeter_share(view: SideView, geoms: np.ndarray, *, rules: Rules) -> np.ndarray:
    """Share of each exterior ring within ``snap_m`` of hostile ground.

    The parts of the ring along the frame's edge or along impassable ground (a coast)
    are left out: the share is of the ring's land border inside the map.
    """
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.zeros(0)
    rings = shapely.get_exterior_ring(_largest_polygon(geoms))
    edge = shapely.get_exterior_ring(view.frame)
    if not shapely.is_empty(view.impassable):
        edge = shapely.union(edge, view.impassable)
    frame_near = shapely.buffer(edge, rules.snap_m)
    inner = shapely.difference(rings, frame_near)
    total = shapely.length(inner)
    near = shapely.buffer(view.hostile, rules.snap_m, quad_segs=4)
    hostile_len = shapely.length(shapely.intersection(inner, near))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, hostile_len / np.where(total > 0, total, 1), 0.0)


def _largest_polygon(geoms: np.ndarray) -> np.ndarray:
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):  # pieces are few; pick each one's main polygon
        parts = shapely.get_parts(geom)
        parts = parts[shapely.get_type_id(parts) == 3]
        out[i] = parts[np.argmax(shapely.area(parts))] if len(parts) else shapely.Polygon()
    return out
