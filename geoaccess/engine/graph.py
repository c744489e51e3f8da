"""Graph internals of :mod:`geoaccess.engine.roads`: noding, node snapping and sparse-graph helpers.

Everything here works on plain numpy / shapely arrays in one projected CRS; the public
module wraps it in GeoDataFrames and checks the CRS.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components, maximum_flow

log = logging.getLogger(__name__)

#: Coordinates closer than this (metres) are the same point: computed intersections of
#: three roads meeting at one place differ by float noise, never by a millimetre.
TOL_M = 1e-3

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
GeomArray = npt.NDArray[np.object_]


def require_projected(crs: Any, what: str) -> CRS:
    """The CRS as a pyproj CRS, or a ValueError when it is missing or geographic."""
    if crs is None:
        msg = f"{what} has no CRS; set one (a projected CRS in metres) before building roads"
        raise ValueError(msg)
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        msg = (
            f"{what} is in a geographic CRS ({crs.name}); network functions measure metres: "
            "reproject it first, e.g. gdf.to_crs(gdf.estimate_utm_crs())"
        )
        raise ValueError(msg)
    return crs


def same_crs(crs: CRS, other: Any, what: str) -> None:
    """Raise a ValueError when ``other`` (a CRS or None) differs from the graph's CRS."""
    if other is None:
        return
    if not crs.equals(CRS.from_user_input(other)):
        msg = (
            f"{what} is in CRS {CRS.from_user_input(other).name!r} but the road graph is in "
            f"{crs.name!r}; reproject it with .to_crs(graph.crs)"
        )
        raise ValueError(msg)


def explode_lines(geoms: GeomArray) -> tuple[GeomArray, IntArray]:
    """Single LineStrings of ``geoms`` and the position of the row each comes from.

    Missing and empty geometries are skipped; other geometry types raise a ValueError
    naming the offending positions.
    """
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    types = shapely.get_type_id(geoms)
    bad = present & ~np.isin(types, [1, 5])  # LineString, MultiLineString
    if bad.any():
        where = np.flatnonzero(bad)[:5].tolist()
        msg = (
            f"roads must be LineString or MultiLineString geometries; rows at positions "
            f"{where} are {sorted(set(shapely.get_type_id(geoms[bad]).tolist()))} "
            "(shapely type ids)"
        )
        raise ValueError(msg)
    rows = np.flatnonzero(present)
    parts, which = shapely.get_parts(geoms[rows], return_index=True)
    keep = shapely.length(parts) > 0  # zero-length parts carry no road
    return parts[keep], rows[which[keep]].astype(np.int64)


def unique_rows(xy: FloatArray) -> tuple[FloatArray, IntArray]:
    """Unique coordinate pairs (sorted by x, then y) and the inverse index."""
    if len(xy) == 0:
        return xy.reshape(0, 2), np.zeros(0, dtype=np.int64)
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    sxy = xy[order]
    new = np.ones(len(xy), dtype=bool)
    new[1:] = np.any(sxy[1:] != sxy[:-1], axis=1)
    group = np.cumsum(new) - 1
    inverse = np.empty(len(xy), dtype=np.int64)
    inverse[order] = group
    return sxy[new], inverse


def _cut_points(
    lines: GeomArray, tree: shapely.STRtree, snap_m: float
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """Where lines must be split, and which dangling ends snap where.

    Returns the line of each cut, its (n, 2) coordinates, and the (k, 2) coordinates of
    dangling ends with the (k, 2) point each one snaps to.
    """
    # Crossings and touches between two different lines cut both of them there.
    left, right = tree.query(lines, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    xy, which = shapely.get_coordinates(
        shapely.intersection(lines[left], lines[right]), return_index=True
    )
    cut_line = np.concatenate([left[which], right[which]])
    cut_xy = np.concatenate([xy, xy])

    # Dangling ends (touching no other line) snap to the nearest line within snap_m.
    n = len(lines)
    owner = np.concatenate([np.arange(n), np.arange(n)])
    ends = np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])
    end_xy = shapely.get_coordinates(ends)
    closed = np.all(end_xy[:n] == end_xy[n:], axis=1)
    hit_pt, hit_line = tree.query(ends, predicate="intersects")
    other = hit_line != owner[hit_pt]
    touched = np.zeros(2 * n, dtype=bool)
    touched[hit_pt[other]] = True
    dangling = np.flatnonzero(~touched & ~np.concatenate([closed, closed]))
    empty = np.zeros((0, 2))
    if snap_m <= 0 or len(dangling) == 0:
        return cut_line, cut_xy, empty, empty
    q_pt, q_line = tree.query(ends[dangling], predicate="dwithin", distance=snap_m)
    other = q_line != owner[dangling[q_pt]]
    q_pt, q_line = q_pt[other], q_line[other]
    if len(q_pt) == 0:
        return cut_line, cut_xy, empty, empty
    dist = shapely.distance(ends[dangling[q_pt]], lines[q_line])
    order = np.lexsort((q_line, dist, q_pt))
    _, first = np.unique(q_pt[order], return_index=True)
    pick = order[first]
    end_id, target_line = dangling[q_pt[pick]], q_line[pick]
    along = shapely.line_locate_point(lines[target_line], ends[end_id])
    target_xy = shapely.get_coordinates(shapely.line_interpolate_point(lines[target_line], along))
    cut_line = np.concatenate([cut_line, target_line])
    cut_xy = np.concatenate([cut_xy, target_xy])
    return cut_line, cut_xy, end_xy[end_id], target_xy


def _split(
    lines: GeomArray, cut_line: IntArray, cut_xy: FloatArray
) -> tuple[GeomArray, IntArray, FloatArray, FloatArray]:
    """Split each line at its cut points (and nowhere else).

    Returns the pieces, the line of each, and their first and last coordinates.
    """
    coords, vline = shapely.get_coordinates(lines, return_index=True)
    n_v = len(coords)
    first_v = np.ones(n_v, dtype=bool)
    first_v[1:] = vline[1:] != vline[:-1]
    last_v = np.ones(n_v, dtype=bool)
    last_v[:-1] = first_v[1:]
    step = np.zeros(n_v)
    step[1:] = np.hypot(*(coords[1:] - coords[:-1]).T)
    step[first_v] = 0.0
    along = np.cumsum(step)
    along -= along[np.flatnonzero(first_v)][vline]
    cut_along = shapely.line_locate_point(lines[cut_line], shapely.points(cut_xy))

    line = np.concatenate([vline, cut_line])
    dist = np.concatenate([along, cut_along])
    xy = np.concatenate([coords, cut_xy])
    is_cut = np.concatenate([first_v | last_v, np.ones(len(cut_line), dtype=bool)])
    order = np.lexsort((np.arange(len(line)), dist, line))
    line, xy, is_cut = line[order], xy[order], is_cut[order]
    # Repeated points (a cut on a vertex, one crossing found twice) collapse into one.
    new = np.ones(len(line), dtype=bool)
    new[1:] = (line[1:] != line[:-1]) | np.any(xy[1:] != xy[:-1], axis=1)
    starts = np.flatnonzero(new)
    is_cut = np.maximum.reduceat(is_cut, starts)
    line, xy = line[starts], xy[starts]

    first = np.ones(len(line), dtype=bool)
    first[1:] = line[1:] != line[:-1]
    last = np.ones(len(line), dtype=bool)
    last[:-1] = first[1:]
    opens = is_cut & ~last
    piece = np.cumsum(opens) - 1
    closes = np.flatnonzero(is_cut & ~first & ~last)  # ends one piece, opens the next
    pos = np.concatenate([np.arange(len(line)), closes])
    pid = np.concatenate([piece, piece[closes] - 1])
    order = np.lexsort((pos, pid))
    pid, pxy = pid[order], xy[pos[order]]
    head = np.ones(len(pid), dtype=bool)
    head[1:] = pid[1:] != pid[:-1]
    tail = np.ones(len(pid), dtype=bool)
    tail[:-1] = head[1:]
    pieces = shapely.linestrings(pxy, indices=pid)
    return pieces, line[opens], pxy[head], pxy[tail]


def node_lines(
    lines: GeomArray, *, snap_m: float
) -> tuple[GeomArray, IntArray, IntArray, IntArray, FloatArray]:
    """Node single LineStrings into graph edges.

    Returns ``(pieces, source_line, u, v, node_xy)``: one LineString per edge, the input
    line it was cut from, its end node ids and the node coordinates.
    """
    empty_i = np.zeros(0, dtype=np.int64)
    if len(lines) == 0:
        return np.zeros(0, dtype=object), empty_i, empty_i, empty_i, np.zeros((0, 2))
    tree = shapely.STRtree(lines)
    cut_line, cut_xy, dangle_xy, target_xy = _cut_points(lines, tree, snap_m)
    pieces, source, start_xy, end_xy = _split(lines, cut_line, cut_xy)
    m = len(pieces)
    node_xy, inverse = unique_rows(np.concatenate([start_xy, end_xy, dangle_xy, target_xy]))
    u, v = inverse[:m], inverse[m : 2 * m]
    k = len(dangle_xy)
    dangle, target = inverse[2 * m : 2 * m + k], inverse[2 * m + k :]

    # Merge nodes: float-noise duplicates, and dangling ends with their snap targets.
    pts = shapely.points(node_xy)
    a, b = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=TOL_M)
    n = len(node_xy)
    pairs = sparse.coo_array(
        (np.ones(len(a) + k, dtype=np.int8), (np.r_[a, dangle], np.r_[b, target])), shape=(n, n)
    )
    n_comp, comp = connected_components(pairs, directed=False)
    degree = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
    # Each merged node keeps the coordinates of its best-connected member.
    order = np.lexsort((np.arange(n), -degree, comp))
    _, first = np.unique(comp[order], return_index=True)
    new_xy = node_xy[order[first]]
    u, v = comp[u], comp[v]

    moved = np.flatnonzero(
        np.any(start_xy != new_xy[u], axis=1) | np.any(end_xy != new_xy[v], axis=1)
    )
    if len(moved):
        coords, which = shapely.get_coordinates(pieces[moved], return_index=True)
        head = np.ones(len(which), dtype=bool)
        head[1:] = which[1:] != which[:-1]
        tail = np.ones(len(which), dtype=bool)
        tail[:-1] = head[1:]
        coords[head] = new_xy[u[moved]]
        coords[tail] = new_xy[v[moved]]
        pieces = pieces.copy()
        pieces[moved] = shapely.linestrings(coords, indices=which)
        log.debug("moved the ends of %d road pieces onto snapped nodes", len(moved))
    keep = shapely.length(pieces) > 0
    log.debug("noded %d lines into %d edges and %d nodes", len(lines), keep.sum(), n_comp)
    return pieces[keep], source[keep], u[keep], v[keep], new_xy


def weighted_csr(n: int, u: IntArray, v: IntArray, weight: FloatArray) -> sparse.csr_array:
    """Symmetric CSR of an undirected graph keeping the lightest of parallel edges."""
    ok = u != v
    u, v, weight = u[ok], v[ok], weight[ok]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    key = lo * n + hi
    order = np.lexsort((weight, key))
    _, first = np.unique(key[order], return_index=True)
    pick = order[first]
    rows = np.concatenate([lo[pick], hi[pick]])
    cols = np.concatenate([hi[pick], lo[pick]])
    data = np.concatenate([weight[pick], weight[pick]])
    return sparse.csr_array((data, (rows, cols)), shape=(n, n))


def flow_routes(
    n_nodes: int,
    u: IntArray,
    v: IntArray,
    edge_ids: IntArray,
    source_nodes: IntArray,
    through: IntArray,
    rear: IntArray,
    *,
    with_lifelines: bool,
) -> tuple[int, IntArray]:
    """Edge-disjoint paths from the area to the rear, and the single-edge cuts.

    Parameters
    ----------
    n_nodes : int
        Number of road nodes.
    u, v, edge_ids : numpy.ndarray of int
        The usable edges (no self-loops) and their segment ids.
    source_nodes : numpy.ndarray of int
        Road nodes inside the area.
    through : numpy.ndarray of int
        Positions (into ``u``/``v``) of usable edges crossing the area without a node in
        it: each is split at a virtual node fed by the source.
    rear : numpy.ndarray of int
        Rear nodes.
    with_lifelines : bool
        Also find the segments forming a single-edge cut (only when the flow is 1).

    Returns
    -------
    tuple of (int, numpy.ndarray)
        The flow value and the lifeline segment ids.

    Notes
    -----
    Unit capacities: every road edge is two opposite arcs of capacity 1 (parallel roads
    add up). The source feeds the area's nodes, the rear nodes feed the sink with their
    degree (a road end at the frame is one road beyond the map). Lifelines come from the
    residual graph (Picard and Queyranne, 1980): a saturated arc lies on some minimum cut
    exactly when its ends fall in different strongly connected components of the residual
    graph; with a flow of 1 such an arc is a cut on its own. That is O(E) after the flow.
    """
    empty = np.zeros(0, dtype=np.int64)
    if len(rear) == 0 or (len(source_nodes) == 0 and len(through) == 0):
        return 0, empty
    n_through = len(through)
    mid = n_nodes + np.arange(n_through)
    s, t = n_nodes + n_through, n_nodes + n_through + 1
    n = t + 1
    plain = np.ones(len(u), dtype=bool)
    plain[through] = False
    # Undirected road links: plain edges, and the two halves of edges crossing the area.
    a = np.concatenate([u[plain], u[through], mid])
    b = np.concatenate([v[plain], mid, v[through]])
    link = np.concatenate([edge_ids[plain], edge_ids[through], edge_ids[through]])
    big = 2 * len(a) + 2
    degree = np.bincount(np.concatenate([a, b]), minlength=n)
    rear = rear[degree[rear] > 0]
    src = np.concatenate([np.unique(source_nodes), mid])
    rows = np.concatenate([a, b, np.full(len(src), s), rear])
    cols = np.concatenate([b, a, src, np.full(len(rear), t)])
    cap = np.concatenate(
        [
            np.ones(2 * len(a), dtype=np.int32),
            np.full(len(src), big, dtype=np.int32),
            degree[rear].astype(np.int32),
        ]
    )
    graph = sparse.csr_array((cap, (rows, cols)), shape=(n, n))
    graph.sum_duplicates()
    result = maximum_flow(graph, s, t)
    value = int(result.flow_value)
    if not with_lifelines or value != 1:
        return value, empty
    flow = sparse.csr_array(result.flow)
    residual = (graph - flow).tocsr()
    residual.data[residual.data < 0] = 0
    residual.eliminate_zeros()
    _, scc = connected_components(residual, directed=True, connection="strong")
    fc = flow.tocoo()
    carried = fc.data > 0
    fi, fj = fc.coords[0][carried], fc.coords[1][carried]
    saturated = np.asarray(graph[fi, fj]).ravel() == np.asarray(fc.data[carried]).ravel()
    cut = saturated & (scc[fi] != scc[fj]) & (fi < s) & (fj < s)
    fi, fj = fi[cut], fj[cut]
    # Map the cut arcs back to segments through their (unordered) node pair.
    key = np.minimum(a, b) * n + np.maximum(a, b)
    order = np.argsort(key, kind="stable")
    hit = np.searchsorted(key[order], np.minimum(fi, fj) * n + np.maximum(fi, fj))
    return value, np.unique(link[order[hit]])


# --- helpers ------------------------------------------------------------------------------


def tree_roots(pred: npt.NDArray[np.int32], n: int) -> npt.NDArray[np.int64]:
    """For each node, the first node below the super-source ``n`` on its shortest path.

    Pointer jumping over the predecessor tree: O(n log depth), no Python loop over nodes.
    """
    parent = pred.astype(np.int64)
    own = (parent < 0) | (parent == n)  # tree roots (origin nodes) and unreached nodes
    parent[own] = np.flatnonzero(own)
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            return parent
        parent = nxt


def cut_by(graph: Any, barriers: shapely.Geometry | None) -> npt.NDArray[np.bool_]:
    """Segments cut by barrier lines or polygons."""
    cut = np.zeros(len(graph.segments), dtype=bool)
    if barriers is None or shapely.is_empty(barriers):
        return cut
    parts = shapely.get_parts(shapely.get_parts(barriers))  # flatten collections
    dim = shapely.get_dimensions(parts)
    lines, polygons = parts[dim == 1], parts[dim == 2]
    tree = graph.segment_tree
    if len(polygons):
        cut[tree.query(polygons, predicate="intersects")[1]] = True
    if len(lines):
        cut[tree.query(lines, predicate="crosses")[1]] = True
        # A junction exactly on the line is a crossing too: its segments are cut.
        _, on_line = graph.node_tree.query(lines, predicate="dwithin", distance=TOL_M)
        blocked = np.zeros(graph.n_nodes, dtype=bool)
        blocked[on_line] = True
        cut |= blocked[graph.u] | blocked[graph.v]
    return cut


def segment_mask(mask: Any, n: int, name: str) -> npt.NDArray[np.bool_]:
    """A per-segment boolean mask, checked to hold one value per segment."""
    arr = np.asarray(mask, dtype=bool)
    if arr.shape != (n,):
        msg = f"{name} must hold one boolean per segment ({n}); got shape {arr.shape}"
        raise ValueError(msg)
    return arr


def as_points(points: Any, crs: CRS, what: str) -> tuple[npt.NDArray[np.object_], pd.Index]:
    """Shapely Points and their labels from a GeoSeries, GeoDataFrame or array."""
    if isinstance(points, (gpd.GeoDataFrame, gpd.GeoSeries)):
        same_crs(crs, points.crs, what)
        geoms = np.asarray(points.geometry.array, dtype=object)
        labels = points.index
    else:
        arr = np.asarray(points)
        if arr.dtype != object:
            arr = shapely.points(np.asarray(arr, dtype=float).reshape(-1, 2))
        geoms = arr.reshape(-1)
        labels = pd.RangeIndex(len(geoms))
    types = shapely.get_type_id(geoms)
    if np.any(types != 0) or np.any(shapely.is_empty(geoms)):
        bad = labels[(types != 0) | shapely.is_empty(geoms)][:5].tolist()
        msg = f"{what} must be non-empty Points; rows {bad} are not"
        raise ValueError(msg)
    return geoms, labels


def as_geometry(geoms: Any, crs: CRS, what: str) -> shapely.Geometry | None:
    """One shapely geometry from a geometry, GeoSeries or GeoDataFrame (or None)."""
    if geoms is None:
        return None
    if isinstance(geoms, (gpd.GeoDataFrame, gpd.GeoSeries)):
        same_crs(crs, geoms.crs, what)
        return shapely.geometrycollections(np.asarray(geoms.geometry.array, dtype=object))
    if isinstance(geoms, shapely.Geometry):
        return geoms
    return shapely.geometrycollections(np.asarray(geoms, dtype=object).reshape(-1))
