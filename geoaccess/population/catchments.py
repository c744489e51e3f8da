"""Facility exposure: incidents near each facility and the people it serves.

- **Facility catchments.** Each person goes to the nearest facility of each kind that
  they can reach on their own side's passable ground (the side holding the ground where
  they stand; on ground no side holds, every front and siege line cuts): on the same
  connected piece of that ground, and along the roads usable by that side where the date
  has roads, straight-line otherwise. People with no reachable facility of a kind are
  reported as unserved (``population_unserved``): per kind, served plus unserved is
  every located person.
- **Incidents** within ``incident_radius_m`` of a facility in the
  ``incident_window_days`` up to the date (:func:`recent_incidents`).
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from ..engine import keys
from ..engine.cache import Cache
from ..engine.context import Context
from ..engine.graph import tree_roots
from ..engine.passable import unheld_parts, walk_parts, walk_roads
from ..engine.roads import RoadGraph
from ..engine.territory import Ground
from ..rules import Rules
from .estimates import Estimate
from .people import CELL_M, located, points_tree

__all__ = ["facility_exposure", "recent_incidents"]


def facility_exposure(
    ctx: Context,
    cache: Cache,
    facilities: gpd.GeoDataFrame,
    ground: Ground,
    estimate: Estimate | None,
    graph: RoadGraph | None,
    *,
    cell_m: float = CELL_M,
) -> gpd.GeoDataFrame:
    """Incidents near each facility and the people it serves (nearest of its kind).

    Each located person is served by the nearest facility of each kind that they can
    reach on their own side's passable ground: the side holding the ground where they
    stand (people on ground no side holds: every front and siege line is a barrier).
    Straight-line, the facility must stand on the same connected piece of that ground
    (within ``snap_m``); along the roads (where the date has roads and the piece has a
    road node), it must be reachable on the roads usable by that side (its front and
    siege lines cut them; roads deeper than ``snap_m`` in hostile ground are removed),
    people and facilities snapping to road nodes of their piece. People with no
    reachable facility of a kind are unserved for that kind.

    Parameters
    ----------
    ctx : Context
        The projected scenario (its incidents and rules).
    cache : Cache
        The call's cache.
    facilities : GeoDataFrame
        Facilities valid on the date (metric CRS) with ``kind``.
    ground : Ground
        Territories of the date.
    estimate : Estimate or None
        The primary estimate (``None``: population columns are ``NaN``).
    graph : RoadGraph or None
        Roads of the date: catchments along the roads; without roads, straight-line.
    cell_m : float, default CELL_M
        Grid for turning polygon people into points.

    Returns
    -------
    GeoDataFrame
        A copy with ``incidents_nearby``, ``incidents_nearby_imprecise`` (see
        :func:`recent_incidents`), ``population_served`` and ``population_unserved``
        (people with no reachable facility of the row's kind, the same on every row of
        a kind): per kind, ``population_served`` summed plus ``population_unserved``
        equals the located people of the estimate.
    """
    out = facilities.copy()
    points = out.geometry.to_numpy(dtype=object)
    precise, imprecise = recent_incidents(
        ctx.layers.get("incidents"), points, ground.date, ctx.rules
    )
    out["incidents_nearby"], out["incidents_nearby_imprecise"] = precise, imprecise
    served, unserved = np.full(len(out), np.nan), np.full(len(out), np.nan)
    if estimate is not None and len(out):
        kinds = out["kind"].astype(object).to_numpy() if "kind" in out else np.full(len(out), None)
        groups = _catchment_groups(ctx, cache, estimate, ground, points, cell_m)
        for kind in pd.unique(kinds):
            rows = np.flatnonzero(kinds == kind)
            got, missed = _catchment(
                ctx, cache, rows, points, groups, estimate, ground, graph, cell_m
            )
            served[rows] = got
            unserved[rows] = missed
    out["population_served"] = served
    out["population_unserved"] = unserved
    return out


def _catch_parts(ctx: Context, cache: Cache, ground: Ground, side: str | None) -> np.ndarray:
    """Pieces of ground a person of ``side`` moves on (no side: every barrier cuts)."""
    if side is not None:
        return walk_parts(ctx, cache, ground, side)
    return unheld_parts(ctx, cache, ground)


def _nearest_part(
    parts: np.ndarray,
    geoms: np.ndarray,
    snap_m: float,
    tree: shapely.STRtree | None = None,
    among: np.ndarray | None = None,
) -> np.ndarray:
    """Position of the piece nearest each geometry within ``snap_m`` (-1: none).

    Geometries on a piece are found first, testing each piece once against a tree of
    the geometries (``tree``, built when not given); only the rest are measured, and of
    them only those at positions ``among`` when it is given (the others stay -1 unless
    they lie on a piece).
    """
    label = np.full(len(geoms), -1, dtype=np.int64)
    if not len(parts) or not len(geoms):
        return label
    tree = tree if tree is not None else shapely.STRtree(geoms)
    q, i = tree.query(parts, predicate="intersects")
    order = np.argsort(q, kind="stable")[::-1]  # the lowest piece wins on a shared edge
    label[i[order]] = q[order]
    rest = np.flatnonzero(label < 0)
    if among is not None:
        rest = np.intersect1d(rest, among, assume_unique=True)
    if len(rest):
        (k, j) = shapely.STRtree(parts).query_nearest(
            geoms[rest], max_distance=snap_m, all_matches=False
        )
        label[rest[k]] = j
    return label


def _catchment_groups(
    ctx: Context, cache: Cache, est: Estimate, ground: Ground, sites: np.ndarray, cell_m: float
) -> list[tuple[str | None, np.ndarray, np.ndarray]]:
    """Per side (``None``: on no side's ground): people's and sites' piece of its ground.

    Returns (side, person piece, site piece) with ``-1`` for people of other sides and
    for sites off the side's ground.
    """
    pts, _ = located(cache, est, cell_m)
    snap_m = ctx.rules.snap_m
    side_of = np.full(len(pts), None, dtype=object)
    if len(pts):
        tree = points_tree(cache, est, cell_m)
        for side in ground.sides:
            territory = ground.territory(side)
            if shapely.is_empty(territory) or side in ctx.scenario.contested:
                continue  # people on contested ground stand on no side's ground
            idx = tree.query(territory, predicate="intersects")
            idx = idx[side_of[idx] == None]  # noqa: E711 - first side wins on a boundary
            side_of[idx] = side
    groups: list[tuple[str | None, np.ndarray, np.ndarray]] = []
    for owner in (*ground.sides, None):
        mine = (
            np.flatnonzero(side_of == owner)
            if owner is not None
            else np.flatnonzero(pd.isna(side_of))
        )
        if not len(mine):
            continue
        parts = _catch_parts(ctx, cache, ground, owner)
        person = np.full(len(pts), -1, dtype=np.int64)
        tree = points_tree(cache, est, cell_m)
        person[mine] = _nearest_part(parts, pts, snap_m, tree, among=mine)[mine]
        groups.append((owner, person, _nearest_part(parts, sites, snap_m)))
    return groups


def _catchment(
    ctx: Context,
    cache: Cache,
    rows: np.ndarray,
    sites: np.ndarray,
    groups: list[tuple[str | None, np.ndarray, np.ndarray]],
    est: Estimate,
    ground: Ground,
    graph: RoadGraph | None,
    cell_m: float,
) -> tuple[np.ndarray, float]:
    """People served by each site of ``rows`` (one kind), piece by piece of ground.

    Returns the people per site and the people no site of the kind serves.
    """
    pts, weights = located(cache, est, cell_m)
    served = np.zeros(len(rows))
    done = np.zeros(len(pts), dtype=bool)
    for side, person, site_part in groups:
        here = site_part[rows]
        for part in np.unique(person[person >= 0]):
            mine = np.flatnonzero(here == part)
            if not len(mine):
                continue
            who = np.flatnonzero(person == part)
            site = _nearest_site(
                ctx, cache, ground, side, int(part), graph, sites[rows[mine]], pts[who]
            )
            ok = site >= 0
            served += np.bincount(mine[site[ok]], weights=weights[who][ok], minlength=len(rows))
            done[who[ok]] = True
    return served, float(weights[~done].sum())


def _part_nodes(
    ctx: Context, cache: Cache, ground: Ground, side: str | None, part: int, graph: RoadGraph
) -> np.ndarray:
    """Road nodes on piece ``part`` of the ground of ``side`` (within snap_m), sorted."""

    def build() -> np.ndarray:
        parts = _catch_parts(ctx, cache, ground, side)
        return _nearest_part(parts, graph.node_points, ctx.rules.snap_m)

    return np.flatnonzero(cache.get(keys.node_parts(ground.rows, side), build) == part)


def _nearest_of(tree: shapely.STRtree, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest tree item of each geometry (ties: the lowest position) and its distance."""
    (which, item), dist = tree.query_nearest(geoms, return_distance=True)
    _, first = np.unique(which, return_index=True)
    return item[first].astype(np.int64), dist[first]


def _nearest_site(
    ctx: Context,
    cache: Cache,
    ground: Ground,
    side: str | None,
    part: int,
    graph: RoadGraph | None,
    sites: np.ndarray,
    people: np.ndarray,
) -> np.ndarray:
    """Position in ``sites`` of each person's nearest site (-1: none reachable).

    Along the roads usable by ``side`` when the piece has road nodes (sites snap to the
    piece's nodes, their snap counted; people to the nearest node of the piece reached
    from a site, since they walk on their piece to it), straight-line otherwise.
    """
    if graph is None:
        _, s = shapely.STRtree(sites).query_nearest(people, all_matches=False)
        return s.astype(np.int64)
    nodes = _part_nodes(ctx, cache, ground, side, part, graph)
    if not len(nodes):
        _, s = shapely.STRtree(sites).query_nearest(people, all_matches=False)
        return s.astype(np.int64)
    tree = shapely.STRtree(graph.node_points[nodes])
    at, snap = _nearest_of(tree, sites)
    at = nodes[at]
    # a super-source linked to each site's node by its snap distance (the nearest site
    # of a shared node wins): one Dijkstra gives every node's nearest site
    best = np.lexsort((snap, at))
    _, first = np.unique(at[best], return_index=True)
    pick = best[first]
    n = graph.n_nodes
    base = walk_roads(ctx, cache, ground, side, graph)
    csr = sparse.csr_array(
        (
            np.concatenate([base.data, snap[pick]]),
            np.concatenate([base.indices, at[pick]]).astype(base.indices.dtype),
            np.concatenate([base.indptr, [base.indptr[-1] + len(pick)]]).astype(base.indptr.dtype),
        ),
        shape=(n + 1, n + 1),
    )
    dist, pred = dijkstra(csr, directed=True, indices=n, return_predecessors=True)
    dist, pred = dist[:n], pred[:n]
    site_at = np.full(n + 1, -1, dtype=np.int64)
    site_at[at[pick]] = pick
    root = tree_roots(pred, n)
    # people walk on their piece of ground to its nearest node reached from a site
    reached = nodes[np.isfinite(dist[nodes])]
    node = reached[_nearest_of(shapely.STRtree(graph.node_points[reached]), people)[0]]
    return site_at[root[node]]


def recent_incidents(
    incidents: gpd.GeoDataFrame | None, points: np.ndarray, day: dt.date, rules: Rules
) -> tuple[np.ndarray, np.ndarray]:
    """Incidents within ``incident_radius_m`` of each point in the window up to ``day``.

    The window is the ``incident_window_days`` days ending on ``day`` (included). An
    incident with a ``date`` counts when that date falls in the window. One known only by
    its period (``date`` missing, ``valid_from``/``valid_to`` set, e.g. a year) counts,
    separately, when its period overlaps the window: those counts are imprecise.

    Returns
    -------
    tuple of numpy.ndarray of int
        Precise and imprecise counts per point.
    """
    n = len(points)
    precise, imprecise = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    if incidents is None or not len(incidents) or not n:
        return precise, imprecise
    last = pd.Timestamp(day)
    first = last - pd.Timedelta(days=rules.incident_window_days - 1)
    when = (
        pd.to_datetime(incidents["date"], errors="coerce")
        if "date" in incidents
        else pd.Series(pd.NaT, index=incidents.index)
    )
    dated = ((when >= first) & (when <= last)).to_numpy(bool)

    def bound(column: str) -> pd.Series:
        if column not in incidents:
            return pd.Series(pd.NaT, index=incidents.index, dtype="datetime64[ns]")
        return pd.to_datetime(incidents[column], errors="coerce")

    start, end = bound("valid_from"), bound("valid_to")  # end exclusive; NaT: open
    has_period = start.notna() | end.notna()
    overlaps = (start.isna() | (start <= last)) & (end.isna() | (end > first))
    vague = (when.isna() & has_period & overlaps).to_numpy(bool)
    geoms = incidents.geometry.to_numpy(dtype=object)
    for mask, counts in ((dated, precise), (vague, imprecise)):
        chosen = geoms[mask]
        if len(chosen):
            fi, _ = shapely.STRtree(chosen).query(
                points, predicate="dwithin", distance=rules.incident_radius_m
            )
            counts += np.bincount(fi, minlength=n)
    return precise, imprecise
