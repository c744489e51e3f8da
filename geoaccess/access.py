"""Access status of pockets and pieces of areas, with the evidence behind it.

The evidence of a piece of ground ``X`` held by side ``s`` (a pocket, or an area
intersected with a pocket) is computed from the side's :class:`~geoaccess.territory.SideView`:

- ``encircled``: no passable path links ``X`` to the rear (not connected at clearance 0);
- ``fire_controlled``: not encircled, and not connected at ``fire_control_m``;
- ``route_clearance_m``: the largest clearance at which ``X`` stays connected, found by
  bisection on a 25 m grid up to 10 km (10 km means "at least"); 0 when encircled;
- ``hostile_perimeter_share``: share of the exterior ring lying within ``snap_m`` of
  hostile ground, the part along the frame left out;
- ``open_corridors``: open corridors (any kind) whose entrance lies in ``X``;
- with roads: ``roads_enter`` (some road, usable or not, touches ``X``),
  ``open_supply_routes`` (edge-disjoint usable, unexposed road paths from ``X`` to the
  rear; ``NaN`` when no road enters) and the lifelines.

:func:`decide_status` turns that evidence into one status and one sentence.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from . import network
from ._graph import TOL_M
from .network import RoadGraph
from .rules import AccessStatus

if TYPE_CHECKING:
    from .rules import Rules
    from .territory import Projected, SideView

__all__ = ["base_statuses", "decide_status", "piece_evidence", "piece_states", "road_graph"]

log = logging.getLogger(__name__)


def decide_status(
    *,
    encircled: bool,
    aid_corridor_open: bool,
    fire_controlled: bool,
    roads_enter: bool,
    open_supply_routes: float | None,
    encircled_days: int | None,
    rules: Rules,
    hostile_sides: tuple[str, ...] = (),
    encircled_since: dt.date | None = None,
    open_corridors: int = 0,
) -> tuple[AccessStatus, str]:
    """The access status of a piece of ground and one sentence saying why.

    The rules (OCHA 2016, made computable):

    1. encircled, no open ``aid``/``mixed`` corridor in its pocket: ``besieged`` (with
       ``Rules(scheme="siege_watch")``, ``watchlist`` while encircled for fewer than
       ``min_siege_days``; ``encircled_days=None`` means "long enough");
    2. encircled, with such a corridor: ``hard_to_reach``;
    3. not encircled but fire-controlled: ``hard_to_reach``;
    4. not encircled, roads enter it, and no usable unexposed road link to the rear:
       ``hard_to_reach``;
    5. otherwise ``accessible``.

    Parameters
    ----------
    encircled, aid_corridor_open, fire_controlled, roads_enter : bool
        The evidence.
    open_supply_routes : float or None
        Usable unexposed road links to the rear (``None``/``NaN`` when no road enters).
    encircled_days : int or None
        Days the encirclement has lasted (Siege Watch scheme only).
    rules : Rules
        ``scheme``, ``min_siege_days`` and ``fire_control_m`` are used.
    hostile_sides : tuple of str, optional
        Named in the sentence.
    encircled_since : datetime.date, optional
        First day of the encirclement, named in the sentence.
    open_corridors : int, optional
        Open corridors of any kind with their entrance in the piece.

    Returns
    -------
    tuple of (AccessStatus, str)

    Examples
    --------
    >>> from geoaccess import Rules
    >>> status, why = decide_status(encircled=True, aid_corridor_open=False,
    ...     fire_controlled=False, roads_enter=False, open_supply_routes=None,
    ...     encircled_days=3, rules=Rules(), hostile_sides=("government",),
    ...     encircled_since=dt.date(2016, 7, 17))
    >>> status.value
    'besieged'
    >>> print(why)
    Encircled since 2016-07-17: every land path out crosses government ground or a
    siege line; no open aid corridor.
    >>> decide_status(encircled=True, aid_corridor_open=False, fire_controlled=False,
    ...     roads_enter=False, open_supply_routes=None, encircled_days=3,
    ...     rules=Rules(scheme="siege_watch"))[0].value
    'watchlist'
    """
    enemy = " or ".join(hostile_sides) if hostile_sides else "hostile"
    since = f" since {encircled_since.isoformat()}" if encircled_since else ""
    fire = f"{rules.fire_control_m:,.0f} m"
    routes = _count(open_supply_routes)
    if encircled:
        head = f"Encircled{since}: every land path out crosses {enemy} ground or a siege line"
        if aid_corridor_open:
            return (
                AccessStatus.HARD_TO_REACH,
                f"{head}, but an open aid corridor serves its pocket.",
            )
        tail = "no open aid corridor"
        if open_corridors:
            tail = (
                f"{open_corridors} open corridor{'s' if open_corridors > 1 else ''} "
                "here, none for aid"
            )
        if (
            rules.scheme == "siege_watch"
            and encircled_days is not None
            and encircled_days < rules.min_siege_days
        ):
            return (
                AccessStatus.WATCHLIST,
                f"{head}; {tail}; encircled for {encircled_days} days, fewer than the "
                f"{rules.min_siege_days} Siege Watch requires.",
            )
        return AccessStatus.BESIEGED, f"{head}; {tail}."
    if fire_controlled:
        return (
            AccessStatus.HARD_TO_REACH,
            f"Not encircled, but every link to the rear passes within {fire} of "
            f"{enemy} ground (fire control).",
        )
    if roads_enter and routes == 0:
        return (
            AccessStatus.HARD_TO_REACH,
            "Not encircled, but no usable road link to the rear is out of fire "
            "(0 open supply routes).",
        )
    text = f"Linked to the rear by ground farther than {fire} from {enemy} territory"
    if roads_enter and routes:
        text += f" and {routes} open supply route{'s' if routes > 1 else ''}"
    return AccessStatus.ACCESSIBLE, text + "."


def base_statuses(
    *,
    encircled: np.ndarray,
    aid_corridor_open: np.ndarray,
    fire_controlled: np.ndarray,
    roads_blocked: np.ndarray,
) -> np.ndarray:
    """The statuses :func:`decide_status` gives, for many pieces at once (no sentences).

    Siege Watch's day count is not applied (an encirclement counts as long enough).

    Parameters
    ----------
    encircled, aid_corridor_open, fire_controlled : numpy.ndarray of bool
        The evidence, one value per piece.
    roads_blocked : numpy.ndarray of bool
        Roads enter the piece and none is a usable unexposed link to the rear (rule 4).

    Returns
    -------
    numpy.ndarray of str
        Status values, dtype object.

    Examples
    --------
    >>> base_statuses(encircled=np.array([True, True, False, False]),
    ...               aid_corridor_open=np.array([False, True, False, False]),
    ...               fire_controlled=np.array([False, False, False, False]),
    ...               roads_blocked=np.array([False, False, True, False])).tolist()
    ['besieged', 'hard_to_reach', 'hard_to_reach', 'accessible']
    """
    encircled = np.asarray(encircled, dtype=bool)
    out = np.full(len(encircled), AccessStatus.ACCESSIBLE.value, dtype=object)
    # later rules first, so that earlier ones override them
    out[np.asarray(roads_blocked, dtype=bool)] = AccessStatus.HARD_TO_REACH.value
    out[np.asarray(fire_controlled, dtype=bool)] = AccessStatus.HARD_TO_REACH.value
    aid = np.asarray(aid_corridor_open, dtype=bool)
    out[encircled & aid] = AccessStatus.HARD_TO_REACH.value
    out[encircled & ~aid] = AccessStatus.BESIEGED.value
    return out


def _count(value: float | None) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(value)


def road_graph(proj: Projected, date: dt.date) -> RoadGraph | None:
    """The noded road graph of the roads valid on ``date`` (memoised per assessment).

    ``None`` when the scenario has no roads valid that day.
    """
    roads = proj.layer_at("roads", date)
    if roads is None or not len(roads):
        return None
    key = ("roads", tuple(roads.index))
    graph = proj.memo.get(key)
    if not isinstance(graph, RoadGraph):
        graph = network.build_road_graph(roads, snap_m=proj.rules.snap_m)
        proj.memo[key] = graph
    return graph


def piece_evidence(
    view: SideView,
    geoms: np.ndarray,
    *,
    entrances: pd.DataFrame,
    aid_pockets: set[str],
    pocket_ids: np.ndarray,
    graph: RoadGraph | None,
    full: bool,
    key: tuple[object, ...] | None = None,
) -> pd.DataFrame:
    """Evidence for pieces of ground held by one side (one row per geometry).

    Parameters
    ----------
    view : SideView
        The side's perspective.
    geoms : numpy.ndarray of shapely.Geometry
        Pockets or area pieces of the side, metric CRS.
    entrances : DataFrame
        Open corridors: ``entrance`` (point geometry) and ``kind``.
    aid_pockets : set of str
        Pockets served by an open aid or mixed corridor.
    pocket_ids : numpy.ndarray of str
        The pocket of each geometry.
    graph : RoadGraph or None
        The road graph of the date.
    full : bool
        Also compute ``route_clearance_m`` and ``hostile_perimeter_share``.
    key : tuple, optional
        Memo key (within the call) of the same pieces seen from the same view with the
        same roads: the evidence that does not depend on corridors is then computed once.

    Returns
    -------
    DataFrame
        ``encircled``, ``fire_controlled``, ``route_clearance_m``,
        ``hostile_perimeter_share``, ``open_corridors``, ``aid_corridor_open``,
        ``roads_enter``, ``open_supply_routes``, ``lifelines``.
    """
    rules, memo = view.ground.projected.rules, view.ground.projected.memo
    geoms = np.asarray(geoms, dtype=object)
    found = memo.get(key) if key is not None else None
    if not isinstance(found, dict):
        found = _ground_evidence(view, geoms, graph, full=full)
        if key is not None:
            memo[key] = found
    evidence: dict[str, object] = dict(found)
    lifelines = evidence.pop("lifelines")
    out = pd.DataFrame(
        {
            **{
                k: evidence[k]
                for k in (
                    "encircled",
                    "fire_controlled",
                    "route_clearance_m",
                    "hostile_perimeter_share",
                )
            },
            "open_corridors": _entrances_in(geoms, entrances, rules.snap_m),
            "aid_corridor_open": np.isin(np.asarray(pocket_ids, dtype=object), list(aid_pockets)),
            "roads_enter": evidence["roads_enter"],
            "open_supply_routes": evidence["open_supply_routes"],
        }
    )
    out["lifelines"] = pd.Series(lifelines, dtype=object)
    return out


def _ground_evidence(
    view: SideView, geoms: np.ndarray, graph: RoadGraph | None, *, full: bool
) -> dict[str, object]:
    """The evidence that does not depend on corridors."""
    rules = view.ground.projected.rules
    n = len(geoms)
    encircled = view.encircled(geoms)
    fire = ~encircled & ~view.connected(geoms, rules.fire_control_m)
    enter, routes, lifelines = _road_evidence(view, geoms, graph)
    return {
        "encircled": encircled,
        "fire_controlled": fire,
        "route_clearance_m": view.route_clearance(geoms) if full else np.full(n, np.nan),
        "hostile_perimeter_share": (
            view.hostile_perimeter_share(geoms) if full else np.full(n, np.nan)
        ),
        "roads_enter": enter,
        "open_supply_routes": routes,
        "lifelines": lifelines,
    }


def piece_states(
    view: SideView, geoms: np.ndarray, *, graph: RoadGraph | None, encircled_only: bool = False
) -> dict[str, np.ndarray]:
    """What decides the status of pieces held by one side, and nothing more.

    Fire control is tested only where the piece is not encircled, and roads only where
    it is neither encircled nor fire-controlled (the earlier rules of
    :func:`decide_status` already decide the others); for roads only the existence of a
    usable unexposed link matters, not the number of links or the lifelines.

    Parameters
    ----------
    view : SideView
        The side's perspective.
    geoms : numpy.ndarray of shapely.Geometry
        Pieces of the side, metric CRS.
    graph : RoadGraph or None
        The road graph of the date.
    encircled_only : bool, default False
        Only ``encircled``.

    Returns
    -------
    dict of str to numpy.ndarray of bool
        ``encircled``, and unless ``encircled_only``, ``fire`` (fire-controlled) and
        ``blocked`` (roads enter and none is an open supply route).
    """
    geoms = np.asarray(geoms, dtype=object)
    encircled = view.encircled(geoms)
    if encircled_only:
        return {"encircled": encircled}
    rules = view.ground.projected.rules
    fire = np.zeros(len(geoms), dtype=bool)
    todo = np.flatnonzero(~encircled)
    fire[todo] = ~view.connected(geoms[todo], rules.fire_control_m)
    blocked = np.zeros(len(geoms), dtype=bool)
    todo = np.flatnonzero(~encircled & ~fire)
    if graph is not None and len(todo):
        enter, linked = _open_links(view, geoms[todo], graph)
        blocked[todo] = enter & ~linked
    return {"encircled": encircled, "fire": fire, "blocked": blocked}


def _open_links(
    view: SideView, geoms: np.ndarray, graph: RoadGraph
) -> tuple[np.ndarray, np.ndarray]:
    """Per piece: some road enters it; some usable unexposed road path links it to the rear.

    The second is ``open_supply_routes > 0`` of :func:`geoaccess.network.supply_routes`,
    found for all pieces at once without a flow: the components of the usable segments
    exposed for no area (shared by all pieces) are joined by each piece's own segments,
    whose part outside the piece may be out of fire; a piece is linked when one of its
    nodes, or an end of one of its open segments, lies in a component holding a rear node
    with an open segment (or is such a rear node itself).
    """
    g = graph  # a RoadGraph
    n = len(geoms)
    piece, seg = g.segment_tree.query(geoms, predicate="intersects")
    enter = np.zeros(n, dtype=bool)
    enter[piece] = True
    usable, rear = _usable_and_rear(view, graph)
    comp, good, is_rear, exposed = _open_components(view, graph, usable, rear)
    u, v = g.u, g.v
    live = usable & (u != v)
    keep = live[seg]
    piece, seg = piece[keep], seg[keep]
    # the part of a segment inside the piece is never exposed (network.exposed_segments)
    shut = exposed[seg].copy()
    if shut.any():
        j = np.flatnonzero(shut)
        outside = shapely.difference(g.lines[seg[j]], geoms[piece[j]])
        fire_m = view.ground.projected.rules.fire_control_m
        shut[j] = (shapely.length(outside) > TOL_M) & shapely.dwithin(outside, view.hostile, fire_m)
    ends = np.unique(
        np.stack([np.concatenate([piece, piece]), np.concatenate([u[seg], v[seg]])]), axis=1
    )
    inside = shapely.intersects(geoms[ends[0]], g.node_points[ends[1]])
    linked = np.zeros(n, dtype=bool)
    linked[ends[0][inside][good[comp[ends[1][inside]]]]] = True
    open_piece = np.concatenate([piece[~shut], piece[~shut]])
    open_end = np.concatenate([u[seg[~shut]], v[seg[~shut]]])
    linked[open_piece[good[comp[open_end]] | is_rear[open_end]]] = True
    return enter, linked


def _open_components(
    view: SideView, graph: RoadGraph, usable: np.ndarray, rear: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Components of usable segments exposed for no area (memoised like the usable ones).

    Returns node component labels, whether each component holds a rear node with an open
    segment, the rear mask over nodes and the segments exposed for no area.
    """
    proj, rules = view.ground.projected, view.ground.projected.rules
    key = ("open_components", view.barrier_key, view.side, proj.rows_at("roads", view.ground.date))
    cached = proj.memo.get(key) if view.barrier_key is not None else None
    if isinstance(cached, tuple):
        comp, good, is_rear, exposed = cached
        return comp, good, is_rear, exposed
    g = graph
    exposed = network.exposed_segments(
        g, hostile=view.hostile, area=shapely.Polygon(), fire_control_m=rules.fire_control_m
    )
    u, v, n_nodes = g.u, g.v, g.n_nodes
    keep = usable & (u != v) & ~exposed
    adjacency = sparse.coo_array(
        (np.ones(int(keep.sum())), (u[keep], v[keep])), shape=(n_nodes, n_nodes)
    )
    n_comp, comp = connected_components(adjacency, directed=False)
    degree = np.bincount(u[keep], minlength=n_nodes) + np.bincount(v[keep], minlength=n_nodes)
    good = np.zeros(n_comp, dtype=bool)
    good[comp[rear[degree[rear] > 0]]] = True
    is_rear = np.zeros(n_nodes, dtype=bool)
    is_rear[rear] = True
    found = (comp, good, is_rear, exposed)
    if view.barrier_key is not None:
        proj.memo[key] = found
    return found


def _entrances_in(geoms: np.ndarray, entrances: pd.DataFrame, snap_m: float) -> np.ndarray:
    counts = np.zeros(len(geoms), dtype=int)
    if not len(entrances) or not len(geoms):
        return counts
    tree = shapely.STRtree(geoms)
    hits = tree.query(
        entrances["entrance"].to_numpy(dtype=object), predicate="dwithin", distance=snap_m
    )
    # an entrance counts once, for the nearest piece
    first = pd.Series(hits[1]).groupby(hits[0]).first()
    np.add.at(counts, first.to_numpy(dtype=int), 1)
    return counts


def _road_evidence(
    view: SideView, geoms: np.ndarray, graph: RoadGraph | None, *, lifelines: bool = True
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    n = len(geoms)
    enter = np.zeros(n, dtype=bool)
    routes = np.full(n, np.nan)
    found_lifelines: list[np.ndarray] = [np.zeros(0, dtype=int) for _ in range(n)]
    if graph is None or not n:
        return enter, routes, found_lifelines
    hit, touched = graph.segment_tree.query(geoms, predicate="intersects")
    enter[np.unique(hit)] = True
    usable, rear = _usable_and_rear(view, graph)
    # exposure for no area is shared; a piece changes it only on the segments it touches
    # (their part inside the piece is never exposed): network.exposed_segments, per piece
    base = _open_components(view, graph, usable, rear)[3]
    fire_m = view.ground.projected.rules.fire_control_m
    for i in np.flatnonzero(enter):  # one graph search per piece a road enters
        geom = geoms[i]
        exposed = base.copy()
        recheck = touched[(hit == i) & base[touched]]
        if len(recheck):
            outside = shapely.difference(graph.lines[recheck], geom)
            exposed[recheck] = (shapely.length(outside) > TOL_M) & shapely.dwithin(
                outside, view.hostile, fire_m
            )
        found = network.supply_routes(graph, area=geom, usable=usable, exposed=exposed, rear=rear)
        routes[i] = float(found.open_supply_routes)
        if lifelines:
            found_lifelines[i] = np.asarray(found.lifelines, dtype=int)
    return enter, routes, found_lifelines


def _usable_and_rear(view: SideView, graph: RoadGraph) -> tuple[np.ndarray, np.ndarray]:
    """Usable segments and rear nodes of a side on a date (memoised within the call)."""
    proj, rules = view.ground.projected, view.ground.projected.rules
    roads = proj.rows_at("roads", view.ground.date)
    key = ("usable", view.barrier_key, view.side, roads)
    cached = proj.memo.get(key) if view.barrier_key is not None else None
    if not isinstance(cached, tuple):
        usable = network.usable_segments(
            graph, hostile=view.hostile, barriers=view.barrier_lines, snap_m=rules.snap_m
        )
        rear = network.rear_nodes(
            graph, frame=proj.frame, anchors=proj.anchors.get(view.side), snap_m=rules.snap_m
        )
        if view.barrier_key is None:
            return usable, rear
        cached = (usable, rear)
        proj.memo[key] = cached
    usable, rear = cached
    return usable, rear
