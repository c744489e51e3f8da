"""Graph internals of :mod:`geoaccess.engine.roads`: CRS checks and sparse-graph helpers.

Noding (lines split into edges at their junctions) is :mod:`.noding`.

Everything here works on plain numpy / shapely arrays in one projected CRS; the public
module wraps it in GeoDataFrames and checks the CRS.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components, maximum_flow

from .arrays import BoolArray, FloatArray, GeomArray, IntArray
from .noding import TOL_M
from .sorting import sorted_order

log = logging.getLogger(__name__)


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
    key, order = sorted_order(np.minimum(u, v) * n + np.maximum(u, v))
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else order
    least = np.minimum.reduceat(weight[order], first) if len(key) else weight
    lo, hi = key[first] // n, key[first] % n
    rows = np.concatenate([lo, hi])
    cols = np.concatenate([hi, lo])
    data = np.concatenate([least, least])
    return sparse.csr_array((data, (rows, cols)), shape=(n, n))


@dataclass(frozen=True, eq=False)
class FlowProblem:
    """One maximum flow on a road graph (see :func:`flow_routes`).

    Attributes
    ----------
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
    """

    u: IntArray
    v: IntArray
    edge_ids: IntArray
    source_nodes: IntArray
    through: IntArray
    rear: IntArray
    with_lifelines: bool


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
    u, v, edge_ids, source_nodes, through, rear, with_lifelines
        See :class:`FlowProblem`.

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
    problem = FlowProblem(u, v, edge_ids, source_nodes, through, rear, with_lifelines)
    return flow_routes_many(n_nodes, [problem])[0]


#: Arcs of one network solved by :func:`flow_routes_many`: more problems are solved in
#: further networks (a few million arcs of int32 stay well under 100 MB).
MAX_ARCS = 2_000_000


def flow_routes_many(n_nodes: int, problems: Sequence[FlowProblem]) -> list[tuple[int, IntArray]]:
    """:func:`flow_routes` of several problems on one road graph, in one network.

    Each problem's network (:func:`flow_routes`) is a block of its own; one source
    feeds every block's source and every block's sink drains into one sink, by arcs no
    block's flow fills. A maximum flow of the whole is a maximum flow of each block (the
    blocks share no arc), read on the arc into its source; its minimum cuts are those of
    the blocks, so the residual graph's strongly connected components give each block's
    lifelines as they would alone. One call of :func:`scipy.sparse.csgraph.maximum_flow`
    then serves many areas: on small graphs, most of a flow's time is the call itself.

    Returns
    -------
    list of tuple of (int, numpy.ndarray)
        Per problem, in order: the flow value and the lifeline segment ids.
    """
    empty = np.zeros(0, dtype=np.int64)
    out: list[tuple[int, IntArray]] = [(0, empty)] * len(problems)
    batch: list[tuple[int, _Block]] = []
    arcs = 0
    for k, problem in enumerate(problems):
        block = _Block.of(n_nodes, problem)
        if block is None:
            continue
        if batch and arcs + len(block.rows) > MAX_ARCS:
            _solve(batch, out)
            batch, arcs = [], 0
        batch.append((k, block))
        arcs += len(block.rows)
    if batch:
        _solve(batch, out)
    return out


@dataclass(frozen=True, eq=False)
class _Block:
    """One problem's network, its nodes numbered from 0 (``s`` and ``t`` last)."""

    n: int
    s: int
    t: int
    a: IntArray
    b: IntArray
    link: IntArray
    rows: IntArray
    cols: IntArray
    cap: npt.NDArray[np.int32]
    big: int
    with_lifelines: bool

    @classmethod
    def of(cls, n_nodes: int, p: FlowProblem) -> _Block | None:
        """The problem's network; ``None`` when it has no source or no rear."""
        if len(p.rear) == 0 or (len(p.source_nodes) == 0 and len(p.through) == 0):
            return None
        n_through = len(p.through)
        mid = n_nodes + np.arange(n_through)
        s, t = n_nodes + n_through, n_nodes + n_through + 1
        plain = np.ones(len(p.u), dtype=bool)
        plain[p.through] = False
        # Undirected road links: plain edges, and the two halves of edges crossing the area.
        a = np.concatenate([p.u[plain], p.u[p.through], mid])
        b = np.concatenate([p.v[plain], mid, p.v[p.through]])
        link = np.concatenate([p.edge_ids[plain], p.edge_ids[p.through], p.edge_ids[p.through]])
        big = 2 * len(a) + 2
        degree = np.bincount(np.concatenate([a, b]), minlength=t + 1)
        rear = p.rear[degree[p.rear] > 0]
        src = np.concatenate([np.unique(p.source_nodes), mid])
        rows = np.concatenate([a, b, np.full(len(src), s), rear])
        cols = np.concatenate([b, a, src, np.full(len(rear), t)])
        cap = np.concatenate(
            [
                np.ones(2 * len(a), dtype=np.int32),
                np.full(len(src), big, dtype=np.int32),
                degree[rear].astype(np.int32),
            ]
        )
        return cls(t + 1, s, t, a, b, link, rows, cols, cap, big, p.with_lifelines)


def _solve(batch: list[tuple[int, _Block]], out: list[tuple[int, IntArray]]) -> None:
    """Solve the blocks as one network; write each problem's answer into ``out``."""
    offsets = np.cumsum([0] + [block.n for _, block in batch])
    source, sink = int(offsets[-1]), int(offsets[-1]) + 1
    n = sink + 1
    big = np.array([block.big for _, block in batch], dtype=np.int32)
    starts = offsets[:-1]
    s_of = starts + np.array([block.s for _, block in batch])
    t_of = starts + np.array([block.t for _, block in batch])
    rows = np.concatenate(
        [block.rows + off for (_, block), off in zip(batch, starts, strict=True)]
        + [np.full(len(batch), source), t_of]
    )
    cols = np.concatenate(
        [block.cols + off for (_, block), off in zip(batch, starts, strict=True)]
        + [s_of, np.full(len(batch), sink)]
    )
    cap = np.concatenate([block.cap for _, block in batch] + [big, big])
    graph = sparse.csr_array((cap, (rows, cols)), shape=(n, n))
    graph.sum_duplicates()
    flow = maximum_flow(graph, source, sink).flow
    fc = sparse.coo_array(flow)
    into = (fc.coords[0] == source) & (fc.data > 0)
    value = np.zeros(len(batch), dtype=np.int64)
    value[np.searchsorted(s_of, fc.coords[1][into])] = fc.data[into]
    empty = np.zeros(0, dtype=np.int64)
    for (k, _), v in zip(batch, value, strict=True):
        out[k] = (int(v), empty)
    wanted = [i for i, (_, block) in enumerate(batch) if block.with_lifelines and value[i] == 1]
    if not wanted:
        return
    residual = (graph - sparse.csr_array(flow)).tocsr()
    residual.data[residual.data < 0] = 0
    residual.eliminate_zeros()
    _, scc = connected_components(residual, directed=True, connection="strong")
    carried = fc.data > 0
    fi, fj, carried_flow = fc.coords[0][carried], fc.coords[1][carried], fc.data[carried]
    # capacities of the carried arcs, looked up in the summed (sorted) capacity matrix
    coo = graph.tocoo()
    arc_key = coo.coords[0].astype(np.int64) * n + coo.coords[1]
    at = np.searchsorted(arc_key, fi.astype(np.int64) * n + fj)
    at = np.minimum(at, len(arc_key) - 1)
    found = arc_key[at] == fi.astype(np.int64) * n + fj
    saturated = found & (coo.data[at] == carried_flow)
    cut = saturated & (scc[fi] != scc[fj])
    fi, fj = fi[cut], fj[cut]  # the arcs on some minimum cut: a few per block
    for i in wanted:
        k, block = batch[i]
        ci, cj = fi - starts[i], fj - starts[i]
        # the block's own road arcs (not those into its source or sink)
        mine = (ci >= 0) & (ci < block.s) & (cj >= 0) & (cj < block.s)
        ci, cj = ci[mine], cj[mine]
        # Map the cut arcs back to segments through their (unordered) node pair.
        key = np.minimum(block.a, block.b) * block.n + np.maximum(block.a, block.b)
        order = np.argsort(key, kind="stable")
        hit = np.searchsorted(key[order], np.minimum(ci, cj) * block.n + np.maximum(ci, cj))
        out[k] = (1, np.unique(block.link[order[hit]]))


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


def cut_by(graph: Any, barriers: shapely.Geometry | None) -> BoolArray:
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


def segment_mask(mask: Any, n: int, name: str) -> BoolArray:
    """A per-segment boolean mask, checked to hold one value per segment."""
    arr = np.asarray(mask, dtype=bool)
    if arr.shape != (n,):
        msg = f"{name} must hold one boolean per segment ({n}); got shape {arr.shape}"
        raise ValueError(msg)
    return arr


def as_points(points: Any, crs: CRS, what: str) -> tuple[GeomArray, pd.Index]:
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
