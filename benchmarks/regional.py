"""A generated regional case at the scale of real control maps (for ``bench_real``).

A frame of about 300 × 300 km on the Sea of Azov's northern shore (lon 35.9–39.9, lat
46.4–49.1), published the way trackers publish it: one map per day holding one side's
ground (the occupied east) and a grey zone along the front; the other side holds the rest
of a boundary (``holds_rest``); the sea is impassable (the bundled coastline).

- The front runs from the frame's north edge to the coast in about 12,000 vertices
  (one every ~40 m): a slow meander with digitised detail of ~100 m.
- Every day, one to three stretches of 2–15 km advance west by 150 m to 1.5 km, as daily
  maps change: locally, and for good (advances persist).
- From day 60 occupied ground rings a port on the coast (besieged against the sea); on
  day 150 the port falls.
- The grey zone is the 1 km band on the defending side of the front.

Everything is seeded: the same seed gives the same maps. The case is generated for
timing, not a picture of any real front.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import shapely
from scipy.ndimage import gaussian_filter1d

import geoaccess as ga

FRAME = (35.9, 46.4, 39.9, 49.1)
START = dt.date(2022, 1, 1)
PORT = (37.55, 47.11)
TOWNS = 60
#: Degrees of longitude per metre at the frame's latitude (about 47.7° N).
DEG_PER_M = 1 / 75_000


def _line_lat(vertices: int) -> np.ndarray:
    return np.linspace(FRAME[3] + 0.05, 46.85, vertices)


def front_offsets(days: int, *, vertices: int, seed: int) -> np.ndarray:
    """Westward advance (degrees of longitude) of every vertex on every day, ``(days, n)``."""
    rng = np.random.default_rng(seed + 1)
    position = np.arange(vertices)
    metres_per_vertex = (FRAME[3] + 0.05 - 46.85) * 111_000 / vertices
    advance = np.zeros((days, vertices))
    total = np.zeros(vertices)
    for day in range(days):
        for _ in range(rng.integers(1, 4)):
            centre = rng.integers(0, vertices)
            half_width = rng.uniform(1_000, 7_500) / metres_per_vertex
            depth = rng.uniform(150, 1_500) * DEG_PER_M
            bump = np.clip(1 - ((position - centre) / half_width) ** 2, 0, None) ** 2
            total += depth * bump
        advance[day] = total
    return advance


def front_base(*, vertices: int, seed: int) -> np.ndarray:
    """The front's starting longitudes: a meander with digitised detail."""
    rng = np.random.default_rng(seed)
    phase = np.linspace(0, 1, vertices)
    meander = 38.0 + 0.25 * np.sin(5 * np.pi * phase) + 0.08 * np.sin(17 * np.pi * phase + 1)
    detail = gaussian_filter1d(rng.normal(0, 1, vertices), sigma=12)
    detail *= 100 * DEG_PER_M / detail.std()
    return meander + detail


def snapshot(line_lon: np.ndarray, day: int) -> gpd.GeoDataFrame:
    """The map of one day from its front's longitudes: occupied ground and the grey zone."""
    lat = _line_lat(len(line_lon))
    east = [(FRAME[2] + 0.5, 46.85), (FRAME[2] + 0.5, FRAME[3] + 0.05)]
    occupied = shapely.Polygon(np.vstack([np.column_stack([line_lon, lat]), east]))
    occupied = shapely.make_valid(occupied)
    port = shapely.Point(*PORT)
    if 60 <= day < 150:  # occupied ground rings the port, down to the sea
        occupied = shapely.union(occupied, shapely.difference(port.buffer(0.22), port.buffer(0.12)))
    elif day >= 150:
        occupied = shapely.union(occupied, port.buffer(0.22))
    grey = shapely.difference(shapely.buffer(occupied, 1_000 * DEG_PER_M), occupied)
    return gpd.GeoDataFrame(
        {"party": ["ru", "grey_zone"]}, geometry=[occupied, grey], crs="EPSG:4326"
    )


def snapshots(days: int = 365, *, vertices: int = 12_000, seed: int = 7) -> dict:
    """``{ISO date: map}`` for ``days`` consecutive days."""
    base = front_base(vertices=vertices, seed=seed)
    offsets = front_offsets(days, vertices=vertices, seed=seed)
    return {
        (START + dt.timedelta(days=k)).isoformat(): snapshot(base - offsets[k], k)
        for k in range(days)
    }


def regional(days: int = 365, *, vertices: int = 12_000, seed: int = 7) -> ga.Scenario:
    """The regional case: ``days`` daily maps behind ``holds_rest`` and a grey zone."""
    zones = ga.zones_from_snapshots(
        snapshots(days, vertices=vertices, seed=seed), party_column="party"
    )
    rng = np.random.default_rng(seed)
    centres = rng.uniform([36.2, 47.3], [39.6, 48.9], size=(TOWNS, 2))
    towns = shapely.buffer(shapely.points(centres), 0.02)
    areas = gpd.GeoDataFrame(
        {
            "area_id": [f"T{k:02d}" for k in range(TOWNS)] + ["port"],
            "population": np.r_[rng.integers(5_000, 80_000, TOWNS), 400_000].astype(float),
        },
        geometry=[*towns, shapely.Point(*PORT).buffer(0.1)],
        crs="EPSG:4326",
    )
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(*FRAME).buffer(0.2)], crs="EPSG:4326")
    return ga.Scenario.create(
        "Regional case (generated)",
        parties=[
            {"id": "ru", "side": "russia"},
            {"id": "grey_zone", "side": "grey"},
            {"id": "ua", "side": "ukraine"},
        ],
        zones=zones,
        contested=["grey"],
        holds_rest={"ukraine": boundary},
        layers={"areas": areas},
        extent=FRAME,
    )
