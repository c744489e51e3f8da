"""The scale path (issue 7): the same answers on a local Dask cluster as in process."""

from __future__ import annotations

import builtins
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geoaccess as ga
from geoaccess.scale import raster as gdist

distributed = pytest.importorskip(
    "distributed", reason='the scale path needs the dask extra: pip install "geoaccess[dask]"'
)
dask_geopandas = pytest.importorskip(
    "dask_geopandas", reason='the scale path needs the dask extra: pip install "geoaccess[dask]"'
)

UTM = "EPSG:32637"


#: Runs of the distributed timeline that once hung, per worker kind: six in all in `make test`
#: (three with 1 thread per worker, three with 2); `make stress` sets fifty each.
STRESS_RUNS = int(os.environ.get("GEOACCESS_STRESS_RUNS", "3"))
#: Their period: 1 July to 15 October 2016 (13 change dates: the siege, the Ramouseh gap, the
#: siege again, besieged under Siege Watch from 4 October); ``make stress`` runs to December.
STRESS_PERIOD = ("2016-07-01", os.environ.get("GEOACCESS_STRESS_END", "2016-10-15"))


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A two-worker local cluster of processes, bound to localhost, closed at the end."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=":0",  # never the default port another run may hold
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def aleppo() -> ga.Scenario:
    """The bundled scenario."""
    return ga.datasets.aleppo_2016()


def _rel_close(got: pd.Series, want: pd.Series, rtol: float = 1e-9) -> None:
    assert got.index.equals(want.index)
    assert got.name == want.name
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=rtol, atol=1e-9)


# ---------------------------------------------------------------------- timeline
def test_timeline_aleppo_same_with_client(
    client: Any, aleppo: ga.Scenario, bundled_half_year: ga.Timeline
) -> None:
    want = bundled_half_year
    got = ga.timeline(aleppo, "2016-07-01", "2016-12-31", client=client)
    pd.testing.assert_frame_equal(got.intervals, want.intervals)
    assert got.evaluated == want.evaluated
    assert len(got.snapshots) == len(want.snapshots)
    for a, b in zip(got.snapshots, want.snapshots, strict=True):
        assert a.date == b.date
        pd.testing.assert_frame_equal(pd.DataFrame(a.areas), pd.DataFrame(b.areas))
        assert a.scenario.equals(b.scenario)
    # nothing left behind on the cluster
    assert not client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))


def test_timeline_generated_same_with_client(client: Any) -> None:
    from benchmarks.synthetic import generate

    syn = generate("tiny", seed=3)
    dates = syn.scenario.change_dates(syn.start, syn.end)
    end = dates[5]  # six change dates: batches for both workers, in a fraction of the time
    want = ga.timeline(syn.scenario, syn.start, end)
    assert len(want.evaluated) == 6
    got = ga.timeline(syn.scenario, syn.start, end, client=client)
    pd.testing.assert_frame_equal(got.intervals, want.intervals)
    assert got.evaluated == want.evaluated


def test_generator_is_deterministic() -> None:
    from benchmarks.synthetic import generate

    a, b = generate("tiny", seed=5), generate("tiny", seed=5)
    assert a.scenario.equals(b.scenario)
    assert not a.scenario.equals(generate("tiny", seed=6).scenario)


# ---------------------------------------------------------------------- vector population
@pytest.fixture(scope="module")
def cells() -> gpd.GeoDataFrame:
    """A 40 x 30 grid of 1 km population cells with varied counts (metric CRS)."""
    x, y = (a.ravel() for a in np.meshgrid(np.arange(40) * 1000.0, np.arange(30) * 1000.0))
    people = 10.0 + (x / 1000) * 3 + (y / 1000) ** 1.5
    return gpd.GeoDataFrame(
        {"population": people}, geometry=shapely.box(x, y, x + 1000, y + 1000), crs=UTM
    )


@pytest.fixture(scope="module")
def targets() -> gpd.GeoDataFrame:
    """Irregular targets: some overlap, one sticks out of the grid, one is a triangle."""
    geoms = [
        shapely.box(2500, 2500, 17300, 11100),
        shapely.box(15000, 9000, 33300, 26700),
        shapely.Polygon([(20000, 1000), (39000, 1000), (30000, 12000)]),
        shapely.box(35500, 20500, 48000, 40000),
    ]
    return gpd.GeoDataFrame({"area_id": list("abcd")}, geometry=geoms, crs=UTM, index=[7, 3, 9, 1])


@pytest.mark.parametrize("with_client", [False, True], ids=["local-scheduler", "cluster"])
def test_partitioned_polygons_equal_in_memory(
    client: Any, cells: gpd.GeoDataFrame, targets: gpd.GeoDataFrame, with_client: bool
) -> None:
    want, acc = ga.allocate_population(targets, cells, return_accounting=True)
    ddf = dask_geopandas.from_geopandas(cells, npartitions=6)
    ddf = ddf.spatial_shuffle(shuffle_method="tasks")
    got, got_acc = ga.allocate_population(
        targets, ddf, return_accounting=True, client=client if with_client else None
    )
    _rel_close(got, want)
    assert got_acc.source == acc.source
    for field in ("input_total", "assigned_total", "outside_total"):
        assert getattr(got_acc, field) == pytest.approx(getattr(acc, field), rel=1e-9)
    assert got_acc.input_total == pytest.approx(
        got_acc.assigned_total + got_acc.outside_total, rel=1e-12
    )


def test_partitioned_points_equal_in_memory(client: Any, targets: gpd.GeoDataFrame) -> None:
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 45000, size=(3000, 2))
    xy[:10] = [[17300, 5000]] * 10  # on a target's edge: counted once
    pts = gpd.GeoDataFrame(
        {"people": rng.integers(0, 50, 3000).astype(float)},
        geometry=shapely.points(xy),
        crs=UTM,
    )
    want, acc = ga.allocate_population(targets, pts, column="people", return_accounting=True)
    ddf = dask_geopandas.from_geopandas(pts, npartitions=5)
    got, got_acc = ga.allocate_population(
        targets, ddf, column="people", return_accounting=True, client=client
    )
    _rel_close(got, want)
    assert got_acc.assigned_total == pytest.approx(acc.assigned_total, rel=1e-12)
    assert got_acc.source == "points"


def test_partitioned_checks_crs(cells: gpd.GeoDataFrame, targets: gpd.GeoDataFrame) -> None:
    ddf = dask_geopandas.from_geopandas(cells.to_crs(3857), npartitions=2)
    with pytest.raises(ga.ScenarioError, match="different CRSs"):
        ga.allocate_population(targets, ddf)


# ---------------------------------------------------------------------- rasters
@pytest.fixture(scope="module")
def raster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 230 x 170 raster of people per 100 m cell with nodata and NaN cells."""
    rasterio = pytest.importorskip("rasterio", reason='needs pip install "geoaccess[raster]"')
    from affine import Affine

    yy, xx = np.mgrid[0:170, 0:230]
    values = (5 + (xx % 17) + (yy % 11) * 0.5).astype("float32")
    values[:20, 200:] = -9999.0
    values[100, 50:60] = np.nan
    path = tmp_path_factory.mktemp("raster") / "people.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=230,
        height=170,
        count=1,
        dtype="float32",
        crs=UTM,
        nodata=-9999.0,
        transform=Affine(100.0, 0.0, 300000.0, 0.0, -100.0, 4000000.0),
    ) as dst:
        dst.write(values, 1)
    return path


@pytest.fixture(scope="module")
def raster_targets() -> gpd.GeoDataFrame:
    """Targets over the raster in lon/lat (reprojected to it), two of them overlapping."""
    geoms = [
        shapely.box(300250, 3990000, 310020, 3998530),
        shapely.box(305000, 3984000, 322990, 3995000),
        shapely.Polygon([(301000, 3983100), (319000, 3983500), (310000, 3989000)]),
        shapely.box(320000, 3996000, 330000, 4005000),  # beyond the raster's edges
    ]
    return gpd.GeoDataFrame({"area_id": list("wxyz")}, geometry=geoms, crs=UTM).to_crs(4326)


@pytest.mark.parametrize("with_client", [False, True], ids=["local-scheduler", "cluster"])
def test_raster_windows_equal_whole_raster(
    client: Any, raster: Path, raster_targets: gpd.GeoDataFrame, with_client: bool
) -> None:
    from geoaccess.population.raster import allocate_raster

    want, acc = allocate_raster(raster_targets, raster, return_accounting=True)
    got, got_acc = gdist.allocate_raster_windows(
        raster_targets,
        raster,
        window_cells=230 * 13,  # 14 windows, the last one shorter
        return_accounting=True,
        client=client if with_client else None,
    )
    _rel_close(got, want)
    assert (got > 0).all()
    for field in ("input_total", "assigned_total", "outside_total"):
        assert getattr(got_acc, field) == pytest.approx(getattr(acc, field), rel=1e-9, abs=1e-6)


def test_allocate_population_client_reads_raster_by_windows(
    client: Any, raster: Path, raster_targets: gpd.GeoDataFrame
) -> None:
    want = ga.allocate_population(raster_targets, raster)
    got = ga.allocate_population(raster_targets, raster, client=client)
    _rel_close(got, want)


# ---------------------------------------------------------------------- without dask
@pytest.fixture
def no_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every dask import fail, as on an install without the extra."""
    real_import = builtins.__import__

    def fake_import(
        name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        if level == 0 and name.split(".")[0] in ("dask", "distributed", "dask_geopandas"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_client_without_dask_names_the_extra(
    no_dask: None, aleppo: ga.Scenario, cells: gpd.GeoDataFrame, targets: gpd.GeoDataFrame
) -> None:
    with pytest.raises(ImportError, match=r'pip install "geoaccess\[dask\]"'):
        ga.timeline(aleppo, dt.date(2016, 7, 1), dt.date(2016, 7, 31), client=object())
    with pytest.raises(ImportError, match=r'pip install "geoaccess\[dask\]"'):
        ga.allocate_population(targets, cells, client=object())
    # the in-process path needs no dask
    assert ga.allocate_population(targets, cells).sum() > 0


# ---------------------------------------------------------------------- no hang
SIEGE_WATCH = ga.Rules(scheme="siege_watch", min_siege_days=30)


@pytest.fixture(scope="module")
def siege_watch_in_process(aleppo: ga.Scenario) -> ga.Timeline:
    """The bundled scenario's Siege Watch timeline over the stress period, in process."""
    return ga.timeline(aleppo, *STRESS_PERIOD, SIEGE_WATCH)


@pytest.mark.timeout(120 + 60 * STRESS_RUNS)
@pytest.mark.parametrize("threads", [1, 2], ids=["1-thread-workers", "2-thread-workers"])
def test_distributed_timeline_again_and_again_equals_in_process(
    aleppo: ga.Scenario, siege_watch_in_process: ga.Timeline, threads: int
) -> None:
    """The run that once hung (a snapshot carrying a cache still being written, serialised
    for another worker): runs on a fresh two-worker cluster, every one equal to the
    in-process result. Three runs here per kind of worker; ``make stress`` runs fifty
    (``GEOACCESS_STRESS_RUNS``)."""
    rules, want = SIEGE_WATCH, siege_watch_in_process
    assert (want.intervals["status"] == "besieged").any()  # 30 days after 4 September
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=threads,
            dashboard_address=":0",  # the module's cluster holds the default port
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as c,
    ):
        for _ in range(STRESS_RUNS):
            got = ga.timeline(aleppo, *STRESS_PERIOD, rules, client=c)
            pd.testing.assert_frame_equal(got.intervals, want.intervals)
            for a, b in zip(got.snapshots, want.snapshots, strict=True):
                pd.testing.assert_frame_equal(pd.DataFrame(a.areas), pd.DataFrame(b.areas))
        assert not c.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
