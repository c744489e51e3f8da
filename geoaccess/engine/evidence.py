"""The evidence behind the status of pockets and pieces of areas.

The evidence of a piece of ground ``X`` held by side ``s`` (a pocket, or an area
intersected with a pocket) comes from the side's :class:`~geoaccess.engine.sides.SideView`:

- ``encircled``: no passable path links ``X`` to the rear (not connected at clearance 0);
- ``fire_controlled``: not encircled, and not connected at ``fire_control_m``;
- ``route_clearance_m``: the largest clearance at which ``X`` stays connected, found by
  bisection on a 25 m grid up to 10 km (10 km means "at least"); 0 when encircled;
- ``hostile_perimeter_share``: share of the exterior ring lying within ``snap_m`` of
  hostile ground, the part along the frame left out;
- ``open_corridors``: open corridors (any kind) whose entrance lies in ``X``;
- with roads: ``roads_enter`` (some road, usable or not, touches ``X``),
  ``open_supply_routes`` (edge-disjoint usable, unexposed road paths from ``X`` to the
  rear; ``NaN`` when no road enters), ``roads_blocked`` (roads enter and none is an open
  supply route) and the lifelines.

How much is computed is the evaluation's :data:`Detail`, one evaluation at four depths:

- ``"encircled"``: ``encircled`` only;
- ``"status"``: what decides the status and nothing more: fire control only where not
  encircled, roads only where neither, and roads as "some open link" (no counts, no
  lifelines);
- ``"light"``: every column but ``route_clearance_m`` and ``hostile_perimeter_share``;
- ``"full"``: everything.

:func:`geoaccess.engine.status.decide` turns the evidence into a status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from ..rules import Rules
from . import keys, roads, routes, safe_ground
from .cache import Cache
from .columns import with_columns
from .context import Context
from .roads import RoadGraph
from .sides import SideView, side_view
from .status import decide, statuses
from .territory import Ground

__all__ = [
    "DETAILS",
    "EVIDENCE",
    "GROUND_EVIDENCE",
    "Detail",
    "corridor_evidence",
    "ground_evidence",
    "open_links",
    "RoadContacts",
    "road_contacts",
    "road_evidence",
    "road_use",
    "with_ground_evidence",
    "with_status",
]

Detail = Literal["encircled", "status", "light", "full"]
#: The depths of an evaluation, shallowest first.
DETAILS: tuple[str, ...] = ("encircled", "status", "light", "full")

#: Linked pieces whose flows :func:`road_evidence` solves together (each holds a mask of
#: every road segment meanwhile).
FLOW_CHUNK = 64

#: The evidence that does not depend on corridors (:func:`ground_evidence`).
GROUND_EVIDENCE = [
    "encircled",
    "fire_controlled",
    "route_clearance_m",
    "hostile_perimeter_share",
    "roads_enter",
    "open_supply_routes",
    "roads_blocked",
    "lifelines",
]

#: The evidence columns reported for pockets and areas.
EVIDENCE = [
    "encircled",
    "fire_controlled",
    "hostile_perimeter_share",
    "route_clearance_m",
    "open_corridors",
    "open_supply_routes",
]


def ground_evidence(
    view: SideView,
    geoms: np.ndarray,
    *,
    rules: Rules,
    cache: Cache,
    graph: RoadGraph | None,
    detail: Detail,
) -> dict[str, np.ndarray | list[np.ndarray]]:
    """The evidence of pieces held by one side that does not depend on corridors.

    Parameters
    ----------
    view : SideView
        The side's perspective.
    geoms : numpy.ndarray of shapely.Geometry
        Pockets or area pieces of the side, metric CRS.
    rules : Rules
        ``snap_m`` and ``fire_control_m`` are used.
    cache : Cache
        The call's cache.
    graph : RoadGraph or None
        The road graph of the date.
    detail : {"encircled", "status", "light", "full"}
        How much to compute (see the module's docstring).

    Returns
    -------
    dict
        ``encircled``, ``fire_controlled``, ``route_clearance_m``,
        ``hostile_perimeter_share``, ``roads_enter``, ``open_supply_routes``,
        ``roads_blocked`` (arrays) and ``lifelines`` (a list of segment-id arrays).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    out: dict[str, np.ndarray | list[np.ndarray]] = {
        "encircled": safe_ground.encircled(view, geoms, rules=rules, cache=cache),
        "fire_controlled": np.zeros(n, dtype=bool),
        "route_clearance_m": np.full(n, np.nan),
        "hostile_perimeter_share": np.full(n, np.nan),
        "roads_enter": np.zeros(n, dtype=bool),
        "open_supply_routes": np.full(n, np.nan),
        "roads_blocked": np.zeros(n, dtype=bool),
        "lifelines": [np.zeros(0, dtype=int) for _ in range(n)],
    }
    if detail == "encircled":
        return out
    encircled = np.asarray(out["encircled"], dtype=bool)
    fire = np.zeros(n, dtype=bool)
    todo = np.flatnonzero(~encircled)
    fire[todo] = ~safe_ground.connected(
        view, geoms[todo], rules.fire_control_m, rules=rules, cache=cache
    )
    out["fire_controlled"] = fire
    if detail == "status":
        todo = np.flatnonzero(~encircled & ~fire)
        if graph is not None and len(todo):
            enter, linked = open_links(view, geoms[todo], graph, rules=rules, cache=cache)
            blocked = np.zeros(n, dtype=bool)
            blocked[todo] = enter & ~linked
            out["roads_blocked"] = blocked
        return out
    enter, open_routes, lifelines = road_evidence(view, geoms, graph, rules=rules, cache=cache)
    out["roads_enter"], out["open_supply_routes"] = enter, open_routes
    out["lifelines"] = lifelines
    out["roads_blocked"] = enter & (open_routes == 0)
    if detail == "full":
        out["route_clearance_m"] = safe_ground.route_clearance(
            view,
            geoms,
            rules=rules,
            cache=cache,
            known={0.0: ~encircled, rules.fire_control_m: ~encircled & ~fire},
        )
        out["hostile_perimeter_share"] = safe_ground.hostile_perimeter_share(
            view, geoms, rules=rules
        )
    return out


def corridor_evidence(
    geoms: np.ndarray,
    pocket_ids: np.ndarray,
    *,
    entrances: pd.DataFrame,
    aid_pockets: set[str],
    snap_m: float,
) -> dict[str, np.ndarray]:
    """The evidence that depends on corridors.

    ``open_corridors``: open entrances within ``snap_m``, each counted once, for the
    nearest piece; ``aid_corridor_open``: the piece's pocket is served by an open aid
    corridor.
    """
    counts = np.zeros(len(geoms), dtype=int)
    if len(entrances) and len(geoms):
        hits = shapely.STRtree(geoms).query(
            entrances["entrance"].to_numpy(dtype=object), predicate="dwithin", distance=snap_m
        )
        first = pd.Series(hits[1]).groupby(hits[0]).first()
        np.add.at(counts, first.to_numpy(dtype=int), 1)
    aid = np.isin(np.asarray(pocket_ids, dtype=object), list(aid_pockets))
    return {"open_corridors": counts, "aid_corridor_open": aid}


def with_ground_evidence(
    ctx: Context,
    cache: Cache,
    ground: Ground,
    frame: gpd.GeoDataFrame,
    *,
    graph: RoadGraph | None,
    detail: Detail,
) -> gpd.GeoDataFrame:
    """Pockets or pieces with their corridor-free evidence (a new frame).

    Each row is seen from its side's perspective (:func:`ground_evidence`); the frame
    gains the evidence columns, ``lifelines`` and ``hostile_sides``.
    """
    n = len(frame)
    if not n:
        return frame.copy()
    columns: dict[str, np.ndarray] = {
        "encircled": np.zeros(n, dtype=bool),
        "fire_controlled": np.zeros(n, dtype=bool),
        "route_clearance_m": np.full(n, np.nan),
        "hostile_perimeter_share": np.full(n, np.nan),
        "roads_enter": np.zeros(n, dtype=bool),
        "open_supply_routes": np.full(n, np.nan),
        "roads_blocked": np.zeros(n, dtype=bool),
        "lifelines": np.empty(n, dtype=object),
        "hostile_sides": np.empty(n, dtype=object),
    }
    sides = frame["side"].to_numpy(dtype=object)
    geoms = frame.geometry.to_numpy(dtype=object)
    for side in ground.sides:
        rows = np.flatnonzero(sides == side)
        if not len(rows):
            continue
        view = side_view(ctx, cache, ground, side)
        found = ground_evidence(
            view, geoms[rows], rules=ctx.rules, cache=cache, graph=graph, detail=detail
        )
        for name in GROUND_EVIDENCE:
            if name == "lifelines":
                for k, segments in zip(rows, found[name], strict=True):
                    columns[name][k] = segments
            else:
                columns[name][rows] = found[name]
        for k in rows:
            columns["hostile_sides"][k] = view.hostile_sides
    return with_columns(frame, **columns)


def with_status(
    frame: gpd.GeoDataFrame,
    rules: Rules,
    *,
    detail: Detail,
    entrances: pd.DataFrame,
    aid_pockets: set[str],
) -> gpd.GeoDataFrame:
    """The frame with its corridor evidence, ``base_why`` and ``base_status`` (a new frame).

    The corridor evidence is :func:`corridor_evidence`, side by side; the status is the
    one decision (:func:`~geoaccess.engine.status.decide`; Siege Watch's count not
    applied). At the ``"encircled"`` depth nothing is decided (both columns are
    ``None``). A frame without evidence (no pieces) gets empty evidence and status
    columns.
    """
    if "encircled" not in frame:
        empty: dict[str, pd.Series] = {c: pd.Series(dtype=float) for c in EVIDENCE}
        for column in ("aid_corridor_open", "roads_enter", "roads_blocked"):
            empty[column] = pd.Series(dtype=bool)
        for column in ("lifelines", "hostile_sides", "base_why", "base_status"):
            empty[column] = pd.Series(dtype=object)
        return with_columns(frame, **empty)
    counts = np.zeros(len(frame), dtype=int)
    aid = np.zeros(len(frame), dtype=bool)
    sides = frame["side"].to_numpy(dtype=object)
    geoms = frame.geometry.to_numpy(dtype=object)
    pockets = frame["pocket_id"].to_numpy(dtype=object)
    for side in pd.unique(sides):
        rows = np.flatnonzero(sides == side)
        found = corridor_evidence(
            geoms[rows],
            pockets[rows],
            entrances=entrances,
            aid_pockets=aid_pockets,
            snap_m=rules.snap_m,
        )
        counts[rows], aid[rows] = found["open_corridors"], found["aid_corridor_open"]
    if detail == "encircled":
        why = np.full(len(frame), None, dtype=object)
        status = why.copy()
    else:
        why = decide(
            rules=rules,
            encircled=frame["encircled"].to_numpy(dtype=bool),
            aid_corridor_open=aid,
            fire_controlled=frame["fire_controlled"].to_numpy(dtype=bool),
            roads_blocked=frame["roads_blocked"].to_numpy(dtype=bool),
        )
        status = statuses(why)
    return with_columns(
        frame, open_corridors=counts, aid_corridor_open=aid, base_why=why, base_status=status
    )


# ---------------------------------------------------------------------- roads
@dataclass(frozen=True, eq=False)
class RoadUse:
    """The roads of one side on one date: what it can use, where they reach the rear.

    Attributes
    ----------
    usable : numpy.ndarray of bool
        Per segment: usable by the side.
    rear : numpy.ndarray of int
        Rear nodes.
    exposed : numpy.ndarray of bool
        Per segment: exposed for no area (under fire along its whole length outside).
    component : numpy.ndarray of int
        Per node: its component of the usable segments exposed for no area.
    good : numpy.ndarray of bool
        Per component: it holds a rear node with an open segment.
    is_rear : numpy.ndarray of bool
        Per node: a rear node.
    """

    usable: np.ndarray
    rear: np.ndarray
    exposed: np.ndarray
    component: np.ndarray
    good: np.ndarray
    is_rear: np.ndarray


def road_use(view: SideView, graph: RoadGraph, *, rules: Rules, cache: Cache) -> RoadUse:
    """Usable segments, rear nodes and open road components of a side (memoised)."""

    def build() -> RoadUse:
        usable = cache.get(
            keys.usable(view.rows, view.side),
            lambda: roads.usable_segments(
                graph, hostile=view.hostile, barriers=view.barrier_lines, snap_m=rules.snap_m
            ),
        )
        rear = roads.rear_nodes(
            graph, frame=view.frame, anchors=view.anchors, snap_m=rules.snap_m, edge=view.rear_edge
        )
        exposed = roads.exposed_segments(
            graph,
            hostile=view.hostile,
            area=shapely.Polygon(),
            fire_control_m=rules.fire_control_m,
        )
        comp, good = _rear_components(graph, usable & ~exposed, rear)
        is_rear = np.zeros(graph.n_nodes, dtype=bool)
        is_rear[rear] = True
        return RoadUse(usable, rear, exposed, comp, good, is_rear)

    return cache.get(keys.road_use(view.rows, view.side), build)


def open_links(
    view: SideView,
    geoms: np.ndarray,
    graph: RoadGraph,
    *,
    rules: Rules,
    cache: Cache,
    hits: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per piece: some road enters it; some usable unexposed road path links it to the rear.

    The second is ``open_supply_routes > 0`` of :func:`geoaccess.engine.routes.supply_routes`,
    found for all pieces at once without a flow: the components of the usable segments
    exposed for no area (shared by all pieces) are joined by each piece's own segments,
    whose part outside the piece may be out of fire; a piece is linked when one of its
    nodes, or an end of one of its open segments, lies in a component holding a rear node
    with an open segment (or is such a rear node itself). ``hits`` is the pieces' and
    segments' intersecting pairs when the caller has queried them already.
    """
    n = len(geoms)
    if hits is None:
        hits = graph.segment_tree.query(geoms, predicate="intersects")
    piece, seg = hits
    enter = np.zeros(n, dtype=bool)
    enter[piece] = True
    use = road_use(view, graph, rules=rules, cache=cache)
    contacts = road_contacts(view, geoms, graph, use, piece, seg, rules=rules)
    return enter, contacts.open_linked(graph, use, n)


@dataclass(frozen=True, eq=False)
class RoadContacts:
    """Where pieces meet the usable roads of their side, found for all pieces at once.

    Attributes
    ----------
    piece, segment : numpy.ndarray of int
        The pairs of a piece and a usable segment (no loop) intersecting it.
    exposed : numpy.ndarray of bool
        Per pair: the segment's part outside the piece is under fire (the part inside
        is never exposed).
    node_piece, node : numpy.ndarray of int
        The pairs of a piece and a node of the piece's segments that lies in it.

    Both kinds of pairs are sorted by piece.
    """

    piece: np.ndarray
    segment: np.ndarray
    exposed: np.ndarray
    node_piece: np.ndarray
    node: np.ndarray

    def of_piece(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Piece ``i``'s usable segments, whether each is exposed, and its nodes."""
        first, last = np.searchsorted(self.piece, [i, i + 1])
        node_first, node_last = np.searchsorted(self.node_piece, [i, i + 1])
        return (
            self.segment[first:last],
            self.exposed[first:last],
            self.node[node_first:node_last],
        )

    def open_linked(self, graph: RoadGraph, use: RoadUse, n: int) -> np.ndarray:
        """Per piece: some usable unexposed road path links it to the rear."""
        linked = np.zeros(n, dtype=bool)
        linked[self.node_piece[use.good[use.component[self.node]]]] = True
        unexposed = ~self.exposed
        piece, seg = self.piece[unexposed], self.segment[unexposed]
        for end in (graph.u[seg], graph.v[seg]):
            linked[piece[use.good[use.component[end]] | use.is_rear[end]]] = True
        return linked


def road_contacts(
    view: SideView,
    geoms: np.ndarray,
    graph: RoadGraph,
    use: RoadUse,
    piece: np.ndarray,
    seg: np.ndarray,
    *,
    rules: Rules,
) -> RoadContacts:
    """The :class:`RoadContacts` of pieces from their intersecting segment pairs."""
    u, v = graph.u, graph.v
    keep = np.flatnonzero((use.usable & (u != v))[seg])
    keep = keep[np.argsort(piece[keep], kind="stable")]
    piece, seg = piece[keep], seg[keep]
    exposed = use.exposed[seg].copy()
    if exposed.any():
        j = np.flatnonzero(exposed)
        exposed[j] = roads.exposed_outside(
            graph.lines[seg[j]], geoms[piece[j]], view.hostile, rules.fire_control_m
        )
    ends = np.unique(
        np.stack([np.concatenate([piece, piece]), np.concatenate([u[seg], v[seg]])]), axis=1
    )
    inside = shapely.intersects(geoms[ends[0]], graph.node_points[ends[1]])
    return RoadContacts(piece, seg, exposed, ends[0][inside], ends[1][inside])


def road_evidence(
    view: SideView,
    geoms: np.ndarray,
    graph: RoadGraph | None,
    *,
    rules: Rules,
    cache: Cache,
    lifelines: bool = True,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Per piece: roads enter it, its open supply routes (a maximum flow) and lifelines."""
    n = len(geoms)
    enter = np.zeros(n, dtype=bool)
    open_routes = np.full(n, np.nan)
    found_lifelines: list[np.ndarray] = [np.zeros(0, dtype=int) for _ in range(n)]
    if graph is None or not n:
        return enter, open_routes, found_lifelines
    hit, touched = graph.segment_tree.query(geoms, predicate="intersects")
    enter[hit] = True
    use = road_use(view, graph, rules=rules, cache=cache)
    # a piece no usable road links to the rear has no route and no lifeline: found for
    # every piece at once from the components, so that flows run only where they count
    linked = _usable_links(graph, use, hit, touched, n, cache, view)
    open_routes[enter & ~linked] = 0.0
    contacts = road_contacts(view, geoms, graph, use, hit, touched, rules=rules)
    open_linked = contacts.open_linked(graph, use, n)
    # exposure for no area is shared; a piece changes it only on the segments it touches
    # (their part inside the piece is never exposed), found above for every piece. One
    # maximum flow per linked piece, solved together a few dozen pieces at a time.
    flowing = np.flatnonzero(enter & linked)
    for start in range(0, len(flowing), FLOW_CHUNK):
        chunk = flowing[start : start + FLOW_CHUNK]
        exposed, contact = [], []
        for i in chunk:
            segments, exposed_outside, nodes = contacts.of_piece(i)
            own = use.exposed.copy()
            own[segments] = exposed_outside
            exposed.append(own)
            contact.append((segments, nodes))
        found = routes.supply_routes_many(
            graph,
            areas=list(geoms[chunk]),
            usable=use.usable,
            exposed=exposed,
            rear=use.rear,
            open_linked=[bool(open_linked[i]) for i in chunk],
            cache=cache,
            contacts=contact,
        )
        for i, piece_routes in zip(chunk, found, strict=True):
            open_routes[i] = float(piece_routes.open_supply_routes)
            if lifelines:
                found_lifelines[i] = np.asarray(piece_routes.lifelines, dtype=int)
    return enter, open_routes, found_lifelines


def _usable_links(
    graph: RoadGraph,
    use: RoadUse,
    hit: np.ndarray,
    touched: np.ndarray,
    n: int,
    cache: Cache,
    view: SideView,
) -> np.ndarray:
    """Per piece: some usable road path links it to the rear (``usable_routes > 0``).

    A piece's sources in :func:`geoaccess.engine.routes.supply_routes` are the ends of
    the usable segments touching it (its nodes, or both ends of a segment crossing it),
    all in those segments' components: the piece is linked when one of them holds a rear
    node.
    """
    comp, good = cache.get(
        keys.usable_components(view.rows, view.side),
        lambda: _rear_components(graph, use.usable, use.rear),
    )
    live = use.usable[touched] & (graph.u[touched] != graph.v[touched])
    piece, seg = hit[live], touched[live]
    linked = np.zeros(n, dtype=bool)
    linked[piece[good[comp[graph.u[seg]]]]] = True
    return linked


def _rear_components(
    graph: RoadGraph, segments: np.ndarray, rear: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Components of the graph on ``segments`` (a mask), and which hold a rear node.

    Returns each node's component and, per component, whether a rear node with one of
    the segments lies in it (loops left out).
    """
    u, v, n_nodes = graph.u, graph.v, graph.n_nodes
    keep = segments & (u != v)
    adjacency = sparse.coo_array(
        (np.ones(int(keep.sum())), (u[keep], v[keep])), shape=(n_nodes, n_nodes)
    )
    n_comp, comp = connected_components(adjacency, directed=False)
    degree = np.bincount(u[keep], minlength=n_nodes) + np.bincount(v[keep], minlength=n_nodes)
    good = np.zeros(n_comp, dtype=bool)
    good[comp[rear[degree[rear] > 0]]] = True
    return comp, good
