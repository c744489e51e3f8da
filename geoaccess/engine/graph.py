"""Graph internals of :mod:`geoaccess.engine.roads`: CRS checks and sparse-graph helpers.

Noding (lines split into edges at their junctions) is :mod:`.noding`.

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

from .noding import TOL_M

log = logging.getLogger(__name__)

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


def weighted_csr(n: int, u: IntArray, v: IntArray, weight: FloatArray) -> sparse.csr_array:
    """Symmetric CSR of an undirected graph keeping the lightest of parallel edges."""
    ok = u != v
    u, v, weight = u[ok], v[ok], weight[ok]
    key = np.minimum(u, v) * n + np.maximum(u, v)
    order = np.argsort(key)  # parallel edges in any order: the least weight is kept
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else order
    least = np.minimum.reduceat(weight[order], first) if len(key) else weight
    lo, hi = key[first] // n, key[first] % n
    rows = np.concatenate([lo, hi])
    cols = np.concatenate([hi, lo])
    data = np.concatenate([least, least])
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
    cut = np.zeros(len(graph.u), dtype=bool)
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
