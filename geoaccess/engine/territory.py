"""Territories, pockets and front lines of every side on one date (metric CRS).

Everything here works in one projected CRS, chosen once per call
(:attr:`Scenario.metric_crs`). The rules of DESIGN section 2, made computable (the
perspective of one side is :mod:`.sides`, safe ground and the rear :mod:`.safe_ground`):

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
  ``Rules(unmapped="hostile")``, frame ground that no zone covers, but for the
  slivers narrower than ``snap_m`` along the frame's edge.
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

import dataclasses
import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..polygons import merged, parts_merged
from ..rules import Rules
from ..scenario.model import Scenario
from . import keys
from .cache import Cache
from .context import Context, day_rows
from .impassable import EMPTY, impassable_at

__all__ = ["EMPTY", "Ground", "ground_at", "opening", "residue"]

#: Metres the closing's shrinking goes past its growing (see :func:`_closing`), and the
#: opening's growing past its shrinking (see :func:`opening`).
CLOSING_INSET_M = 0.1


@dataclass(frozen=True, eq=False)
class Ground:
    """Who holds what on one date, computed once and shared by every side.

    Attributes
    ----------
    date : datetime.date
        The day.
    rows : DayRows
        The rows of every layer valid on the date (what its results depend on).
    sides : tuple of str
        Every side of the scenario.
    raw : tuple of shapely.Geometry
        Raw union of each side's zones, aligned with ``sides``.
    territories : tuple of shapely.Geometry
        Territory of each side (closed, minus other sides' zones, residue dropped),
        aligned with ``sides``.
    pockets : GeoDataFrame
        ``pocket_id``, ``side``, ``parties``, ``area_km2``, geometry (metric CRS).
    front : GeoDataFrame
        ``side_a``, ``side_b``, ``length_m``, geometry (metric CRS).
    front_union : shapely.Geometry
        All derived front lines as one geometry.

    Dates with the same zones share one ground's frames: treat them as read-only.
    """

    date: dt.date
    rows: keys.DayRows
    sides: tuple[str, ...]
    raw: tuple[shapely.Geometry, ...]
    territories: tuple[shapely.Geometry, ...]
    pockets: gpd.GeoDataFrame
    front: gpd.GeoDataFrame
    front_union: shapely.Geometry

    def territory(self, side: str) -> shapely.Geometry:
        """The territory of ``side`` (empty for a side holding nothing)."""
        return self.territories[self.sides.index(side)]


def ground_at(ctx: Context, cache: Cache, day: dt.date) -> Ground:
    """Territories, pockets and front lines of every side on ``day``.

    Computed once per set of valid zones within one call.

    Parameters
    ----------
    ctx : Context
        The projected scenario.
    cache : Cache
        The call's cache.
    day : datetime.date
        The day.

    Returns
    -------
    Ground
    """
    rows = day_rows(ctx, cache, day)

    def build() -> Ground:
        zones = ctx.layers["zones"].iloc[list(rows.zones)]
        impassable = impassable_at(ctx, cache, rows).areas
        raw, territory, pockets, front, front_union = _territories(
            ctx.scenario, zones, ctx.rules, ctx.crs, impassable
        )
        return Ground(day, rows, ctx.sides, raw, territory, pockets, front, front_union)

    found = cache.get(keys.ground(rows), build)
    if found.date == day and found.rows == rows:
        return found
    return dataclasses.replace(found, date=day, rows=rows)


def _territories(
    scn: Scenario,
    zones: gpd.GeoDataFrame,
    rules: Rules,
    crs: CRS,
    impassable: shapely.Geometry,
) -> tuple[
    tuple[shapely.Geometry, ...],
    tuple[shapely.Geometry, ...],
    gpd.GeoDataFrame,
    gpd.GeoDataFrame,
    shapely.Geometry,
]:
    """Raw unions, territories, pockets, front lines and their union, from valid zones.

    Impassable areas (the sea, lakes) are no side's territory; contested sides have
    territory (hostile to all) but no pockets.
    """
    snap = rules.snap_m
    sides = scn.sides
    geoms = np.asarray(zones.geometry.array, dtype=object)
    zone_side = zones["side"].to_numpy(dtype=object)
    zone_party = zones["party"].to_numpy(dtype=object)
    raw = {s: merged(geoms[zone_side == s]) for s in sides}
    min_area = (2.0 * snap) ** 2
    territory: dict[str, shapely.Geometry] = {}
    ids: list[str] = []
    owner: list[str] = []
    names: list[str] = []
    polygons: list[np.ndarray] = []
    for side in sides:
        blocking = [raw[o] for o in sides if o != side]
        if not shapely.is_empty(impassable):
            blocking.append(impassable)
        # the others taken away one by one: A − (B ∪ C) = (A − B) − C, and no union
        # of B and C to build (this step takes about a third less on regional maps)
        held = _closing(raw[side], snap / 2.0)
        for other in blocking:
            held = shapely.difference(held, other)
        parts = shapely.get_parts(held)
        parts = parts[shapely.get_type_id(parts) == 3]
        mine = zone_side == side
        parts = parts[~residue(parts, geoms[mine], min_area)]
        parts = parts[np.argsort(-shapely.area(parts), kind="stable")]
        territory[side] = parts_merged(parts)
        if side in scn.contested:  # contested ground holds no pockets
            continue
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
            "geometry": geometry,
        },
        geometry="geometry",
        crs=crs,
    )
    front = _front_lines(scn, territory, snap, crs)
    lines = front.geometry.values
    front_union = shapely.union_all(lines) if len(lines) else EMPTY
    return (
        tuple(raw[s] for s in sides),
        tuple(territory[s] for s in sides),
        pockets,
        front,
        front_union,
    )


def residue(parts: np.ndarray, zones: np.ndarray, min_area: float) -> np.ndarray:
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
    """Morphological closing that never loses ground of ``geom`` itself.

    Mitred buffers bevel sharp corners, so growing and shrinking back can shave a thin
    piece off a jagged boundary (a real front line between neighbourhood polygons has such
    corners); the union with ``geom`` puts it back. The shrinking goes
    :data:`CLOSING_INSET_M` deeper than the growing: the shrunk ground then lies clear of
    ``geom``'s edges everywhere but across the gaps it fills, and GEOS merges it with
    ``geom`` several times faster than the near-coincident edges an exact round trip
    leaves (overlays fall back to slow, snapping noding there). The ground is the same,
    but for the open mouth of a filled gap, which lies that much further in.
    """
    if radius <= 0 or geom.is_empty:
        return geom
    grown = shapely.buffer(geom, radius, join_style="mitre", mitre_limit=10.0)
    shrunk = shapely.buffer(
        grown, -(radius + CLOSING_INSET_M), join_style="mitre", mitre_limit=10.0
    )
    return shapely.union(shrunk, geom)


def opening(geom: shapely.Geometry, radius: float) -> shapely.Geometry:
    """``geom`` without what is narrower than ``2 * radius``: a morphological opening.

    Slivers, necks narrower than ``2 * radius`` and the tips of sharp corners go; the
    rest is ``geom``'s own ground. The growing back goes :data:`CLOSING_INSET_M` past
    the shrinking, so that the ground kept meets ``geom``'s edges exactly instead of
    stopping a float's width short of them (which left hair-thin slivers beside it).

    Examples
    --------
    >>> band = shapely.union(shapely.box(0, 0, 1000, 30), shapely.box(0, 100, 1000, 400))
    >>> kept = opening(band, 25.0)
    >>> kept.bounds  # the 30 m strip goes, the 300 m block stays
    (0.0, 100.0, 1000.0, 400.0)
    >>> round(300_000 - kept.area)  # but its four corners, rounded: 4 (1 - pi/4) 25^2 m2
    534
    """
    if geom.is_empty:
        return EMPTY
    if radius <= 0:
        return geom
    core = shapely.buffer(geom, -radius)
    if core.is_empty:
        return EMPTY
    return shapely.intersection(shapely.buffer(core, radius + CLOSING_INSET_M), geom)


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
            "geometry": np.array([r[2] for r in rows], dtype=object),
        },
        geometry="geometry",
        crs=crs,
    )


def _lines_only(geom: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(geom)
    lines = parts[np.isin(shapely.get_type_id(parts), (1, 5))]
    if not len(lines):
        return EMPTY
    return shapely.line_merge(shapely.union_all(lines))
