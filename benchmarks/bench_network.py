"""Network distance from ~10 origins: ``ga.network_distance`` against networkx.

Two road layers, each at about 50k and 500k edges once noded:

- ``osm-like``: already noded, as OSM ways are. A jittered street grid (100 m blocks, a
  bend between junctions); each way runs through 1-8 junctions, sharing a vertex with
  every street it meets, and the streets at the edge run 150 m out of the map. A few
  bridges cross streets without a shared vertex, and a few lanes stop 10 m short of a
  street (their ends snap onto it), so some lines take the GEOS route.
- ``un-noded``: long straight streets crossing every 100 m mid-segment: every crossing
  must be found and cut.

``ga.network_distance`` is timed on a prebuilt graph and from the raw roads layer (graph
build included); the osm-like layer a second time with every road marked in a ``noded``
column, as :func:`geoaccess.io.osm.read_osm_roads` marks the ways of an extract (junctions
only at shared vertices, as OSM ways meet: no crossing is looked for, and the bridges stay
bridges; the same call, its default reading the column); networkx's
``multi_source_dijkstra_path_length`` on a prebuilt ``nx.Graph``, and that graph's build
from our edges. Repetitions are interleaved (median). Ratios are theirs / ours: ``x
query`` leaves both builds out, ``x with build`` counts both. Each call is timed with what
was alive before it frozen out of the garbage collector (``interleaved(own_heap=True)``): a
full collection started by our 250k node Points walked the millions of dicts of the
networkx graph kept for its query, and networkx's build walked ours; now each pays for its
own objects only. Distances are compared node by node. A second table times the noding
alone, the fast route (:func:`~geoaccess.engine.noding.node_lines`) against the full one
that intersects every touching pair with GEOS, and checks that the graphs are the same.
"""

from __future__ import annotations

import itertools
import logging
import os

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

import geoaccess as ga
from benchmarks._timing import print_table
from benchmarks.bench_population import interleaved, load
from geoaccess.engine import noding
from geoaccess.engine.roads import RoadGraph, build_road_graph

log = logging.getLogger(__name__)

CRS = "EPSG:32637"
STEP_M = 100.0
N_ORIGINS = 10
SIZES = (159, 501)  # k x k junctions: about 50k and 500k edges


def grid_roads(k: int, *, step: float = STEP_M) -> gpd.GeoDataFrame:
    """``k`` north-south and ``k`` east-west streets: ``2 k (k - 1)`` edges once noded."""
    span = (k - 1) * step
    pos = np.arange(k) * step
    zeros, ends = np.zeros(k), np.full(k, span)
    vertical = shapely.linestrings(np.stack([np.c_[pos, zeros], np.c_[pos, ends]], axis=1))
    horizontal = shapely.linestrings(np.stack([np.c_[zeros, pos], np.c_[ends, pos]], axis=1))
    return gpd.GeoDataFrame(
        {"name": [f"street {i}" for i in range(2 * k)]},
        geometry=np.concatenate([vertical, horizontal]),
        crs=CRS,
    )


def osm_like_roads(k: int, *, step: float = STEP_M, seed: int = 0) -> gpd.GeoDataFrame:
    """An already-noded street grid of ``k x k`` junctions (see the module docstring)."""
    rng = np.random.default_rng(seed)
    jitter = rng.uniform(-0.2, 0.2, (2, k, k)) * step
    junction = np.stack(
        [np.arange(k)[:, None] * step + jitter[0], np.arange(k)[None, :] * step + jitter[1]],
        axis=-1,
    )  # [i, j]: column i, row j
    geoms, kinds = [], []
    for street in [junction[:, j] for j in range(k)] + [junction[i, :] for i in range(k)]:
        d = np.diff(street, axis=0)
        unit = d / np.hypot(d[:, 0], d[:, 1])[:, None]
        bend = (street[1:] + street[:-1]) / 2 + unit[:, ::-1] * [-1, 1] * rng.uniform(
            -5, 5, (k - 1, 1)
        )
        path = np.empty((2 * k - 1, 2))
        path[0::2], path[1::2] = street, bend
        path = np.r_[[street[0] - unit[0] * 1.5 * step], path, [street[-1] + unit[-1] * 1.5 * step]]
        # Ways of 1 to 8 blocks, from junction to junction (path positions 1, 3, 5...).
        cuts = np.cumsum(np.r_[1, 2 * rng.integers(1, 9, k)])
        cuts = np.r_[0, cuts[cuts < len(path) - 2], len(path) - 1]
        for a, b in itertools.pairwise(cuts):
            geoms.append(shapely.linestrings(path[a : b + 1]))
            kinds.append("street")
    for _ in range(max(k // 10, 1)):  # over three blocks, meeting the grid only at its ends
        i, j = rng.integers(0, k - 3, 2)
        geoms.append(shapely.linestrings(np.stack([junction[i, j], junction[i + 3, j + 3]])))
        kinds.append("bridge")
    for _ in range(max(k // 10, 1)):  # from a bend to 10 m short of the next street
        i, j = rng.integers(0, k - 1, 2)
        start = (junction[i, j] + junction[i + 1, j]) / 2
        end = (junction[i, j + 1] + junction[i + 1, j + 1]) / 2
        end = end - (end - start) / np.hypot(*(end - start)) * 10.0
        geoms.append(shapely.linestrings(np.stack([start, end])))
        kinds.append("lane")
    return gpd.GeoDataFrame({"kind": kinds}, geometry=np.array(geoms, dtype=object), crs=CRS)


def to_networkx(graph: RoadGraph) -> nx.Graph:
    """The road graph as a networkx graph (lightest of parallel edges)."""
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    order = np.argsort(-graph.lengths, kind="stable")  # lighter edges written last win
    g.add_weighted_edges_from(
        zip(
            graph.u[order].tolist(),
            graph.v[order].tolist(),
            graph.lengths[order].tolist(),
            strict=True,
        ),
        weight="length",
    )
    g.remove_edges_from(nx.selfloop_edges(g))
    return g


def run_case(name: str, roads: gpd.GeoDataFrame, *, repeat: int) -> list[object]:
    """Every call with its defaults: a ``noded`` column, where the roads have one, decides."""
    graph = build_road_graph(roads)
    rng = np.random.default_rng(42)
    origin_nodes = rng.choice(graph.n_nodes, size=N_ORIGINS, replace=False)
    origins = gpd.GeoSeries(shapely.points(graph.nodes[origin_nodes]), crs=CRS)
    g = to_networkx(graph)
    sources = set(origin_nodes.tolist())
    times, results = interleaved(
        {
            "build": lambda: build_road_graph(roads),
            "prebuilt": lambda: ga.network_distance(graph, origins),
            "raw": lambda: ga.network_distance(roads, origins),
            "nx build": lambda: to_networkx(graph),
            "nx": lambda: nx.multi_source_dijkstra_path_length(g, sources, weight="length"),
        },
        repeat=repeat,
        own_heap=True,
    )
    ref = results["nx"]
    expected = np.full(graph.n_nodes, np.inf)
    expected[list(ref)] = list(ref.values())
    got = results["prebuilt"]["distance_m"].to_numpy()
    identical = np.array_equal(got, expected) and np.array_equal(
        results["raw"]["distance_m"].to_numpy(), expected
    )
    nx_s, nx_build_s = times["nx"], times["nx build"]
    return [
        name,
        graph.n_edges,
        graph.n_nodes,
        times["build"],
        times["prebuilt"],
        times["raw"],
        nx_build_s,
        nx_s,
        nx_s / times["prebuilt"],
        (nx_s + nx_build_s) / times["raw"],
        "yes" if identical else f"NO (max diff {np.nanmax(np.abs(got - expected)):.3g})",
    ]


def noding_case(name: str, roads: gpd.GeoDataFrame, *, repeat: int) -> list[object]:
    parts, _ = noding.explode_lines(np.asarray(roads.geometry.array, dtype=object))
    times, results = interleaved(
        {
            "fast": lambda: noding.node_lines(parts, snap_m=50.0),
            "full": lambda: noding.node_lines_full(parts, snap_m=50.0),
        },
        repeat=repeat,
    )
    a, b = results["fast"], results["full"]
    same = all(
        np.array_equal(x, y) for x, y in zip(a_arrays(a), a_arrays(b), strict=True)
    ) and bool(shapely.equals_exact(a.lines.make(), b.lines.make(), 0).all())
    return [name, len(a.u), times["fast"], times["full"], times["full"] / times["fast"], same]


def a_arrays(noded: noding.Noded) -> list[np.ndarray]:
    return [noded.source, noded.u, noded.v, noded.nodes, noded.lengths]


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    quick = os.environ.get("GEOACCESS_BENCH_QUICK", "") not in ("", "0")
    sizes = SIZES[:1] if quick else SIZES
    rows, noding_rows = [], []
    for k in sizes:
        osm_like = osm_like_roads(k)
        for name, roads in (("osm-like", osm_like), ("un-noded", grid_roads(k))):
            rows.append(run_case(name, roads, repeat=5 if k < 300 else 3))
            if k < 300:
                noding_rows.append(noding_case(name, roads, repeat=3))
        # as roads read from an OSM extract come: each marked noded, the default call
        marked = osm_like.assign(noded=True)
        rows.append(run_case("osm-like, noded column", marked, repeat=5 if k < 300 else 3))
    print_table(
        f"network distance from {N_ORIGINS} origins (median seconds, interleaved; x = "
        f"networkx / geoaccess; 'x with build' counts both graph builds; {load()})",
        [
            "input",
            "edges",
            "nodes",
            "ga build",
            "ga (prebuilt)",
            "ga (with build)",
            "nx build",
            "nx query",
            "x query",
            "x with build",
            "identical",
        ],
        rows,
    )
    print_table(
        f"noding alone: fast route vs the full GEOS route (median seconds; {load()})",
        ["input", "edges", "fast", "full", "full / fast", "same graph"],
        noding_rows,
    )


if __name__ == "__main__":
    main()
