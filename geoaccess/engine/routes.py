"""Supply routes, lifelines and network distances on a :class:`~.roads.RoadGraph`.

Route counts are maximum flows with unit capacities and lifelines the single-edge cuts
(:func:`supply_routes`); distances are one Dijkstra from a super-source
(:func:`network_distance`), all with :mod:`scipy.sparse.csgraph`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from . import keys
from .cache import Cache
from .graph import (
    FlowProblem,
    as_geometry,
    as_points,
    cut_by,
    flow_routes_many,
    segment_mask,
    tree_roots,
    weighted_csr,
)
from .roads import RoadGraph, build_road_graph, nearest_nodes

__all__ = ["SupplyRoutes", "network_distance", "supply_routes", "supply_routes_many"]


@dataclass(frozen=True)
class SupplyRoutes:
    """Road links between an area and the rear.

    Attributes
    ----------
    enters : bool
        Some usable segment touches or crosses the area.
    reaches_rear : bool
        A usable road path links the area to the rear.
    usable_routes : int
        Number of edge-disjoint usable paths from the area to the rear.
    open_supply_routes : int
        Number of edge-disjoint usable and unexposed paths from the area to the rear.
    lifelines : numpy.ndarray
        Segment ids whose loss alone leaves no usable path from the area to the rear;
        empty when there is no usable path or when no single segment is critical.
    """

    enters: bool
    reaches_rear: bool
    usable_routes: int
    open_supply_routes: int
    lifelines: np.ndarray


def supply_routes(
    graph: RoadGraph,
    *,
    area: shapely.Geometry,
    usable: np.ndarray,
    exposed: np.ndarray,
    rear: np.ndarray,
    open_linked: bool | None = None,
    cache: Cache | None = None,
    contact: tuple[np.ndarray, np.ndarray] | None = None,
) -> SupplyRoutes:
    """Count the road links between an area and the rear, and find its lifelines.

    The area feeds a super-source: its nodes, and, for a usable segment crossing it with
    no node inside, a point in the middle of that segment (so the segment splits into two
    halves, one towards each end). The rear nodes feed a super-sink. Route counts are
    maximum flows with unit capacities (:func:`scipy.sparse.csgraph.maximum_flow`), that
    is, numbers of edge-disjoint paths (Menger). Lifelines are the segments forming a
    cut on their own, read from the residual graph's strongly connected components in
    O(E) once the flow is known.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    area : shapely.Geometry
        The area (polygon) in the graph's CRS.
    usable : numpy.ndarray of bool
        Per segment, from :func:`usable_segments`.
    exposed : numpy.ndarray of bool
        Per segment, from :func:`exposed_segments`.
    rear : numpy.ndarray of int
        Rear node ids, from :func:`rear_nodes`.
    open_linked : bool, optional
        Whether some usable unexposed path links the area to the rear, when it is known
        already (:func:`geoaccess.engine.evidence.open_links` tells it for many areas at
        once): ``False``, the open count is 0 without a flow; ``True``, it is 1 without
        a flow where a single usable path exists. ``None`` (unknown): a flow decides.
    cache : Cache, optional
        The call's cache: a flow whose inputs (edges, the area's nodes, the rear) were
        seen before, for another area or on another date, is not run again.
    contact : tuple of numpy.ndarray, optional
        The segments intersecting the area (at least the usable ones) and the nodes of
        those that lie in it, when the caller has found them for many areas at once
        (:func:`geoaccess.engine.evidence.road_contacts`); by default they are queried.

    Returns
    -------
    SupplyRoutes
        Counts and lifelines.

    Examples
    --------
    One road from the area to the map's edge is a lifeline:

    >>> import geopandas as gpd
    >>> from shapely import LineString, box
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs="EPSG:32637")
    >>> graph = build_road_graph(roads)
    >>> routes = supply_routes(graph, area=box(-100, -100, 100, 100),
    ...     usable=np.array([True]), exposed=np.array([False]), rear=np.array([1]))
    >>> routes.usable_routes, routes.lifelines
    (1, array([0]))
    """
    return supply_routes_many(
        graph,
        areas=[area],
        usable=usable,
        exposed=[exposed],
        rear=rear,
        open_linked=[open_linked],
        cache=cache,
        contacts=None if contact is None else [contact],
    )[0]


def supply_routes_many(
    graph: RoadGraph,
    *,
    areas: Sequence[shapely.Geometry],
    usable: np.ndarray,
    exposed: Sequence[np.ndarray],
    rear: np.ndarray,
    open_linked: Sequence[bool | None] | None = None,
    cache: Cache | None = None,
    contacts: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
) -> list[SupplyRoutes]:
    """:func:`supply_routes` of several areas, their maximum flows solved together.

    The same answers as one call per area; the flows not found in ``cache`` run as
    one network (:func:`~geoaccess.engine.graph.flow_routes_many`), the usable routes
    of every area first, then the open routes of those that need a flow of their own.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    areas : sequence of shapely.Geometry
        The areas, in the graph's CRS.
    usable : numpy.ndarray of bool
        Per segment (the same for every area).
    exposed : sequence of numpy.ndarray of bool
        Per area, per segment.
    rear : numpy.ndarray of int
        Rear node ids.
    open_linked : sequence of (bool or None), optional
        Per area, as :func:`supply_routes` takes it (``None``: unknown for all).
    cache : Cache, optional
        The call's cache.
    contacts : sequence of tuple of numpy.ndarray, optional
        Per area, :func:`supply_routes`'s ``contact`` (``None``: queried).

    Returns
    -------
    list of SupplyRoutes
        In the order of ``areas``.
    """
    n_seg = graph.n_edges
    usable = segment_mask(usable, n_seg, "usable")
    exposed = [segment_mask(mask, n_seg, "exposed") for mask in exposed]
    if len(exposed) != len(areas):
        msg = f"exposed must hold one mask per area ({len(areas)}); got {len(exposed)}"
        raise ValueError(msg)
    linked = [None] * len(areas) if open_linked is None else list(open_linked)
    rear = np.unique(np.asarray(rear, dtype=np.int64))
    live = usable & (graph.u != graph.v)
    found: list[SupplyRoutes | None] = [None] * len(areas)
    sources: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for k, area in enumerate(areas):
        contact = None if contacts is None else contacts[k]
        ends = _sources(graph, area, live, contact)
        if ends is None:
            found[k] = SupplyRoutes(False, False, 0, 0, np.zeros(0, dtype=np.int64))
        else:
            sources[k] = ends
    flows = _Flows(graph, rear, cache)
    usable_flows = flows.run([(live, *sources[k], True) for k in sources])
    usable_of = dict(zip(sources, usable_flows, strict=True))
    need_open = [
        k
        for k, (count, _) in usable_of.items()
        if count
        and linked[k] is not False
        and (live & exposed[k]).any()
        and not (count == 1 and linked[k])
    ]
    open_flows = flows.run([(live & ~exposed[k], *sources[k], False) for k in need_open])
    open_of = {k: count for k, (count, _) in zip(need_open, open_flows, strict=True)}
    for k, (usable_count, lifelines) in usable_of.items():
        if not usable_count or linked[k] is False:
            open_count = 0
        else:
            # every usable segment is open (the same flow), or the open paths, some of
            # the usable ones, are known to exist: 1 of 1; else the open flow's count
            open_count = open_of.get(k, usable_count)
        found[k] = SupplyRoutes(
            enters=True,
            reaches_rear=usable_count > 0,
            usable_routes=usable_count,
            open_supply_routes=open_count,
            lifelines=lifelines,
        )
    return found  # type: ignore[return-value]


def _sources(
    graph: RoadGraph,
    area: shapely.Geometry,
    live: np.ndarray,
    contact: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """An area's nodes and the live segments crossing it with no node in it.

    ``None`` when no live segment touches the area.
    """
    hit = np.zeros(graph.n_edges, dtype=bool)
    touching = (
        graph.segment_tree.query(area, predicate="intersects") if contact is None else contact[0]
    )
    hit[touching] = True
    hit &= live
    if not hit.any():
        return None
    if contact is None:
        ends = np.unique(np.concatenate([graph.u[hit], graph.v[hit]]))
        inside_nodes = ends[shapely.intersects(area, graph.node_points[ends])]
    else:
        inside_nodes = np.unique(np.asarray(contact[1], dtype=np.int64))
    is_inside = np.zeros(graph.n_nodes, dtype=bool)
    is_inside[inside_nodes] = True
    crossing = hit & ~is_inside[graph.u] & ~is_inside[graph.v]
    return inside_nodes, crossing


@dataclass(frozen=True, eq=False)
class _Flows:
    """The flows of one graph and rear, looked up in the call's cache or run together."""

    graph: RoadGraph
    rear: np.ndarray
    cache: Cache | None

    def run(
        self, asked: list[tuple[np.ndarray, np.ndarray, np.ndarray, bool]]
    ) -> list[tuple[int, np.ndarray]]:
        """Per ``(segments, area nodes, crossing, lifelines)``: the flow value and cut.

        Problems are known by a digest of everything they read: each distinct one not
        in the cache runs once, all of them in one network.
        """
        g, cache = self.graph, self.cache
        problems: dict[Hashable, FlowProblem] = {}
        asked_keys = []
        for mask, inside_nodes, crossing, lifelines in asked:
            ids = np.flatnonzero(mask)
            inputs = (g.u[ids], g.v[ids], ids, inside_nodes, np.flatnonzero(crossing[ids]))
            key = keys.flow(_digest(g.n_nodes, *inputs, self.rear), lifelines)
            problems.setdefault(key, FlowProblem(*inputs, self.rear, lifelines))
            asked_keys.append(key)
        known = {}
        if cache is not None:
            known = {key: found for key in problems if (found := cache.find(key)) is not None}
        todo = [key for key in problems if key not in known]
        solved = flow_routes_many(g.n_nodes, [problems[key] for key in todo])
        for key, (value, cut) in zip(todo, solved, strict=True):
            cut.setflags(write=False)  # shared by every area and date with these inputs
            known[key] = (value, cut)
            if cache is not None:
                cache.get(key, partial(known.__getitem__, key))
        return [known[key] for key in asked_keys]


def _digest(n_nodes: int, *arrays: np.ndarray) -> bytes:
    """A digest of integer arrays, each with its length (so no two splits collide)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(np.int64(n_nodes).tobytes())
    for arr in arrays:
        h.update(np.int64(len(arr)).tobytes())
        h.update(np.ascontiguousarray(arr, dtype=np.int64).tobytes())
    return h.digest()


def network_distance(
    roads: gpd.GeoDataFrame | RoadGraph,
    origins: Any,
    *,
    barriers: Any = None,
    max_m: float | None = None,
    noded: bool | None = None,
) -> gpd.GeoDataFrame:
    """Distance along the roads from the nearest origin to every road node.

    Each origin is snapped to its nearest road node and the straight-line snap distance
    is added to its network distances, so ``distance_m`` is the shortest walk "straight to
    the road, then along it". Segments cut by a barrier are removed first.

    Parameters
    ----------
    roads : geopandas.GeoDataFrame or RoadGraph
        Roads in a projected CRS (built with :func:`build_road_graph` and its default
        ``snap_m``), or a prebuilt graph.
    origins : GeoSeries, GeoDataFrame, array of shapely Points or (k, 2) array
        Origin points in the same CRS.
    barriers : shapely.Geometry, GeoSeries or GeoDataFrame, optional
        Lines or polygons: a segment crossing a barrier line, with an end on one, or
        entering a barrier polygon is removed.
    max_m : float, optional
        Distances beyond this are not explored (reported as ``inf``).
    noded : bool, optional
        The roads already meet only at shared vertices, as OpenStreetMap ways do: the
        graph is built without looking for crossings, faster, and a road passing over
        another without a shared vertex (a bridge) does not join it. ``False``: every
        crossing is a junction. By default the roads' own ``noded`` column says it where
        they have one (roads read from an OpenStreetMap extract do), else ``False``.
        Ignored for a prebuilt graph (see :func:`~geoaccess.engine.roads.build_road_graph`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per node, indexed by node id: ``distance_m`` (metres; ``inf`` where
        unreachable), ``origin`` (index label of the nearest origin; missing where
        unreachable) and Point ``geometry``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (300, 0)]),
    ...                                    LineString([(300, 0), (300, 400)])], crs="EPSG:32637")
    >>> origins = gpd.GeoSeries([Point(0, 10)], index=["gate"], crs="EPSG:32637")
    >>> network_distance(roads, origins)[["distance_m", "origin"]]
          distance_m origin
    node
    0           10.0   gate
    1          310.0   gate
    2          710.0   gate
    >>> network_distance(roads, origins, max_m=500)["distance_m"].tolist()
    [10.0, 310.0, inf]
    """
    if isinstance(roads, RoadGraph):
        graph = roads
    elif isinstance(roads, gpd.GeoDataFrame):
        graph = build_road_graph(roads, noded=noded)
    else:
        msg = f"roads must be a GeoDataFrame or a RoadGraph; got {type(roads).__name__}"
        raise TypeError(msg)
    if max_m is not None and (not np.isfinite(max_m) or max_m < 0):
        msg = f"max_m must be a finite distance >= 0 metres; got {max_m!r}"
        raise ValueError(msg)
    pts, labels = as_points(origins, graph.crs, "origins")
    barrier_geom = as_geometry(barriers, graph.crs, "barriers")
    n = graph.n_nodes
    keep = ~cut_by(graph, barrier_geom)
    node_ids, snap = nearest_nodes(graph, pts)
    # A super-source linked to each origin's node by its snap distance: one Dijkstra
    # gives min over origins of (snap + network distance), and its tree the origin.
    best = np.lexsort((snap, node_ids))
    _, first = np.unique(node_ids[best], return_index=True)
    pick = best[first]
    base = (
        graph.distance_csr
        if keep.all()
        else weighted_csr(n, graph.u[keep], graph.v[keep], graph.lengths[keep])
    )
    # The super-source is one more row holding arcs to the origins' nodes (none back).
    order = np.argsort(node_ids[pick], kind="stable")
    csr = sparse.csr_array(
        (
            np.concatenate([base.data, snap[pick][order]]),
            np.concatenate([base.indices, node_ids[pick][order]]).astype(base.indices.dtype),
            np.concatenate([base.indptr, [base.indptr[-1] + len(pick)]]).astype(base.indptr.dtype),
        ),
        shape=(n + 1, n + 1),
    )
    dist, pred = dijkstra(
        csr,
        directed=True,
        indices=n,
        return_predecessors=True,
        limit=np.inf if max_m is None else float(max_m),
    )
    dist, pred = dist[:n], pred[:n]
    origin_pos = np.full(n + 1, -1, dtype=np.int64)
    origin_pos[node_ids[pick]] = pick
    root = tree_roots(pred, n)
    reached = np.isfinite(dist)
    pos = np.where(reached, origin_pos[np.where(reached, root, n)], -1)
    origin = labels.take(pos, allow_fill=True, fill_value=None) if len(labels) else None
    index = pd.RangeIndex(n, name="node")
    return gpd.GeoDataFrame(
        {"distance_m": dist, "origin": origin},
        geometry=gpd.GeoSeries(graph.node_geometry.copy(), index=index),
        index=index,
    )
