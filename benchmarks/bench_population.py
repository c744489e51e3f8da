"""Areal interpolation and distance bands: geoaccess vs tobler vs geopandas overlay.

Square grids of 10k, 100k and 1M source cells (100 m) are allocated to ~500 irregular
targets (Voronoi cells of random points clipped to the extent, fixed seed). Repetitions are
interleaved (median of 3); ``GEOACCESS_BENCH_QUICK=1`` skips tobler and overlay at 1M.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from benchmarks._timing import print_table
from geoaccess.population import allocate_population, population_within

CRS = "EPSG:32637"
SEED = 20160717


def grid(n: int, size: float = 100.0) -> gpd.GeoDataFrame:
    xs, ys = np.meshgrid(np.arange(n) * size, np.arange(n) * size)
    cells = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + size, ys.ravel() + size)
    people = np.random.default_rng(SEED).gamma(2.0, 50.0, cells.size)
    return gpd.GeoDataFrame({"population": people}, geometry=cells, crs=CRS)


def voronoi_targets(extent: tuple[float, float, float, float], k: int = 500) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(SEED)
    x0, y0, x1, y1 = extent
    pts = shapely.points(rng.uniform(x0, x1, k), rng.uniform(y0, y1, k))
    frame = shapely.box(*extent)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame))
    cells = shapely.intersection(cells, frame)
    return gpd.GeoDataFrame({"target": np.arange(cells.size)}, geometry=cells, crs=CRS)


def with_tobler(source: gpd.GeoDataFrame, target: gpd.GeoDataFrame) -> np.ndarray:
    from tobler.area_weighted import area_interpolate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = area_interpolate(source, target, extensive_variables=["population"])
    return out["population"].to_numpy()


def with_overlay(source: gpd.GeoDataFrame, target: gpd.GeoDataFrame) -> np.ndarray:
    src = source.assign(src_area=source.area)
    pieces = gpd.overlay(src, target, how="intersection", keep_geom_type=True)
    share = pieces["population"] * pieces.area / pieces["src_area"]
    return share.groupby(pieces["target"]).sum().reindex(target["target"], fill_value=0).values


def interleaved(
    funcs: dict[str, Callable[[], Any]], *, repeat: int = 3, own_heap: bool = False
) -> tuple[dict[str, float], dict[str, Any]]:
    """Median wall time of each function and its last result, repetitions interleaved.

    Round ``r`` runs every function once, so a change in machine load during the run
    falls on all of them alike and the ratios stay fair. With ``own_heap``, the objects
    alive before each call are frozen out of Python's garbage collector (``gc.freeze``)
    while it runs: each call then pays for collecting its own objects only, not for
    walking what the others left alive (a networkx graph is millions of dicts, and a
    full collection started by anyone's allocations walks them all).
    """
    times: dict[str, list[float]] = {name: [] for name in funcs}
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, func in funcs.items():
            if own_heap:
                results.pop(name, None)
                gc.collect()
                gc.freeze()
            try:
                start = time.perf_counter()
                results[name] = func()
                times[name].append(time.perf_counter() - start)
            finally:
                if own_heap:
                    gc.unfreeze()
    return {name: statistics.median(t) for name, t in times.items()}, results


def load() -> str:
    """The 1/5/15-minute load averages, for the table title."""
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(abs(a.sum() - b.sum()) / abs(b.sum()))


def bench_areal(quick: bool) -> None:
    rows = []
    for n in (100, 316, 1000):
        source = grid(n)
        target = voronoi_targets(tuple(source.total_bounds))
        funcs = {
            "ours": lambda s=source, t=target: allocate_population(t, s).to_numpy(),
            "tobler": lambda s=source, t=target: with_tobler(s, t),
            "overlay": lambda s=source, t=target: with_overlay(s, t),
        }
        if n >= 1000 and quick:
            del funcs["tobler"], funcs["overlay"]
        times, results = interleaved(funcs, repeat=3)
        ours, total = results["ours"], float(source["population"].sum())
        row: list[object] = [
            f"{n * n:,}",
            len(target),
            times["ours"],
            f"{rel(ours.sum(), total):.0e}",
        ]
        for name in ("tobler", "overlay"):
            if name not in funcs:
                row += ["skipped", "-", "-", "-"]
                continue
            theirs = results[name]
            per_target = float(np.max(np.abs(ours - theirs)) / max(np.max(np.abs(theirs)), 1e-300))
            row += [
                times[name],
                times[name] / times["ours"],
                f"{max(rel_diff(ours, theirs), per_target):.1e}",
                f"{rel(theirs.sum(), total):.0e}",
            ]
        rows.append(row)
    print_table(
        "allocate_population (polygons) vs tobler area_interpolate vs overlay+groupby"
        " (seconds, median of 3 interleaved; ratio = theirs / ours; diff = max relative"
        " difference to ours; 'sum err' = relative error of the total, the targets tile"
        f" the grid; {load()})",
        [
            "cells",
            "targets",
            "geoaccess",
            "sum err",
            "tobler",
            "ratio",
            "diff",
            "sum err",
            "overlay",
            "ratio",
            "diff",
            "sum err",
        ],
        rows,
    )


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def buffer_sjoin(points: gpd.GeoDataFrame, features: gpd.GeoSeries, bands) -> np.ndarray:
    merged = features.union_all()
    rings = gpd.GeoDataFrame(
        {"band": np.arange(len(bands))}, geometry=[merged.buffer(d) for d in bands], crs=CRS
    )
    joined = gpd.sjoin(points, rings, predicate="intersects")
    first = joined.groupby(level=0)["band"].min()
    band = pd.Series(len(bands), index=points.index)
    band[first.index] = first
    return np.bincount(band, weights=points["population"], minlength=len(bands) + 1)


def bench_bands() -> None:
    rng = np.random.default_rng(SEED)
    front = gpd.GeoSeries(
        [
            shapely.LineString(
                np.column_stack(
                    [np.linspace(0, 50000, 200), 25000 + 3000 * np.sin(np.linspace(0, 9, 200))]
                )
            ),
            shapely.LineString([(10000, 0), (12000, 50000)]),
        ],
        crs=CRS,
    )
    bands = (1000.0, 3000.0, 10000.0)
    rows = []
    for n in (100_000, 1_000_000):
        pts = gpd.GeoDataFrame(
            {"population": rng.integers(1, 10, n).astype(float)},
            geometry=shapely.points(rng.uniform(0, 50000, n), rng.uniform(0, 50000, n)),
            crs=CRS,
        )
        times, results = interleaved(
            {
                "ours": lambda p=pts: population_within(p, front, bands),
                "sjoin": lambda p=pts: buffer_sjoin(p, front, bands),
            }
        )
        (t_ga, ours), (t_sj, theirs) = ((times[k], results[k]) for k in ("ours", "sjoin"))
        diff = np.abs(ours["population"].to_numpy() - theirs).max() / theirs.sum()
        rows.append([f"{n:,}", t_ga, t_sj, t_sj / t_ga, f"{diff:.1e}"])
    print_table(
        "population_within (points) vs buffer + sjoin (seconds, median of 3 interleaved;"
        f" ratio = theirs / ours; {load()})",
        ["points", "geoaccess", "buffer+sjoin", "ratio", "max diff / total"],
        rows,
    )


def main() -> None:
    quick = os.environ.get("GEOACCESS_BENCH_QUICK", "") not in ("", "0")
    bench_areal(quick)
    bench_bands()


if __name__ == "__main__":
    main()
