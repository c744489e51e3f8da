"""Assessment and timeline timings: the bundled scenario and a generated large one."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely

import geoaccess as ga

from ._timing import median_time, print_table

log = logging.getLogger(__name__)

#: Issue 3: ``assess`` on the bundled scenario under 1 s (after import) on every date;
#: the target after building population units, road nodes and walks once per
#: assessment is about 0.6 s. 07-30 has the four Russian corridors open (reach by road).
ASSESS_DAYS = ("2016-07-05", "2016-07-20", "2016-07-30", "2016-09-20", "2016-12-23")
#: Threads of the second timeline row: the cores of the machine the goals name.
THREADS = 2


def generated(n_zones: int = 1_000, n_roads: int = 5_000, seed: int = 0) -> ga.Scenario:
    """A grid of ``n_zones`` square zones (two sides in bands) and ``n_roads`` road segments."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_zones)))
    cell = 0.5 / side
    i, j = np.divmod(np.arange(n_zones), side)
    x0, y0 = 36.0 + j * cell, 36.0 + i * cell
    zones = gpd.GeoDataFrame(
        {"party": np.where((j // 4) % 3 == 1, "b", "a").astype(object)},
        geometry=shapely.box(x0, y0, x0 + cell, y0 + cell),
        crs="EPSG:4326",
    )
    start = rng.uniform([36.0, 36.0], [36.5, 36.5], size=(n_roads, 2))
    end = start + rng.normal(0, 0.004, size=(n_roads, 2))
    roads = gpd.GeoDataFrame(
        {"name": [f"r{k}" for k in range(n_roads)]},
        geometry=shapely.linestrings(np.stack([start, end], axis=1)),
        crs="EPSG:4326",
    )
    return ga.Scenario.create(
        "generated",
        parties=[{"id": "a", "side": "A"}, {"id": "b", "side": "B"}],
        zones=zones,
        layers={"roads": roads},
    )


def main() -> None:
    rows = []
    try:
        aleppo = ga.datasets.aleppo_2016()
    except Exception as exc:  # the bundled data may be mid-edit
        log.warning("bundled scenario unavailable: %s", str(exc).splitlines()[0])
        aleppo = None
    if aleppo is not None:
        ga.assess(aleppo, "2016-07-05")  # warm: imports, first projection
        for day in ASSESS_DAYS:  # the backward walk grows with the date
            seconds, _ = median_time(lambda day=day: ga.assess(aleppo, day))
            rows.append([f"assess Aleppo {day}", seconds])
        seconds, _ = median_time(lambda: ga.pockets(aleppo, "2016-09-20"))
        rows.append(["pockets Aleppo 2016-09-20", seconds])
        seconds, tl = median_time(lambda: ga.timeline(aleppo, "2016-07-01", "2016-12-31"))
        rows.append([f"timeline Aleppo: {len(tl.evaluated)} evaluations for 184 days", seconds])
        seconds, _ = median_time(
            lambda: ga.timeline(aleppo, "2016-07-01", "2016-12-31", threads=THREADS)
        )
        rows.append([f"timeline Aleppo, threads={THREADS}", seconds])
    big = generated()
    seconds, _ = median_time(lambda: ga.assess(big, "2020-01-01"), repeat=1)
    rows.append(["assess generated (1,000 zones, 5,000 roads)", seconds])
    print_table("geoaccess.assess", ["case", "seconds"], rows)


if __name__ == "__main__":
    main()
