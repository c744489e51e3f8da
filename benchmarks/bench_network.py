"""Network distance from ~10 origins: ``ga.network_distance`` against networkx.

Road grids of long straight streets (crossing every 100 m, so building the graph nodes
every crossing) with about 50k and 500k edges. ``ga.network_distance`` is timed with a
prebuilt graph and from the raw roads layer (graph build included); networkx's
``multi_source_dijkstra_path_length`` is timed on a prebuilt ``nx.Graph`` (its build
excluded). Distances are compared node by node.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

import geoaccess as ga
from benchmarks._timing import median_time, print_table
from geoaccess.engine.roads import RoadGraph, build_road_graph

log = logging.getLogger(__name__)

CRS = "EPSG:32637"
STEP_M = 100.0
N_ORIGINS = 10


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


def run_case(k: int, *, repeat: int) -> list[object]:
    roads = grid_roads(k)
    build_s, graph = median_time(lambda: build_road_graph(roads), repeat=repeat)
    rng = np.random.default_rng(42)
    origin_nodes = rng.choice(graph.n_nodes, size=N_ORIGINS, replace=False)
    origins = gpd.GeoSeries(shapely.points(graph.nodes[origin_nodes]), crs=CRS)

    prebuilt_s, ours = median_time(lambda: ga.network_distance(graph, origins), repeat=repeat)
    total_s, ours_raw = median_time(lambda: ga.network_distance(roads, origins), repeat=repeat)

    nx_build_s, g = median_time(lambda: to_networkx(graph), repeat=1)
    sources = set(origin_nodes.tolist())
    nx_s, ref = median_time(
        lambda: nx.multi_source_dijkstra_path_length(g, sources, weight="length"), repeat=repeat
    )
    expected = np.full(graph.n_nodes, np.inf)
    expected[list(ref)] = list(ref.values())
    got = ours["distance_m"].to_numpy()
    identical = bool(np.array_equal(got, expected)) and bool(
        np.array_equal(ours_raw["distance_m"].to_numpy(), expected)
    )
    return [
        len(graph.segments),
        graph.n_nodes,
        build_s,
        prebuilt_s,
        total_s,
        nx_s,
        nx_s / prebuilt_s,
        nx_s / total_s,
        (nx_s + nx_build_s) / total_s,
        "yes" if identical else f"NO (max diff {np.nanmax(np.abs(got - expected)):.3g})",
    ]


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    rows = [run_case(159, repeat=5), run_case(501, repeat=3)]
    print_table(
        f"network distance from {N_ORIGINS} origins on road grids "
        "(median seconds; x = networkx time / ga time; networkx graph build excluded "
        "except in the last ratio)",
        [
            "edges",
            "nodes",
            "ga build",
            "ga (prebuilt)",
            "ga (incl. build)",
            "networkx",
            "x prebuilt",
            "x incl. build",
            "x both incl. build",
            "identical",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
