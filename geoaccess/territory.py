"""Territories, pockets, front lines, rear and safe ground (pure geometry, metric CRS).

Everything here works in one projected CRS, chosen once per assessment
(:attr:`Scenario.metric_crs`). The rules of DESIGN section 2, made computable:

- **territory(s)**: the union of side ``s``'s zones valid on the date, closed
  morphologically by ``snap_m / 2`` (so gaps narrower than ``snap_m`` between its zones
  disappear), minus the raw union of every other side's zones. Components smaller than
  ``(2 * snap_m) ** 2`` square metres are digitising residue and are dropped, unless they
  hold at least half of one of the side's zones (a small zone drawn on purpose).
- **pockets**: the connected components of territory(s), numbered ``<side>-1``,
  ``<side>-2``... by decreasing area.
- **front lines** of a hostile pair ``(a, b)``: ``boundary(territory(a)) ∩
  buffer(territory(b), snap_m)``.
- **hostile(s)**: the union of the territories of sides hostile to ``s``, plus, with
  ``Rules(unmapped="hostile")``, frame ground that no zone covers.
- **barriers**: siege lines held by parties of sides hostile to ``s`` and all derived front
  lines, ``snap_m / 2`` wide.
- **passable(s)** = frame − hostile(s) − barriers.
- **rear(s)**: the side's declared anchors (a component reaches one within
  ``max(c, snap_m)``), else the frame's exterior ring (reached within ``snap_m``).
- **safe ground at clearance c**: ``S_c = passable(s) − buffer(hostile(s) ∪ barrier
  lines, c)`` (``S_0`` = passable). A piece of ground ``X`` is *connected at c* when a
  component of ``S_c`` that reaches the rear lies within ``c`` of ``X``: this is the
  morphological opening of passable ground by radius ``c``, so ground along a wide front
  stays reachable while necks narrower than ``2c`` do not, and ``X``'s own ground counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .crs import WGS84
from .temporal import DateLike, as_date, valid_mask

if TYPE_CHECKING:
    from .rules import Rules
    from .scenario import Scenario

__all__ = [
    "Ground",
    "Projected",
    "SideView",
    "front_lines",
    "ground_at",
    "pockets",
    "project_scenario",
    "side_view",
]

log = logging.getLogger(__name__)

EMPTY = shapely.GeometryCollection()
#: Grid of the route-clearance bisection, metres.
CLEARANCE_STEP_M = 25.0
#: Largest route clearance searched; reported as "at least" this much.
CLEARANCE_CAP_M = 10_000.0


# ---------------------------------------------------------------------- projection
@dataclass(frozen=True, eq=False)
class Projected:
    """A scenario's layers projected once into its metric CRS.

    Attributes
    ----------
    scenario : Scenario
        The source scenario (EPSG:4326).
    rules : Rules
        The rules applied.
    crs : pyproj.CRS
        The metric CRS.
    frame : shapely.Polygon
        The frame, densified before projection.
    layers : dict of str to GeoDataFrame
        Every layer present, in ``crs``; zones and siege lines carry a ``side`` column.
    anchors : dict of str to numpy.ndarray
        Declared rear anchors per side, ``(n, 2)`` metric coordinates.
    memo : dict
        Results memoised within one call of :func:`~geoaccess.assess` or
        :func:`~geoaccess.timeline` (territories, side views, buffers, road graphs),
        keyed by the rows valid on a date so that dates with the same inputs share them;
        never shared between calls.
    """

    scenario: Scenario
    rules: Rules
    crs: CRS
    frame: shapely.Polygon
    layers: dict[str, gpd.GeoDataFrame]
    anchors: dict[str, np.ndarray]
    memo: dict[object, object] = field(default_factory=dict)

    def layer_at(self, name: str, date: dt.date) -> gpd.GeoDataFrame | None:
        """The rows of a projected layer valid on ``date`` (``None`` when absent)."""
        frame = self.layers.get(name)
        if frame is None:
            return None
        return frame[valid_mask(frame, date)]

    def rows_at(self, name: str, date: dt.date) -> tuple[int, ...]:
        """Positions of the rows of a layer valid on ``date`` (a memo key; ``()`` when absent)."""
        frame = self.layers.get(name)
        if frame is None:
            return ()
        key = ("rows", name, date)
        rows = self.memo.get(key)
        if not isinstance(rows, tuple):
            rows = tuple(np.flatnonzero(valid_mask(frame, date)).tolist())
            self.memo[key] = rows
        return rows


def project_scenario(scn: Scenario, rules: Rules) -> Projected:
    """Project a scenario's frame, layers and rear anchors into its metric CRS.

    Parameters
    ----------
    scn : Scenario
        The scenario (its layers are not modified).
    rules : Rules
        Rules in force; ``rules.metric_crs`` overrides the scenario's choice.

    Returns
    -------
    Projected
    """
    crs = CRS.from_user_input(rules.metric_crs) if rules.metric_crs else scn.metric_crs
    log.debug("assessing %r in %s", scn.name, crs.to_string())
    frame_ll = shapely.segmentize(scn.frame, 0.005)
    frame = gpd.GeoSeries([frame_ll], crs=WGS84).to_crs(crs).iloc[0]
    side_of = dict(zip(scn.parties["id"], scn.parties["side"], strict=True))
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, layer in scn.layers.items():
        projected = layer.to_crs(crs)
        if name in ("zones", "siege_lines"):
            projected = projected.assign(side=projected["party"].map(side_of))
        layers[name] = projected
    anchors: dict[str, np.ndarray] = {}
    for side in scn.sides:
        lonlat = scn.rear_anchors(side)
        if len(lonlat):
            pts = gpd.GeoSeries(shapely.points(lonlat), crs=WGS84).to_crs(crs)
            anchors[side] = shapely.get_coordinates(pts.values)
    return Projected(scn, rules, crs, frame, layers, anchors)


# ---------------------------------------------------------------------- ground
@dataclass(frozen=True, eq=False)
class Ground:
    """Who holds what on one date, computed once and shared by every side.

    Attributes
    ----------
    projected : Projected
        The projected scenario.
    date : datetime.date
        The day.
    sides : tuple of str
        Every side of the scenario.
    raw : dict of str to shapely.Geometry
        Raw union of each side's zones.
    territory : dict of str to shapely.Geometry
        Territory of each side (closed, minus other sides' zones, residue dropped).
    pockets : GeoDataFrame
        ``pocket_id``, ``side``, ``parties``, ``area_km2``, geometry (metric CRS).
    front : GeoDataFrame
        ``side_a``, ``side_b``, ``length_m``, geometry (metric CRS).
    front_union : shapely.Geometry
        All derived front lines as one geometry.
    key : tuple of int
        Positions of the zones valid on the date: dates with the same key share their
        territories (and everything derived from them) within one call.

    The frames are shared between dates with the same zones: treat them as read-only.
    """

    projected: Projected
    date: dt.date
    sides: tuple[str, ...]
    raw: dict[str, shapely.Geometry]
    territory: dict[str, shapely.Geometry]
    pockets: gpd.GeoDataFrame
    front: gpd.GeoDataFrame
    front_union: shapely.Geometry
    key: tuple[int, ...]


def ground_at(proj: Projected, date: DateLike) -> Ground:
    """Territories, pockets and front lines of every side on ``date``.

    Computed once per set of valid zones within one call (memoised in ``proj.memo``).

    Parameters
    ----------
    proj : Projected
        The projected scenario.
    date : date-like
        The day.

    Returns
    -------
    Ground
    """
    day = as_date(date)
    rows = proj.rows_at("zones", day)
    key = ("ground", rows)
    cached = proj.memo.get(key)
    if isinstance(cached, Ground):
        return replace(cached, date=day)
    zones = proj.layers["zones"].iloc[list(rows)]
    raw, territory, pockets, front, front_union = _territories(proj, zones)
    ground = Ground(
        proj, day, proj.scenario.sides, raw, territory, pockets, front, front_union, rows
    )
    proj.memo[key] = ground
    return ground


def _territories(
    proj: Projected, zones: gpd.GeoDataFrame
) -> tuple[
    dict[str, shapely.Geometry],
    dict[str, shapely.Geometry],
    gpd.GeoDataFrame,
    gpd.GeoDataFrame,
    shapely.Geometry,
]:
    """Raw unions, territories, pockets, front lines and their union, from valid zones."""
    scn, snap = proj.scenario, proj.rules.snap_m
    sides = scn.sides
    geoms = np.asarray(zones.geometry.array, dtype=object)
    zone_side = zones["side"].to_numpy(dtype=object)
    zone_party = zones["party"].to_numpy(dtype=object)
    raw = {s: shapely.union_all(geoms[zone_side == s]) for s in sides}
    min_area = (2.0 * snap) ** 2
    territory: dict[str, shapely.Geometry] = {}
    ids: list[str] = []
    owner: list[str] = []
    names: list[str] = []
    polygons: list[np.ndarray] = []
    for side in sides:
        closed = _closing(raw[side], snap / 2.0)
        others = shapely.union_all([raw[o] for o in sides if o != side])
        parts = shapely.get_parts(shapely.difference(closed, others))
        parts = parts[shapely.get_type_id(parts) == 3]
        mine = zone_side == side
        parts = parts[~_residue(parts, geoms[mine], min_area)]
        parts = parts[np.argsort(-shapely.area(parts), kind="stable")]
        territory[side] = shapely.union_all(parts) if len(parts) else EMPTY
        ids.extend(f"{side}-{k}" for k in range(1, len(parts) + 1))
        owner.extend([side] * len(parts))
        names.extend(_parties_in(parts, geoms[mine], zone_party[mine]))
        polygons.append(parts)
    geometry = np.concatenate(polygons) if polygons else np.zeros(0, dtype=object)
    pockets = gpd.GeoDataFrame(
        {
            "pocket_id": pd.Series(ids, dtype=object),
            "side": pd.Series(owner, dtype=object),
            "parties": pd.Series(names, dtype=object),
            "area_km2": shapely.area(geometry) / 1e6,
        },
        geometry=gpd.GeoSeries(geometry, crs=proj.crs),
    )
    front = _front_lines(scn, territory, snap, proj.crs)
    lines = front.geometry.values
    front_union = shapely.union_all(lines) if len(lines) else EMPTY
    return raw, territory, pockets, front, front_union


def _residue(parts: np.ndarray, zones: np.ndarray, min_area: float) -> np.ndarray:
    """Which territory fragments are digitising residue.

    A fragment is residue when it is smaller than ``min_area`` and is a scrap of larger
    zones (the edge of a zone poking past a neighbour's, a corner left by the closing):
    it holds less than half of every zone it touches. A small zone drawn on purpose (a
    besieged compound, say) is a fragment holding all of its zone, and stays a pocket.
    """
    small = np.flatnonzero(shapely.area(parts) < min_area)
    residue = np.zeros(len(parts), dtype=bool)
    if len(small) == 0:
        return residue
    residue[small] = True
    part_index, zone_index = shapely.STRtree(zones).query(parts[small], predicate="intersects")
    if len(part_index):
        held = shapely.area(
            shapely.intersection(parts[small][part_index], zones[zone_index])
        ) / shapely.area(zones[zone_index])
        whole = np.unique(part_index[held >= 0.5])
        residue[small[whole]] = False
    return residue


def _parties_in(parts: np.ndarray, zones: np.ndarray, party: np.ndarray) -> list[str]:
    """Comma-separated parties (sorted) whose zones meet each part."""
    if not len(parts) or not len(zones):
        return [""] * len(parts)
    hit_part, hit_zone = shapely.STRtree(zones).query(parts, predicate="intersects")
    labels, code = np.unique(party.astype(str), return_inverse=True)
    pairs = np.unique(np.stack([hit_part, code[hit_zone]]), axis=1)
    counts = np.bincount(pairs[0], minlength=len(parts))
    groups = np.split(labels[pairs[1]], np.cumsum(counts)[:-1])
    return [", ".join(group) for group in groups]


def _closing(geom: shapely.Geometry, radius: float) -> shapely.Geometry:
    if radius <= 0 or geom.is_empty:
        return geom
    grown = shapely.buffer(geom, radius, join_style="mitre", mitre_limit=10.0)
    return shapely.buffer(grown, -radius, join_style="mitre", mitre_limit=10.0)


def _front_lines(
    scn: Scenario, territory: dict[str, shapely.Geometry], snap: float, crs: CRS
) -> gpd.GeoDataFrame:
    rows = []
    sides = list(territory)
    for i, a in enumerate(sides):
        for b in sides[i + 1 :]:
            if scn.relation(a, b) != "hostile":
                continue
            ta, tb = territory[a], territory[b]
            if ta.is_empty or tb.is_empty:
                continue
            line = shapely.intersection(shapely.boundary(ta), shapely.buffer(tb, snap))
            line = _lines_only(line)
            if not line.is_empty:
                rows.append((a, b, line))
    return gpd.GeoDataFrame(
        {
            "side_a": pd.Series([r[0] for r in rows], dtype=object),
            "side_b": pd.Series([r[1] for r in rows], dtype=object),
            "length_m": np.array([r[2].length for r in rows], dtype=float),
        },
        geometry=gpd.GeoSeries([r[2] for r in rows], crs=crs),
    )


def _lines_only(geom: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(geom)
    lines = parts[np.isin(shapely.get_type_id(parts), (1, 5))]
    if not len(lines):
        return EMPTY
    return shapely.line_merge(shapely.union_all(lines))


# ---------------------------------------------------------------------- one side
@dataclass(eq=False)
class SideView:
    """Hostile ground, barriers, passable and safe ground of one side on one date.

    Safe ground is memoised per clearance, so every pocket and area of the side shares
    it; a view lives for one call only (dates with the same zones and siege lines share
    it, and sides with the same barrier lines share their buffers).
    """

    side: str
    ground: Ground
    hostile: shapely.Geometry
    barrier_lines: shapely.Geometry
    passable: shapely.Geometry
    anchors: shapely.Geometry | None
    hostile_sides: tuple[str, ...]  # hostile sides holding ground on the date
    _safe: dict[float, shapely.STRtree | None] = field(default_factory=dict)
    #: Memo key of ``barrier_lines`` (zones and siege lines valid), ``None``: not shared.
    barrier_key: tuple[object, ...] | None = None

    @property
    def snap_m(self) -> float:
        """The rules' ``snap_m``."""
        return self.ground.projected.rules.snap_m

    def rear_components(self, clearance: float) -> shapely.STRtree | None:
        """Tree of the components of safe ground ``S_c`` that reach the rear."""
        c = float(clearance)
        if c in self._safe:
            return self._safe[c]
        if c <= 0:
            safe = self.passable
        else:
            blocked = shapely.union_all(
                [shapely.buffer(self.hostile, c, quad_segs=4), self._barrier_buffer(c)]
            )
            safe = shapely.difference(self.passable, blocked)
        parts = shapely.get_parts(safe)
        parts = parts[shapely.area(parts) > 0] if len(parts) else parts
        if self.anchors is not None:
            reach = shapely.dwithin(parts, self.anchors, max(c, self.snap_m))
        else:
            ring = shapely.get_exterior_ring(self.ground.projected.frame)
            reach = shapely.dwithin(parts, ring, self.snap_m)
        kept = parts[reach]
        tree = shapely.STRtree(kept) if len(kept) else None
        self._safe[c] = tree
        return tree

    def _barrier_buffer(self, c: float) -> shapely.Geometry:
        """Barrier lines buffered by ``c`` (shared by the sides with the same lines).

        Each line is buffered on its own and the buffers are merged: the same ground as
        buffering the collection (up to rounding), about ten times faster, because GEOS
        nodes the offset curves of all the (often parallel, overlapping) front lines
        together when it buffers them as one geometry.
        """
        memo = self.ground.projected.memo
        key = ("barrier_buffer", self.barrier_key, c)
        if self.barrier_key is None or key not in memo:
            parts = shapely.get_parts(self.barrier_lines)
            found = shapely.union_all(shapely.buffer(parts, c, quad_segs=4))
            if self.barrier_key is None:
                return found
            memo[key] = found
        return memo[key]

    def connected(self, geoms: np.ndarray, clearance: float) -> np.ndarray:
        """Whether each geometry is connected to the rear at ``clearance`` metres.

        Parameters
        ----------
        geoms : numpy.ndarray of shapely.Geometry
            Pockets or pieces of areas held by this side.
        clearance : float
            Distance to keep from hostile ground and barriers, metres (0: passable).

        Returns
        -------
        numpy.ndarray of bool
        """
        geoms = np.asarray(geoms, dtype=object)
        out = np.zeros(len(geoms), dtype=bool)
        tree = self.rear_components(clearance)
        if tree is None or not len(geoms):
            return out
        if clearance <= 0:
            hits = tree.query(geoms, predicate="intersects")
        else:
            hits = tree.query(geoms, predicate="dwithin", distance=float(clearance))
        out[np.unique(hits[0])] = True
        return out

    def encircled(self, geoms: np.ndarray) -> np.ndarray:
        """Whether no passable path links each geometry to the rear."""
        return ~self.connected(geoms, 0.0)

    def route_clearance(
        self, geoms: np.ndarray, *, cap: float = CLEARANCE_CAP_M, step: float = CLEARANCE_STEP_M
    ) -> np.ndarray:
        """Largest clearance at which each geometry stays connected (bisection).

        Midpoints lie on a ``step`` grid so that safe ground is shared between
        geometries; the answer is accurate to ``step`` and is ``cap`` ("at least") when
        still connected at ``cap``, 0 when encircled.
        """
        geoms = np.asarray(geoms, dtype=object)
        n_steps = round(cap / step)
        lo = np.zeros(len(geoms), dtype=int)
        hi = np.full(len(geoms), n_steps, dtype=int)
        ok0 = self.connected(geoms, 0.0)
        top = self.connected(geoms, n_steps * step)
        lo[top] = n_steps
        active = ok0 & ~top
        lo[~ok0] = 0
        while np.any(active & (hi - lo > 1)):
            live = np.flatnonzero(active & (hi - lo > 1))
            mid = (lo[live] + hi[live]) // 2
            for value in np.unique(mid):
                sel = live[mid == value]
                good = self.connected(geoms[sel], value * step)
                lo[sel[good]] = value
                hi[sel[~good]] = value
        return lo * step

    def hostile_perimeter_share(self, geoms: np.ndarray) -> np.ndarray:
        """Share of each exterior ring within ``snap_m`` of hostile ground (frame excluded)."""
        geoms = np.asarray(geoms, dtype=object)
        if not len(geoms):
            return np.zeros(0)
        rings = shapely.get_exterior_ring(_largest_polygon(geoms))
        frame_near = shapely.buffer(
            shapely.get_exterior_ring(self.ground.projected.frame), self.snap_m
        )
        inner = shapely.difference(rings, frame_near)
        total = shapely.length(inner)
        near = shapely.buffer(self.hostile, self.snap_m, quad_segs=4)
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


def side_view(ground: Ground, side: str) -> SideView:
    """Hostile ground, barriers and passable ground of ``side`` on the ground's date.

    Memoised within one call by the zones and siege lines valid on the date.

    Parameters
    ----------
    ground : Ground
        Territories on the date.
    side : str
        The side whose perspective is taken.

    Returns
    -------
    SideView
    """
    proj, scn = ground.projected, ground.projected.scenario
    rules = proj.rules
    siege_rows = proj.rows_at("siege_lines", ground.date)
    key = ("view", ground.key, siege_rows, side)
    cached = proj.memo.get(key)
    if isinstance(cached, SideView):
        return cached if cached.ground is ground else replace(cached, ground=ground)
    hostile_sides = tuple(s for s in ground.sides if scn.relation(side, s) == "hostile")
    pieces = [ground.territory[s] for s in hostile_sides]
    if rules.unmapped == "hostile":
        covered = shapely.union_all([*ground.raw.values(), *ground.territory.values()])
        pieces.append(shapely.difference(proj.frame, covered))
    hostile = shapely.union_all(pieces) if pieces else EMPTY
    held: tuple[int, ...] = ()
    if siege_rows:
        sieges = proj.layers["siege_lines"]
        rows = np.asarray(siege_rows, dtype=int)
        held = tuple(rows[sieges["side"].iloc[rows].isin(hostile_sides).to_numpy()].tolist())
    barrier_key = (ground.key, held)
    found = proj.memo.get(("barriers", barrier_key))
    if not isinstance(found, tuple):
        lines = [ground.front_union]
        if held:
            lines.extend(proj.layers["siege_lines"].geometry.values[list(held)])
        merged = shapely.union_all(lines)
        buffered = (
            shapely.buffer(merged, rules.snap_m / 2.0, quad_segs=4)
            if not merged.is_empty
            else EMPTY
        )
        found = (merged, buffered)
        proj.memo[("barriers", barrier_key)] = found
    barrier_lines: shapely.Geometry = found[0]
    barriers: shapely.Geometry = found[1]
    passable = shapely.difference(proj.frame, shapely.union(hostile, barriers))
    anchor_xy = proj.anchors.get(side)
    anchors = shapely.multipoints(anchor_xy) if anchor_xy is not None else None
    holding = tuple(s for s in hostile_sides if not ground.territory[s].is_empty)
    view = SideView(
        side, ground, hostile, barrier_lines, passable, anchors, holding, barrier_key=barrier_key
    )
    proj.memo[key] = view
    return view


# ---------------------------------------------------------------------- public
def front_lines(scn: Scenario, date: DateLike, *, rules: Rules | None = None) -> gpd.GeoDataFrame:
    """Front lines derived from the zones: where territories of hostile sides meet.

    Parameters
    ----------
    scn : Scenario
        The scenario.
    date : date-like
        The day.
    rules : Rules, optional
        Defaults to the scenario's rules (``snap_m`` sets how close territories meet).

    Returns
    -------
    GeoDataFrame
        ``side_a``, ``side_b``, ``length_m`` (metres, metric CRS) and line geometry,
        in EPSG:4326.

    Examples
    --------
    >>> import geoaccess as ga
    >>> fl = ga.front_lines(ga.datasets.aleppo_2016(), "2016-07-20")  # doctest: +SKIP
    >>> list(fl.columns)  # doctest: +SKIP
    ['side_a', 'side_b', 'length_m', 'geometry']
    """
    rules = rules if rules is not None else scn.rules
    ground = ground_at(project_scenario(scn, rules), date)
    return ground.front.to_crs(WGS84)


def pockets(scn: Scenario, date: DateLike, *, rules: Rules | None = None) -> gpd.GeoDataFrame:
    """Pockets of every side with their encirclement evidence and status.

    Parameters
    ----------
    scn : Scenario
        The scenario.
    date : date-like
        The day.
    rules : Rules, optional
        Defaults to the scenario's rules.

    Returns
    -------
    GeoDataFrame
        ``pocket_id``, ``side``, ``parties``, ``area_km2``, ``encircled``,
        ``fire_controlled``, ``hostile_perimeter_share``, ``route_clearance_m``,
        ``open_corridors``, ``status``, ``reason``, geometry (EPSG:4326).
    """
    from .assess import assess_pockets

    return assess_pockets(scn, date, rules=rules)
