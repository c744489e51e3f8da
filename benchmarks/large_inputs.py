"""Peak memory on large inputs, each case in its own subprocess.

Run with ``python -m benchmarks.large_inputs``.

Cases:

- ``grid``: ``ga.allocate_population`` of a 1,000 x 1,000 grid of 100 m polygon cells
  (1 million cells) onto 400 areas;
- ``geojson``: a scenario folder whose population layer is a ~100 MB GeoJSON of points,
  loaded with ``ga.read_scenario`` and assessed with ``ga.assess``.

Peak resident memory (``ru_maxrss`` of the child) and wall time are printed against the
8 GB bar; nothing is asserted. Not named ``bench_*``: ``make bench`` skips it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BAR_GB = 8.0
UTM = "EPSG:32637"  # Aleppo's zone
X0, Y0 = 300_000.0, 4_000_000.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def case_grid() -> dict[str, float]:
    import geopandas as gpd
    import numpy as np
    import shapely

    import geoaccess as ga

    n, cell = 1_000, 100.0
    xs, ys = np.meshgrid(np.arange(n) * cell + X0, np.arange(n) * cell + Y0)
    xs, ys = xs.ravel(), ys.ravel()
    population = gpd.GeoDataFrame(
        {"population": np.random.default_rng(0).uniform(0, 50, n * n)},
        geometry=shapely.box(xs, ys, xs + cell, ys + cell),
        crs=UTM,
    )
    k, size = 20, n * cell / 20
    ax, ay = np.meshgrid(np.arange(k) * size + X0 + 37, np.arange(k) * size + Y0 + 37)
    ax, ay = ax.ravel(), ay.ravel()
    areas = gpd.GeoDataFrame(
        {"area_id": [f"a{i}" for i in range(k * k)]},
        geometry=shapely.box(ax, ay, ax + size, ay + size),
        crs=UTM,
    )
    before = _peak_mb()
    start = time.perf_counter()
    allocated = ga.allocate_population(areas, population)
    seconds = time.perf_counter() - start
    return {
        "cells": float(n * n),
        "input_total": float(population["population"].sum()),
        "allocated_total": float(allocated.sum()),
        "peak_before_call_mb": before,
        "seconds": seconds,
    }


def case_geojson() -> dict[str, float]:
    import geopandas as gpd
    import numpy as np
    import pyogrio
    import shapely

    import geoaccess as ga
    from geoaccess.io.manifest import dump_toml

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rng = np.random.default_rng(1)
        count = 900_000
        lon = rng.uniform(37.0, 37.3, count)
        lat = rng.uniform(36.1, 36.3, count)
        points = gpd.GeoDataFrame(
            {"population": rng.uniform(0, 20, count).round(2)},
            geometry=shapely.points(lon, lat),
            crs="EPSG:4326",
        )
        pyogrio.write_dataframe(points, folder / "population.geojson", driver="GeoJSON")
        del points
        zones = gpd.GeoDataFrame(
            {"party": ["gov", "reb", "gov"]},
            geometry=[
                shapely.box(36.95, 36.05, 37.12, 36.35),
                shapely.box(37.12, 36.15, 37.2, 36.25),
                shapely.difference(
                    shapely.box(37.12, 36.05, 37.35, 36.35), shapely.box(37.12, 36.15, 37.2, 36.25)
                ),
            ],
            crs="EPSG:4326",
        )
        zones.to_file(folder / "zones.geojson")
        areas = gpd.GeoDataFrame(
            {"area_id": [f"d{i}" for i in range(30)]},
            geometry=[
                shapely.box(
                    37.0 + 0.05 * (i % 6),
                    36.1 + 0.04 * (i // 6),
                    37.05 + 0.05 * (i % 6),
                    36.14 + 0.04 * (i // 6),
                )
                for i in range(30)
            ],
            crs="EPSG:4326",
        )
        areas.to_file(folder / "areas.geojson")
        manifest = {
            "name": "large",
            "extent": [36.95, 36.05, 37.35, 36.35],
            "parties": [{"id": "gov", "side": "government"}, {"id": "reb", "side": "opposition"}],
            "layers": {
                "zones": "zones.geojson",
                "areas": "areas.geojson",
                "population": "population.geojson",
            },
        }
        (folder / "scenario.toml").write_text(dump_toml(manifest), encoding="utf-8")
        size_mb = (folder / "population.geojson").stat().st_size / 1e6
        before = _peak_mb()
        start = time.perf_counter()
        scn = ga.read_scenario(folder)
        read_s = time.perf_counter() - start
        res = ga.assess(scn, "2016-07-30")
        total = res.population[res.population["category"] == "total"]
        return {
            "file_mb": size_mb,
            "rows": float(count),
            "peak_before_read_mb": before,
            "read_seconds": read_s,
            "read_and_assess_seconds": time.perf_counter() - start,
            "input_total": float(total["population"].iloc[0]),
            "statuses": float(res.areas["status"].nunique()),
        }


CASES = {"grid": case_grid, "geojson": case_geojson}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES))
    args = parser.parse_args(argv)
    if args.case:  # the child: run one case, print its figures as JSON
        figures = CASES[args.case]()
        figures["peak_rss_mb"] = _peak_mb()
        print(json.dumps(figures))
        return 0
    print(f"{'case':<10} {'peak RSS':>10} {'of 8 GB':>8} {'seconds':>8}  figures")
    for name in CASES:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.large_inputs", "--case", name],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            print(f"{name:<10} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        peak_gb = figures["peak_rss_mb"] / 1024
        print(
            f"{name:<10} {figures['peak_rss_mb']:>8.0f}MB {100 * peak_gb / BAR_GB:>7.0f}% "
            f"{seconds:>8.1f}  {json.dumps({k: round(v, 2) for k, v in figures.items()})}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
