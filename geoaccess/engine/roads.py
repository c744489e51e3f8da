"""Road networks: noding, usable and exposed roads, where roads reach the rear.

The road layer becomes a :class:`RoadGraph` (one edge per road piece between two
junctions, in one projected CRS); every question is then answered with vectorised shapely
predicates and :mod:`scipy.sparse.csgraph`. Supply routes, lifelines and network
distances are :mod:`.routes`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import LineString
>>> roads = gpd.GeoDataFrame(
...     {"name": ["east-west", "north-south"]},
...     geometry=[LineString([(0, 0), (200, 0)]), LineString([(100, -100), (100, 100)])],
...     crs="EPSG:32637",
... )
>>> graph = build_road_graph(roads)
>>> graph.segments[["length_m", "u", "v", "name"]]
   length_m  u  v         name
0     100.0  0  2    east-west
1     100.0  2  4    east-west
2     100.0  1  2  north-south
3     100.0  2  3  north-south
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from geopandas.array import GeometryArray, from_shapely
from pyproj import CRS
from scipy import sparse

from . import keys
from .cache import Cache
from .context import Context
from .edge_lines import EdgeLines
from .graph import as_points, cut_by, require_projected, weighted_csr
from .noding import TOL_M, explode_lines, node_lines

__all__ = [
    "RoadGraph",
    "build_road_graph",
    "exposed_outside",
    "exposed_segments",
    "nearest_nodes",
    "rear_nodes",
    "road_graph_at",
    "usable_segments",
]

log = logging.getLogger(__name__)

_RESERVED = ("geometry", "length_m", "u", "v", "road")


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """Noded road network in a projected CRS.

    Build one with :func:`build_road_graph`. A graph never changes once made, so threads
    and Dask tasks can share it. Node ids, lengths and the distance matrix are computed
    when it is made; the edge geometries (``lines``, ``segments``) and the spatial
    indexes on first use, once (a network distance needs none of them).

    Attributes
    ----------
    edges : pandas.DataFrame
        One row per edge; its position is the edge id. Columns: ``length_m``, ``u`` and
        ``v`` (node ids), ``road`` (index label of the source road row) and the other
        columns of the roads layer (``name``, ``kind``...).
    nodes : numpy.ndarray
        ``(n_nodes, 2)`` float coordinates; the row is the node id.
    crs : pyproj.CRS
        The projected CRS of segments and nodes.
    edge_lines : EdgeLines
        The edge geometries, made on first use.
    segments : geopandas.GeoDataFrame
        ``edges`` with their LineString ``geometry``.
    u, v : numpy.ndarray of int
        First and second node of each segment.
    lines : numpy.ndarray of shapely.LineString
        Segment geometries.
    lengths : numpy.ndarray of float
        Segment lengths in metres.
    node_points : numpy.ndarray of shapely.Point
        Nodes as points.
    degree : numpy.ndarray of int
        Number of segment ends at each node (a loop counts twice).
    distance_csr : scipy.sparse.csr_array
        Symmetric matrix of segment lengths (the shortest of parallel segments).
    segment_tree, node_tree : shapely.STRtree
        Spatial indexes of the segments and of the nodes.
    """

    edges: pd.DataFrame
    nodes: np.ndarray
    crs: CRS
    edge_lines: EdgeLines = field(repr=False)
    u: npt.NDArray[np.int64] = field(init=False, repr=False)
    v: npt.NDArray[np.int64] = field(init=False, repr=False)
    lengths: npt.NDArray[np.float64] = field(init=False, repr=False)
    degree: npt.NDArray[np.int64] = field(init=False, repr=False)
    distance_csr: sparse.csr_array = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.nodes)
        u = self.edges["u"].to_numpy(dtype=np.int64)
        v = self.edges["v"].to_numpy(dtype=np.int64)
        lengths = self.edges["length_m"].to_numpy(dtype=np.float64)
        derived = {
            "u": u,
            "v": v,
            "lengths": lengths,
            "degree": np.bincount(u, minlength=n) + np.bincount(v, minlength=n),
            "distance_csr": weighted_csr(n, u, v, lengths),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @cached_property
    def lines(self) -> npt.NDArray[np.object_]:
        """Segment geometries."""
        return self.edge_lines.make()

    @cached_property
    def segments(self) -> gpd.GeoDataFrame:
        """One row per edge with its geometry (see the class attributes)."""
        return gpd.GeoDataFrame(self.edges, geometry=gpd.GeoSeries(self.lines, crs=self.crs))

    @cached_property
    def node_points(self) -> npt.NDArray[np.object_]:
        """Nodes as points."""
        return shapely.points(self.nodes) if self.n_nodes else np.zeros(0, dtype=object)

    @cached_property
    def segment_tree(self) -> shapely.STRtree:
        """Spatial index of the segments."""
        return shapely.STRtree(self.lines)

    @cached_property
    def node_tree(self) -> shapely.STRtree:
        """Spatial index of the nodes."""
        return shapely.STRtree(self.node_points)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        """Number of edges (segments)."""
        return len(self.u)

    @property
    def node_geometry(self) -> GeometryArray:
        """Nodes as a new geopandas GeometryArray in the graph's CRS."""
        return from_shapely(self.node_points, crs=self.crs)


def build_road_graph(
    roads: gpd.GeoDataFrame, *, snap_m: float = 50.0, noded: bool | None = None
) -> RoadGraph:
    """Node a roads layer into a graph.

    Lines are split where they cross or touch another line (and nowhere else, so a road
    keeps its vertices between junctions); MultiLineStrings are exploded. A road end that
    touches no other road (a dangling end) is joined to the nearest road within ``snap_m``:
    to its end, or to a new junction on it, and the segment's end is moved there.
    Missing, empty and zero-length geometries carry no road and are skipped.

    Parameters
    ----------
    roads : geopandas.GeoDataFrame
        LineString/MultiLineString roads in a projected CRS.
    snap_m : float, default 50.0
        Dangling ends this close to another road join it (``0`` joins only what touches).
    noded : bool, optional
        The roads already meet only at shared vertices, as OpenStreetMap ways do: they
        are split there without looking for crossings, so a road passing over another
        without a shared vertex (a bridge, a tunnel) does not join it. Dangling ends are
        still snapped. ``False``: every crossing, touch and overlap is a junction. By
        default each road's own ``noded`` column says it where the layer has one (the
        roads :func:`geoaccess.io.osm.read_osm_roads` reads do, all ``True``): two
        marked roads meet only at shared vertices, and a road not marked (or missing)
        joins every road it crosses. Without the column, ``False``.

    Returns
    -------
    RoadGraph
        The noded graph; each segment keeps its source row's index label (``road``) and
        attributes.

    Raises
    ------
    ValueError
        When the CRS is missing or geographic, ``snap_m`` is negative, or a geometry is
        not a line.

    Notes
    -----
    Junctions are where two lines meet: a road crossing itself is not split at that
    crossing (split such a loop in the data). Roads overlapping along a stretch both keep
    their own segments there (parallel edges between the same nodes). Lines that meet
    only at shared vertices, as OSM ways do, are split there without any GEOS overlay;
    only lines crossing mid-segment, overlapping, nearly touching or receiving a snapped
    end are intersected with GEOS (:mod:`.noding`, which gives the same graph as
    intersecting every pair). Segment geometries are made on first use.

    Examples
    --------
    Two roads whose ends are 30 m apart join when the snapping distance allows it:

    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(
    ...     geometry=[LineString([(0, 0), (100, 0)]), LineString([(130, 0), (230, 0)])],
    ...     crs="EPSG:32637",
    ... )
    >>> build_road_graph(roads, snap_m=50).n_nodes
    3
    >>> build_road_graph(roads, snap_m=10).n_nodes
    4
    """
    crs = require_projected(roads.crs, "the roads layer")
    if not np.isfinite(snap_m) or snap_m < 0:
        msg = f"snap_m must be a finite distance >= 0 metres; got {snap_m!r}"
        raise ValueError(msg)
    parts, rows = explode_lines(np.asarray(roads.geometry.array, dtype=object))
    marked = _noded_rows(roads) if noded is None else np.full(len(roads), bool(noded))
    pieces = node_lines(parts, snap_m=float(snap_m), noded=marked[rows])
    row = rows[pieces.source]
    data = {
        "length_m": pieces.lengths,
        "u": pieces.u,
        "v": pieces.v,
        "road": roads.index.take(row),
    }
    edges = pd.DataFrame(data)
    for column in roads.columns.drop([roads.geometry.name, *_RESERVED], errors="ignore"):
        edges[column] = roads[column].array.take(row)  # keeps the column's dtype
    log.info("road graph: %d segments, %d nodes", len(edges), len(pieces.nodes))
    return RoadGraph(edges=edges, nodes=pieces.nodes, crs=crs, edge_lines=pieces.lines)


def _noded_rows(roads: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Whether each road meets the other marked roads only at shared vertices.

    Read from the layer's ``noded`` column: ``True``/``False`` (or the numbers 1/0),
    missing values ``False``; all ``False`` without the column.

    Raises
    ------
    ValueError
        When a value is anything else (the text ``"false"`` would read as true).

    Examples
    --------
    >>> _noded_rows(pd.DataFrame({"noded": [True, None, 0]})).tolist()
    [True, False, False]
    >>> _noded_rows(pd.DataFrame({"name": ["a"]})).tolist()
    [False]
    """
    if "noded" not in roads:
        return np.zeros(len(roads), dtype=bool)
    column = roads["noded"]
    if pd.api.types.is_bool_dtype(column.dtype):  # numpy's bool, or pandas' with NA
        return column.fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(column.dtype):  # 1/0, in numpy, however many roads
        numbers = column.to_numpy(dtype=float, na_value=np.nan)
        other = ~np.isnan(numbers) & (numbers != 0) & (numbers != 1)
        if other.any():
            bad = column.to_numpy(dtype=object)[other][0]
            msg = f"the roads' noded column holds True or False, not {bad!r}"
            raise ValueError(msg)
        return numbers == 1
    values = column.to_numpy(dtype=object)
    missing = pd.isna(values)
    bad = [v for v in values[~missing] if not _is_flag(v)]
    if bad:
        msg = f"the roads' noded column holds True or False, not {bad[0]!r}"
        raise ValueError(msg)
    out = np.zeros(len(values), dtype=bool)
    out[~missing] = [bool(v) for v in values[~missing]]
    return out


def _is_flag(value: object) -> bool:
    """Whether a value is a boolean, or the number 0 or 1."""
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, (int, np.integer, float, np.floating)) and value in (0, 1)


def nearest_nodes(
    graph: RoadGraph, points: Any
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The nearest node of each point, and the straight-line distance to it.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    points : GeoSeries, GeoDataFrame, array of shapely Points or (k, 2) array
        Points in the graph's CRS (checked when they carry one).

    Returns
    -------
    tuple of numpy.ndarray
        Node ids (int) and distances in metres, aligned with ``points``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (100, 0)])], crs="EPSG:32637")
    >>> nearest_nodes(build_road_graph(roads), np.array([[90.0, 5.0], [-3.0, 4.0]]))
    (array([1, 0]), array([11.18033989,  5.        ]))
    """
    pts, _ = as_points(points, graph.crs, "points")
    if graph.n_nodes == 0 and len(pts):
        msg = "the road graph has no nodes to snap to"
        raise ValueError(msg)
    if len(pts) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if len(pts) <= SCAN_NEAREST_UP_TO:
        return _nearest_by_scan(graph.nodes, shapely.get_coordinates(pts))
    (which, node), dist = graph.node_tree.query_nearest(pts, return_distance=True)
    order = np.lexsort((node, which))  # the index gives ties in its own order
    _, first = np.unique(which[order], return_index=True)  # ties: the lowest node id
    return node[order[first]].astype(np.int64), dist[order[first]]


#: Up to this many points, :func:`nearest_nodes` scans every node's coordinates instead
#: of building the node index (a network distance from a few origins on a fresh graph).
SCAN_NEAREST_UP_TO = 16


def _nearest_by_scan(
    nodes: npt.NDArray[np.float64], xy: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The index's answer, point by point over all nodes: GEOS's distance, lowest id on ties."""
    node_x, node_y = np.ascontiguousarray(nodes[:, 0]), np.ascontiguousarray(nodes[:, 1])
    node = np.empty(len(xy), dtype=np.int64)
    dist = np.empty(len(xy))
    for i, (x, y) in enumerate(xy):
        dx, dy = node_x - x, node_y - y
        d = np.sqrt(dx * dx + dy * dy)  # as GEOS measures between two points
        node[i] = np.argmin(d)  # the first of equal distances: the lowest node id
        dist[i] = d[node[i]]
    return node, dist


def rear_nodes(
    graph: RoadGraph,
    *,
    frame: shapely.Geometry,
    anchors: np.ndarray | None,
    snap_m: float,
    edge: shapely.Geometry | None = None,
) -> npt.NDArray[np.int64]:
    """Nodes where the road network reaches the rear.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    frame : shapely.Polygon
        The scenario's frame (extent) in the graph's CRS; used when there are no anchors.
    anchors : numpy.ndarray or None
        ``(k, 2)`` rear anchor coordinates in the graph's CRS. ``None`` or an empty array
        means the side declares none.
    snap_m : float
        Search distance in metres.
    edge : shapely.Geometry, optional
        The part of the frame's boundary that is a rear (by default all of it; the edge
        lying on the sea is not).

    Returns
    -------
    numpy.ndarray of int
        Sorted node ids. With anchors: nodes within ``snap_m`` of an anchor. Without: road
        ends (degree-1 nodes) within ``snap_m`` of the frame's boundary (``edge``), since
        roads leaving the map continue beyond it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, box
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (980, 0)])], crs="EPSG:32637")
    >>> graph = build_road_graph(roads)
    >>> rear_nodes(graph, frame=box(-1000, -1000, 1000, 1000), anchors=None, snap_m=50)
    array([1])
    >>> rear_nodes(graph, frame=box(-1000, -1000, 1000, 1000), anchors=np.array([[10.0, 0]]),
    ...            snap_m=50)
    array([0])
    """
    if anchors is not None and len(np.atleast_2d(anchors)) and np.size(anchors):
        xy = np.asarray(anchors, dtype=float).reshape(-1, 2)
        _, node = graph.node_tree.query(shapely.points(xy), predicate="dwithin", distance=snap_m)
        return np.unique(node).astype(np.int64)
    ends = np.flatnonzero(graph.degree == 1)
    rear_edge = shapely.boundary(frame) if edge is None else edge
    near = shapely.dwithin(graph.node_points[ends], rear_edge, snap_m)
    return ends[near].astype(np.int64)


def usable_segments(
    graph: RoadGraph,
    *,
    hostile: shapely.Geometry | None,
    barriers: shapely.Geometry | None,
    snap_m: float,
) -> npt.NDArray[np.bool_]:
    """Which segments a side can use.

    A segment is unusable when more than ``snap_m`` of its length lies inside hostile
    ground (a road running along the boundary is not inside it), or when it crosses a
    barrier line (front line, siege line) or has an end on one (a junction on the line
    is a crossing too), or enters a barrier polygon.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    hostile : shapely.Geometry or None
        Hostile ground (polygons) in the graph's CRS.
    barriers : shapely.Geometry or None
        Barrier lines (or polygons) in the graph's CRS.
    snap_m : float
        Length of a segment that may lie in hostile ground before it is unusable.

    Returns
    -------
    numpy.ndarray of bool
        One value per segment.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, box
    >>> roads = gpd.GeoDataFrame(
    ...     geometry=[LineString([(0, 0), (1000, 0)]), LineString([(0, 500), (1000, 500)])],
    ...     crs="EPSG:32637",
    ... )
    >>> graph = build_road_graph(roads)
    >>> usable_segments(graph, hostile=box(400, 400, 600, 600), barriers=None, snap_m=50)
    array([ True, False])
    """
    usable = np.ones(graph.n_edges, dtype=bool)
    if hostile is not None and not shapely.is_empty(hostile):
        core = shapely.buffer(hostile, -TOL_M)  # the boundary itself is not inside
        shapely.prepare(core)
        cand = graph.segment_tree.query(core, predicate="intersects")
        # a segment no longer than snap_m never has more than snap_m inside, and one
        # wholly inside has all of it: only the others are intersected
        cand = cand[graph.lengths[cand] > snap_m]
        inside = graph.lengths[cand]  # a new array: indexed with an array
        crossing = ~shapely.contains_properly(core, graph.lines[cand])
        inside[crossing] = shapely.length(shapely.intersection(graph.lines[cand[crossing]], core))
        usable[cand[inside > snap_m]] = False
    usable &= ~cut_by(graph, barriers)
    return usable


def exposed_segments(
    graph: RoadGraph,
    *,
    hostile: shapely.Geometry | None,
    area: shapely.Geometry,
    fire_control_m: float,
) -> npt.NDArray[np.bool_]:
    """Which segments are under fire outside an area.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    hostile : shapely.Geometry or None
        Hostile ground in the graph's CRS.
    area : shapely.Geometry
        The area being supplied; the part of a segment inside it is never exposed.
    fire_control_m : float
        Ground within this distance of hostile ground is under fire.

    Returns
    -------
    numpy.ndarray of bool
        ``True`` where the part of the segment outside ``area`` lies within
        ``fire_control_m`` of hostile ground.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, box
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (5000, 0)])], crs="EPSG:32637")
    >>> graph = build_road_graph(roads)
    >>> hostile = box(0, 1000, 5000, 3000)
    >>> exposed_segments(graph, hostile=hostile, area=box(-10, -10, 10, 10), fire_control_m=1500)
    array([ True])
    >>> exposed_segments(graph, hostile=hostile, area=box(-10, -10, 10, 10), fire_control_m=900)
    array([False])
    """
    exposed = np.zeros(graph.n_edges, dtype=bool)
    if hostile is None or shapely.is_empty(hostile):
        return exposed
    shapely.prepare(hostile)
    near = graph.segment_tree.query(hostile, predicate="dwithin", distance=fire_control_m)
    if len(near) == 0:
        return exposed
    exposed[near[exposed_outside(graph.lines[near], area, hostile, fire_control_m)]] = True
    return exposed


def exposed_outside(
    lines: npt.NDArray[np.object_],
    areas: shapely.Geometry | npt.NDArray[np.object_],
    hostile: shapely.Geometry,
    fire_control_m: float,
) -> npt.NDArray[np.bool_]:
    """The exposed-road rule, the one place it is written.

    A line is under fire where its part outside the area it supplies lies within
    ``fire_control_m`` of hostile ground.

    Parameters
    ----------
    lines : numpy.ndarray of shapely.LineString
        Road segments.
    areas : shapely.Geometry or numpy.ndarray of shapely.Geometry
        The area each segment supplies (one for all, or one per segment): the part of a
        segment inside it is never exposed.
    hostile : shapely.Geometry
        Hostile ground.
    fire_control_m : float
        Ground within this distance of hostile ground is under fire.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> from shapely import LineString, box
    >>> lines = np.array([LineString([(0, 0), (5000, 0)])], dtype=object)
    >>> exposed_outside(lines, box(-10, -10, 10, 10), box(0, 1000, 5000, 3000), 1500).tolist()
    [True]
    >>> exposed_outside(lines, box(-10, -10, 5010, 10), box(0, 1000, 5000, 3000), 1500).tolist()
    [False]
    """
    # Only lines that meet their area lose a part to it; hostile ground is prepared and
    # passed first, so that GEOS tests each line against its prepared form.
    outside = np.asarray(lines, dtype=object).copy()
    meets = shapely.intersects(areas, lines)
    if meets.any():
        cut_by = areas[meets] if isinstance(areas, np.ndarray) else areas
        outside[meets] = shapely.difference(outside[meets], cut_by)
    long_enough = shapely.length(outside) > TOL_M
    exposed = np.zeros(len(outside), dtype=bool)
    if long_enough.any():
        shapely.prepare(hostile)
        exposed[long_enough] = shapely.dwithin(hostile, outside[long_enough], fire_control_m)
    return exposed


def road_graph_at(ctx: Context, cache: Cache, rows: keys.DayRows) -> RoadGraph | None:
    """The noded graph of the roads valid on a date (``None`` when none is valid).

    Built once per set of valid roads within one call.
    """
    if not rows.roads:
        return None

    def build() -> RoadGraph:
        return build_road_graph(ctx.layers["roads"].iloc[list(rows.roads)], snap_m=ctx.rules.snap_m)

    return cache.get(keys.road_graph(rows), build)
