"""In process against a local Dask cluster of 1 and 2 workers (``make bench-scale``).

For two sizes of generated scenario (:mod:`benchmarks.synthetic`) this times, side by
side in one run: :func:`geoaccess.timeline` with and without ``client=``, and
:func:`geoaccess.allocate_population` of square population cells (in memory against a
spatially shuffled dask-geopandas frame read from GeoParquet) and of the population
raster (the whole raster in process against row windows as Dask tasks). For each it prints
wall time, peak resident memory (the calling process; each worker, sampled every
0.1 s with psutil through ``client.run``) and agreement with the in-process result
(identical intervals; largest relative difference of the sums).

Not named ``bench_*.py``, so ``make bench`` does not run it.
``python -m benchmarks.scale [--quick]``; ``--quick`` runs the smaller size only.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil

import geoaccess as ga
from geoaccess.population.raster import allocate_raster
from geoaccess.scale.cluster import worker_memory
from geoaccess.scale.raster import allocate_raster_windows

from ._timing import print_table
from .synthetic import SIZES, Spec, Synthetic, generate

MB = 1024 * 1024
#: Timeline sizes: few enough dates that three runs each fit the time budget.
TIMELINE_SIZES: dict[str, Spec] = {
    "tiny": SIZES["tiny"],
    "small-16": dataclasses.replace(SIZES["small"], change_dates=16),
}
#: Population sizes: the medium and large presets (5 M and 20 M raster cells).
POPULATION_SIZES = ("medium", "large")


class PeakMemory:
    """Peak RSS of this process and of each worker, sampled in a background thread."""

    def __init__(self, client: Any = None, every: float = 0.1) -> None:
        self._client, self._every = client, every
        self._stop = threading.Event()
        self.local = 0
        self.workers: dict[str, int] = {}
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()

    def _sample(self) -> None:
        self.local = max(self.local, psutil.Process().memory_info().rss)
        if self._client is not None:
            for worker, rss in worker_memory(self._client).items():
                self.workers[worker] = max(self.workers.get(worker, 0), rss)

    def describe(self) -> str:
        """``caller / worker, worker`` in MB."""
        text = f"{self.local / MB:,.0f}"
        if self.workers:
            text += " / " + ", ".join(f"{v / MB:,.0f}" for v in self.workers.values())
        return text


def timed(func: Callable[[], Any], client: Any = None) -> tuple[float, PeakMemory, Any]:
    """Wall time, peak memory and result of one call."""
    with PeakMemory(client) as peak:
        start = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - start
    return seconds, peak, result


def rel_diff(got: pd.Series, want: pd.Series) -> float:
    """Largest relative difference between two Series of sums."""
    g, w = got.to_numpy(float), want.to_numpy(float)
    return float(np.max(np.abs(g - w) / np.maximum(np.abs(w), 1e-300), initial=0.0))


def shuffled_parquet(syn: Synthetic, folder: Path, npartitions: int) -> Path:
    """The population cells, spatially shuffled (Hilbert), one GeoParquet file per part."""
    import dask
    import dask_geopandas
    import geopandas as gpd

    cells = gpd.read_parquet(syn.population_path)
    out = folder / "cells_shuffled"
    with dask.config.set(scheduler="sync"):
        ddf = dask_geopandas.from_geopandas(cells, npartitions=npartitions)
        ddf.spatial_shuffle(shuffle_method="tasks").to_parquet(out)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the smaller sizes")
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    tl_sizes = list(TIMELINE_SIZES)[:1] if args.quick else list(TIMELINE_SIZES)
    pop_sizes = list(POPULATION_SIZES)[:1] if args.quick else list(POPULATION_SIZES)
    begun = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="geoaccess-scale-") as tmp:
        folder = Path(tmp)
        scenarios: dict[str, Synthetic] = {}
        gen_rows = []
        for name in tl_sizes:
            seconds, _, scenarios[name] = timed(lambda n=name: generate(TIMELINE_SIZES[n]))
            gen_rows.append([f"timeline {name}", *_describe(scenarios[name]), seconds])
        populations: dict[str, tuple[Synthetic, Path]] = {}
        for name in pop_sizes:
            where = folder / name

            def make(n: str = name, w: Path = where) -> tuple[Synthetic, Path]:
                syn = generate(n, folder=w)  # type: ignore[arg-type]
                return syn, shuffled_parquet(syn, w, npartitions=16)

            seconds, _, populations[name] = timed(make)
            gen_rows.append([f"population {name}", *_describe(populations[name][0]), seconds])
        print_table(
            "generated scenarios (benchmarks/synthetic.py)",
            [
                "size",
                "zones rows",
                "change dates",
                "roads",
                "areas",
                "raster cells",
                "pop. cells",
                "seconds",
            ],
            gen_rows,
        )

        reference: dict[tuple[str, str], Any] = {}
        tl_rows: list[list[Any]] = []
        pop_rows: list[list[Any]] = []
        for workers in (0, 1, 2):
            cluster = client = None
            if workers:
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    host="127.0.0.1",
                )
                client = Client(cluster, set_as_default=False)
            label = "in process" if not workers else f"{workers} worker{'s' * (workers > 1)}"
            try:
                for name in tl_sizes:
                    syn = scenarios[name]
                    seconds, peak, tl = timed(
                        lambda s=syn, c=client: ga.timeline(s.scenario, s.start, s.end, client=c),
                        client,
                    )
                    want = reference.setdefault(("timeline", name), tl)
                    tl_rows.append(
                        [
                            name,
                            label,
                            len(tl.evaluated),
                            seconds,
                            peak.describe(),
                            _same_intervals(tl.intervals, want.intervals),
                        ]
                    )
                for name in pop_sizes:
                    syn, parts = populations[name]
                    pop_rows.append(_vector(name, label, syn, parts, client, reference))
                    pop_rows.append(_raster(name, label, syn, client, reference))
            finally:
                if client is not None:
                    client.close()
                if cluster is not None:
                    cluster.close()
        print_table(
            "geoaccess.timeline: in process vs client= (peak RSS MB: caller / workers)",
            ["size", "run", "dates", "seconds", "peak MB", "intervals identical"],
            tl_rows,
        )
        print_table(
            "geoaccess.allocate_population: in process vs Dask (peak RSS MB: caller / workers)",
            ["size", "source", "run", "seconds", "peak MB", "max rel. diff", "total people"],
            pop_rows,
        )
    print(f"\nbench-scale total: {time.perf_counter() - begun:,.0f} s")


def _describe(syn: Synthetic) -> list[Any]:
    import geopandas as gpd

    scn, spec = syn.scenario, syn.spec
    raster = "-"
    if syn.raster_path is not None:
        import rasterio

        with rasterio.open(syn.raster_path) as ds:
            raster = f"{ds.width}x{ds.height}"
    cells = len(gpd.read_parquet(syn.population_path)) if syn.population_path else "-"
    dates = len(scn.change_dates(syn.start, syn.end))
    return [
        f"{len(scn.zones):,} ({spec.zones_x}x{spec.zones_y})",
        dates,
        f"{len(scn.roads):,}",
        len(scn.areas),
        raster,
        cells,
    ]


def _same_intervals(got: pd.DataFrame, want: pd.DataFrame) -> str:
    try:
        pd.testing.assert_frame_equal(got, want)
    except AssertionError:
        return "NO"
    return "yes"


def _vector(
    name: str,
    label: str,
    syn: Synthetic,
    parts: Path,
    client: Any,
    reference: dict[tuple[str, str], Any],
) -> list[Any]:
    import dask_geopandas
    import geopandas as gpd

    targets = syn.areas_metric
    if client is None:

        def run() -> Any:
            return ga.allocate_population(
                targets, gpd.read_parquet(syn.population_path), return_accounting=True
            )

        source = "cells (memory)"
    else:

        def run() -> Any:
            ddf = dask_geopandas.read_parquet(parts)
            return ga.allocate_population(targets, ddf, return_accounting=True, client=client)

        source = f"cells ({dask_geopandas.read_parquet(parts).npartitions} parts)"
    seconds, peak, (series, acc) = timed(run, client)
    want = reference.setdefault(("vector", name), series)
    return [
        name,
        source,
        label,
        seconds,
        peak.describe(),
        f"{rel_diff(series, want):.1e}",
        f"{acc.input_total:,.0f}",
    ]


def _raster(
    name: str, label: str, syn: Synthetic, client: Any, reference: dict[tuple[str, str], Any]
) -> list[Any]:
    targets = syn.scenario.areas
    if client is None:

        def run() -> Any:
            return allocate_raster(targets, syn.raster_path, return_accounting=True)

        source = "raster (whole)"
    else:

        def run() -> Any:
            return allocate_raster_windows(
                targets, syn.raster_path, return_accounting=True, client=client
            )

        source = "raster (windows)"
    seconds, peak, (series, acc) = timed(run, client)
    want = reference.setdefault(("raster", name), series)
    return [
        name,
        source,
        label,
        seconds,
        peak.describe(),
        f"{rel_diff(series, want):.1e}",
        f"{acc.input_total:,.0f}",
    ]


if __name__ == "__main__":
    main()
