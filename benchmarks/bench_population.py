"""Areal interpolation and distance bands: geoaccess vs tobler vs geopandas overlay.

Square grids of 10k, 100k and 1M source cells (100 m) are allocated to ~500 irregular
targets (Voronoi cells of random points clipped to the extent, fixed seed). At 1M cells
tobler and overlay run once; ``GEOACCESS_BENCH_QUICK=1`` skips them there.
"""

from __future__ import annotations

import os
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from benchmarks._timing import median_time, print_table
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


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(abs(a.sum() - b.sum()) / abs(b.sum()))


def bench_areal(quick: bool) -> None:
    rows = []
    for n in (100, 316, 1000):
        source = grid(n)
        target = voronoi_targets(tuple(source.total_bounds))
        big = n >= 1000
        t_ga, ours = median_time(lambda s=source, t=target: allocate_population(t, s), repeat=3)
        ours = ours.to_numpy()
        row: list[object] = [f"{n * n:,}", len(target), t_ga]
        for func in (with_tobler, with_overlay):
            if big and quick:
                row += ["skipped", "-", "-"]
                continue
            t, theirs = median_time(lambda f=func, s=source, t=target: f(s, t),
                                    repeat=1 if n >= 316 else 3)
            per_target = float(np.max(np.abs(ours - theirs)) / max(np.max(np.abs(theirs)), 1e-300))
            row += [t, t / t_ga, f"{max(rel_diff(ours, theirs), per_target):.1e}"]
        rows.append(row)
    print_table(
        "allocate_population (polygons) vs tobler area_interpolate vs overlay+groupby"
        " (seconds, median; ratio = theirs / ours; diff = max relative difference)",
        ["cells", "targets", "geoaccess", "tobler", "ratio", "diff",
         "overlay", "ratio", "diff"],
        rows,
    )


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
        [shapely.LineString(np.column_stack([np.linspace(0, 50000, 200),
                                             25000 + 3000 * np.sin(np.linspace(0, 9, 200))])),
         shapely.LineString([(10000, 0), (12000, 50000)])],
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
        t_ga, ours = median_time(lambda p=pts: population_within(p, front, bands), repeat=3)
        t_sj, theirs = median_time(lambda p=pts: buffer_sjoin(p, front, bands),
                                   repeat=1 if n > 100_000 else 3)
        diff = np.abs(ours["population"].to_numpy() - theirs).max() / theirs.sum()
        rows.append([f"{n:,}", t_ga, t_sj, t_sj / t_ga, f"{diff:.1e}"])
    print_table(
        "population_within (points) vs buffer + sjoin (seconds, median; ratio = theirs / ours)",
        ["points", "geoaccess", "buffer+sjoin", "ratio", "max diff / total"],
        rows,
    )


def main() -> None:
    quick = os.environ.get("GEOACCESS_BENCH_QUICK", "") not in ("", "0")
    bench_areal(quick)
    bench_bands()


if __name__ == "__main__":
    main()
