"""Raster zonal sums: geoaccess vs exactextract alone vs rasterstats, side by side.

GeoTIFFs of 1000², 2000², 5000² and 10000² cells (100 m, seeded gamma counts, tiled
512², nodata -1) in a temp dir; 100 and 1,000 Voronoi polygons covering the extent;
repetitions interleaved (median of 3). Ratios are the other tool's time over ours, so
above 1 means geoaccess is faster. "exactextract" is ``exact_extract(path, ...)`` as a
user would call it (its rasterio source, masked reads), and the reference for exactness
("err"); "rasterstats" is ``zonal_stats(..., stats="sum")`` (cell-centre rule, so its
sums differ: "rs err"). geoaccess sums by a line integral along the targets' boundaries
(one cumulative sum per row read, a term per boundary cell) and without accounting reads
only the cells between the targets' boundaries; "+accounting" also reads the whole raster
for its total. Each row records the 1-minute load average
when it finished. ``GEOACCESS_BENCH_QUICK=1`` stops at 2000²; rasterstats is skipped
at 10000² × 1,000 polygons (minutes).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from benchmarks._timing import print_table
from benchmarks.bench_population import CRS, SEED, interleaved, load, voronoi_targets
from geoaccess.population import allocate_population

RES = 100.0


def write(path: Path, n: int) -> Path:
    import rasterio
    from affine import Affine

    rng = np.random.default_rng(SEED)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=n,
        height=n,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=Affine(RES, 0.0, 0.0, 0.0, -RES, n * RES),
        nodata=-1.0,
        tiled=True,
        blockxsize=512,
        blockysize=512,
    ) as ds:
        step = max(1, 20_000_000 // n)
        for row in range(0, n, step):
            rows = min(step, n - row)
            block = rng.gamma(0.5, 40.0, size=(rows, n)).astype("float32")
            ds.write(block, 1, window=rasterio.windows.Window(0, row, n, rows))
    return path


def with_exactextract(path: Path, targets) -> np.ndarray:
    from exactextract import exact_extract

    out = exact_extract(str(path), targets, ["sum"], output="pandas")
    return out["sum"].to_numpy()


def with_rasterstats(path: Path, targets) -> np.ndarray:
    from rasterstats import zonal_stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = zonal_stats(targets, str(path), stats="sum")
    return np.array([s["sum"] or 0.0 for s in stats])


def main() -> None:
    quick = os.environ.get("GEOACCESS_BENCH_QUICK", "") not in ("", "0")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1000, 2000, 5000, 10000):
            if n > 2000 and quick:
                continue
            path = write(Path(tmp) / f"pop_{n}.tif", n)
            for k in (100, 1000):
                targets = voronoi_targets((0.0, 0.0, n * RES, n * RES), k)
                funcs = {
                    "ours": lambda p=path, t=targets: allocate_population(t, p).to_numpy(),
                    "acct": lambda p=path, t=targets: allocate_population(
                        t, p, return_accounting=True
                    ),
                    "ee": lambda p=path, t=targets: with_exactextract(p, t),
                    "rs": lambda p=path, t=targets: with_rasterstats(p, t),
                }
                if n > 5000 and k > 100:
                    del funcs["rs"]
                times, results = interleaved(funcs, repeat=3)
                ours, exact = results["ours"], results["ee"]
                err = float(np.max(np.abs(ours - exact)) / np.max(np.abs(exact)))
                t_ga, t_acc, t_ee = times["ours"], times["acct"], times["ee"]
                row: list[object] = [f"{n}²", k, t_ga, t_acc, t_ee]
                if "rs" in funcs:
                    rs = results["rs"]
                    rs_err = float(np.abs(rs - exact).sum() / exact.sum())
                    row += [times["rs"], t_ee / t_ga, times["rs"] / t_ga]
                    row += [times["rs"] / t_acc, f"{err:.1e}", f"{rs_err:.1e}"]
                else:
                    row += ["skipped", t_ee / t_ga, "-", "-", f"{err:.1e}", "-"]
                rows.append([*row, f"{os.getloadavg()[0]:.1f}"])
    print_table(
        "allocate_population (raster) vs exactextract vs rasterstats (seconds, median of 3"
        " interleaved; ratios = their time / ours, > 1 = geoaccess faster; err = max"
        f" |ours - exactextract| / max; rs err = sum |rs - exactextract| / sum; {load()})",
        [
            "cells",
            "polygons",
            "geoaccess",
            "+accounting",
            "exactextract",
            "rasterstats",
            "ee/ours",
            "rs/ours",
            "rs/+acct",
            "err",
            "rs err",
            "load",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
