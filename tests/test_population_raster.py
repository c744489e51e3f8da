"""Raster population: exact coverage fractions, nodata, accounting, streaming."""

from __future__ import annotations

import builtins
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import Point, box

from geoaccess import PopulationRaster
from geoaccess.errors import ScenarioError
from geoaccess.population import allocate_population
from tests.conftest import shared_file

rasterio = pytest.importorskip("rasterio", reason="raster extra not installed")
from affine import Affine  # noqa: E402

from geoaccess.population.raster import (  # noqa: E402
    allocate_raster,
    raster_total,
    read_people,
)

UTM = "EPSG:32637"


def write_raster(
    path: Path,
    data: np.ndarray,
    *,
    origin=(0.0, 400.0),
    res=100.0,
    crs=UTM,
    nodata=-9999.0,
) -> Path:
    """A GeoTIFF of ``data`` (rows from the top) with square cells of ``res``."""
    bands = data if data.ndim == 3 else data[None]
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=bands.shape[2],
        height=bands.shape[1],
        count=bands.shape[0],
        dtype=bands.dtype,
        crs=crs,
        transform=Affine(res, 0.0, origin[0], 0.0, -res, origin[1]),
        nodata=nodata,
    ) as ds:
        ds.write(bands)
    return path


@pytest.fixture
def counts(tmp_path) -> Path:
    """4×4 cells of 100 m holding 1..16 people, top-left cell nodata (so 135 people)."""
    data = np.arange(1, 17, dtype="float32").reshape(4, 4)
    data[0, 0] = -9999.0
    return write_raster(tmp_path / "counts.tif", data)


def targets(*geoms, crs=UTM):
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs)


def test_known_sums_and_quarter_cell(counts):
    # bottom-left cell (row 3, col 0) holds 13 people and spans (0, 0)-(100, 100)
    zones = targets(box(0, 0, 100, 100), box(0, 0, 50, 50), box(0, 0, 400, 400))
    got, acc = allocate_population(zones, counts, return_accounting=True)
    assert got.tolist() == pytest.approx([13.0, 13.0 / 4, 135.0])
    assert acc.input_total == pytest.approx(135.0)
    assert acc.assigned_total == pytest.approx(135.0)  # overlapping targets counted once
    assert acc.source == "counts"


def test_polygon_larger_than_raster_reports_outside(counts):
    got, acc = allocate_population(
        targets(box(-1000, -1000, 200, 200)), counts, return_accounting=True
    )
    assert got.iloc[0] == pytest.approx(13.0 + 14.0 + 9.0 + 10.0)
    assert acc.outside_total == pytest.approx(135.0 - 46.0)
    assert math.isclose(acc.input_total, acc.assigned_total + acc.outside_total, rel_tol=1e-9)


def test_targets_reprojected_not_the_raster(counts):
    zone = targets(box(0, 0, 200, 200)).to_crs(4326)
    assert allocate_population(zone, counts).iloc[0] == pytest.approx(46.0, rel=1e-6)


def test_open_dataset_population_raster_and_band(counts, tmp_path):
    with rasterio.open(counts) as ds:
        got = allocate_population(targets(box(0, 0, 100, 100)), ds)
        assert not ds.closed
    assert got.iloc[0] == pytest.approx(13.0)
    two = np.stack([np.ones((4, 4), "float32"), np.full((4, 4), 2.0, "float32")])
    path = write_raster(tmp_path / "two.tif", two)
    est = PopulationRaster(path, source="worldpop", band=2)
    got, acc = allocate_population(targets(box(0, 0, 400, 400)), est, return_accounting=True)
    assert got.iloc[0] == pytest.approx(32.0)
    assert acc.source == "worldpop" and acc.input_total == pytest.approx(32.0)


def test_nan_cells_hold_no_one(tmp_path):
    data = np.ones((2, 2), dtype="float32")
    data[0, 1] = np.nan
    path = write_raster(tmp_path / "nan.tif", data, origin=(0, 200), nodata=None)
    got, acc = allocate_population(targets(box(0, 0, 200, 200)), path, return_accounting=True)
    assert got.iloc[0] == pytest.approx(3.0) and acc.input_total == pytest.approx(3.0)


def test_memoryfile_and_small_windows():
    data = np.arange(100, dtype="float64").reshape(10, 10)
    with rasterio.MemoryFile() as mem:
        with mem.open(
            driver="GTiff",
            width=10,
            height=10,
            count=1,
            dtype="float64",
            crs=UTM,
            transform=Affine(100.0, 0.0, 0.0, 0.0, -100.0, 1000.0),
        ) as ds:
            ds.write(data, 1)
        with mem.open() as ds:
            assert raster_total(ds, max_cells_in_memory=7) == pytest.approx(data.sum())
            got, acc = allocate_raster(
                targets(Point(500, 500).buffer(300), box(0, 0, 1000, 500)),
                ds,
                max_cells_in_memory=25,
                return_accounting=True,
            )
    assert got.iloc[1] == pytest.approx(data[5:].sum())
    assert math.isclose(acc.input_total, acc.assigned_total + acc.outside_total, rel_tol=1e-9)


def test_errors(counts, tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        allocate_population(targets(box(0, 0, 1, 1)), tmp_path / "missing.tif")
    with pytest.raises(ScenarioError, match="band 3"):
        allocate_raster(targets(box(0, 0, 1, 1)), counts, band=3)
    with pytest.raises(ScenarioError, match="mask applies"):
        allocate_population(targets(box(0, 0, 1, 1)), counts, mask=targets(box(0, 0, 1, 1)))
    with pytest.raises(ScenarioError, match="GeoDataFrame, a raster path"):
        allocate_population(targets(box(0, 0, 1, 1)), 42)
    nocrs = write_raster(tmp_path / "nocrs.tif", np.ones((2, 2), "float32"), crs=None)
    with pytest.raises(ScenarioError, match="no CRS"):
        allocate_population(targets(box(0, 0, 1, 1)), nocrs)


def test_missing_extra_names_the_install(monkeypatch, counts):
    real_import = builtins.__import__

    def no_rasterio(name, *args, **kwargs):
        if name == "rasterio":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rasterio)
    with pytest.raises(ImportError, match=r'pip install "geoaccess\[raster\]"'):
        allocate_population(targets(box(0, 0, 1, 1)), counts)


def test_syria_admin3_conserve_generated_raster(tmp_path):
    admin3 = gpd.read_file(shared_file("derived_geojson/syr_admin3_ocha_cod_ab.geojson"))
    x0, y0, x1, y1 = admin3.total_bounds
    res = 0.01
    width, height = math.ceil((x1 - x0) / res) + 2, math.ceil((y1 - y0) / res) + 2
    rng = np.random.default_rng(20160717)
    data = rng.gamma(0.5, 200.0, size=(height, width)).astype("float32")
    data[rng.random((height, width)) < 0.01] = -9999.0
    path = write_raster(
        tmp_path / "syria.tif", data, origin=(x0 - res, y1 + res), res=res, crs="EPSG:4326"
    )
    got, acc = allocate_population(admin3, path, return_accounting=True)
    valid = data[data != -9999.0].astype(float).sum()
    assert acc.input_total == pytest.approx(valid, rel=1e-9)
    assert math.isclose(acc.input_total, acc.assigned_total + acc.outside_total, rel_tol=1e-9)
    assert (got >= 0).all() and got.index.equals(admin3.index)
    assert got.sum() == pytest.approx(acc.assigned_total, rel=1e-6)  # admin-3 slivers
    assert 0 < acc.outside_total < acc.input_total


def write_cells_1_to_16(path, dtype: str, nodata: float | None, scale: float) -> None:
    """A 4 x 4 raster of 100 m cells holding 1 to 16, the first cell set to ``nodata``.

    A ``nodata`` of ``None`` (or -1, which no uint8 holds) leaves the first cell at 1.
    """
    data = np.arange(1, 17, dtype="float64").reshape(4, 4)
    data[0, 0] = 1.0 if nodata is None or nodata == -1.0 else float(nodata)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype=dtype,
        crs=UTM,
        transform=Affine(100.0, 0.0, 0.0, 0.0, -100.0, 400.0),
    ) as ds:
        ds.write(data.astype(dtype), 1)
        if nodata is not None:
            ds.nodata = float(nodata)
        ds.scales = (scale,)


@pytest.mark.parametrize(
    ("dtype", "nodata", "scale", "want"),
    [
        ("float32", -9999.0, 1.0, 135.0),  # nodata value, read without a mask band
        ("float32", None, 1.0, 136.0),
        ("uint8", 255, 1.0, 135.0),
        ("uint8", -1.0, 1.0, 136.0),  # nodata no uint8 can hold: every cell counts
        ("int16", -9999, 2.0, 270.0),  # scaled band: the masked path
    ],
)
def test_raster_total_by_nodata_value(tmp_path, dtype, nodata, scale, want):
    """The total reads values only; cells equal to nodata (or NaN) hold no one."""
    write_cells_1_to_16(tmp_path / "t.tif", dtype, nodata, scale)
    with rasterio.open(tmp_path / "t.tif") as ds:
        assert raster_total(ds, max_cells_in_memory=5) == pytest.approx(want)


#: An area piece of a generated scenario: valid in UTM 37N, self-touching once reprojected
#: to EPSG:4326 (its near-duplicate vertices cross), as happened in a timeline run.
PIECE_UTM = (
    "MULTIPOLYGON (((245472.41345849907 3745363.9199364292, 242628.9741020225 "
    "3743262.9096660246, 242798.5047395893 3749531.6635521506, 242822.7630007354 "
    "3750428.6640531067, 245472.41345849907 3745363.9199364292)), ((237747.75686595956 "
    "3739656.1903872453, 232309.94876408222 3738837.384629372, 232408.41171357146 "
    "3742349.7476966484, 232408.41170990895 3742349.747696753, 232408.41170990898 "
    "3742349.7476967536, 232408.41171357152 3742349.747696649, 241070.29503058284 "
    "3742111.2055757297, 237747.75686595956 3739656.1903872453)))"
)

ALLOCATE_UNDER_4_GB = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))
import geopandas as gpd, shapely
from geoaccess.population import allocate_population
piece = shapely.from_wkt(sys.argv[2])
got = allocate_population(gpd.GeoDataFrame(geometry=[piece], crs="EPSG:32637"), sys.argv[1])
print(float(got.iloc[0]))
"""


def test_target_made_invalid_by_reprojection_is_repaired(tmp_path):
    # an invalid polygon would be summed wrongly (and exactextract, the reference, can
    # allocate without bound on one): run it in a process capped at 4 GB of address
    # space, so a regression fails here instead of the machine
    import subprocess
    import sys

    path = write_raster(
        tmp_path / "ones.tif",
        np.ones((30, 40), dtype="float32"),
        origin=(36.0, 34.0),
        res=0.01,
        crs="EPSG:4326",
    )
    piece = shapely.from_wkt(PIECE_UTM)
    moved = gpd.GeoSeries([piece], crs=UTM).to_crs("EPSG:4326").iloc[0]
    assert piece.is_valid and not moved.is_valid
    done = subprocess.run(
        [sys.executable, "-c", ALLOCATE_UNDER_4_GB, str(path), PIECE_UTM],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-500:]
    # one person per 0.01-degree cell: the repaired piece's area in cells
    expected = shapely.make_valid(moved).area / 0.01**2
    assert float(done.stdout) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("dtype", "nodata", "scale", "plain", "want"),
    [
        ("float32", -9999.0, 1.0, True, 135.0),  # nodata value: plain reads
        ("float32", None, 1.0, True, 136.0),
        ("float32", "nan", 1.0, True, 135.0),  # NaN as nodata
        ("uint8", 255, 1.0, True, 135.0),
        ("uint8", -1.0, 1.0, True, 136.0),  # nodata no uint8 can hold: every cell counts
        ("int16", -9999, 2.0, False, 270.0),  # scaled band: masked reads
    ],
)
def test_sums_by_nodata_value_plain_or_masked(tmp_path, dtype, nodata, scale, plain, want):
    """Unmasked reads (cells equal to nodata hold no one) and masked ones agree.

    The quarter of the nodata cell is the case exactextract 0.3 gets wrong when handed a
    masked array of a scaled band (isciences/exactextract #193): -9999 × 2 / 4.
    """
    write_cells_1_to_16(tmp_path / "t.tif", dtype, nodata, scale)
    # the whole raster, its top-left quarter cell (the nodata one) and a half of cell 2
    zones = targets(box(0, 0, 400, 400), box(0, 350, 50, 400), box(100, 350, 200, 400))
    first = 0.0 if want == 135.0 or want == 270.0 else 1.0
    with rasterio.open(tmp_path / "t.tif") as ds:
        reads = CountingReads(ds)
        people = read_people(reads, rasterio.windows.Window(0, 0, 4, 4))
        assert people.dtype == np.float64 and people[0, 0] == first * scale
        assert people.sum() == pytest.approx(want)
        assert reads.masked == [not plain]  # plain reads where the values say it all
        got = allocate_raster(zones, ds)
    assert got.tolist() == pytest.approx([want, first / 4 * scale, 2.0 / 2 * scale])


class CountingReads:
    """A rasterio dataset that records the windows read from it (rows, cols)."""

    def __init__(self, ds):
        self._ds = ds
        self.windows = []
        self.masked = []

    def __getattr__(self, name):
        return getattr(self._ds, name)

    def read(self, *args, window=None, masked=False, **kwargs):
        if window is None:
            window = rasterio.windows.Window(0, 0, self._ds.width, self._ds.height)
        self.windows.append(window.toranges())
        self.masked.append(masked)
        return self._ds.read(*args, window=window, masked=masked, **kwargs)


def test_only_the_windows_under_the_targets_are_read(tmp_path):
    """Targets in the top-left 10×10 of 200×200 cells: only cells there are read.

    The far cells are huge, so a read there would also show in a wrong sum; the
    accounting, asked for, reads every cell (the input total needs them).
    """
    data = np.full((200, 200), 1e12, dtype="float32")
    data[:10, :10] = 1.0
    path = write_raster(tmp_path / "far.tif", data, origin=(0.0, 20000.0))
    # a quarter of cell (row 0, col 0), a 3×2-cell box and a circle inside the 10×10
    zones = targets(
        box(0, 19950, 50, 20000),
        box(300, 19600, 600, 19800),
        Point(500, 19500).buffer(300),
    )
    with rasterio.open(path) as ds:
        counting = CountingReads(ds)
        got = allocate_raster(zones, counting)
        cells = [(r, c) for r, c in counting.windows if r[1] > r[0] and c[1] > c[0]]
        assert cells, "nothing was read"
        for (row0, row1), (col0, col1) in cells:
            assert 0 <= row0 < row1 <= 10 and 0 <= col0 < col1 <= 10
        counting.windows.clear()
        _, acc = allocate_raster(zones, counting, return_accounting=True)
        read = sum((r1 - r0) * (c1 - c0) for (r0, r1), (c0, c1) in counting.windows)
        assert read >= data.size
    circle = zones.geometry.iloc[2].area / 100.0**2  # one person per cell
    assert got.tolist() == pytest.approx([0.25, 6.0, circle], rel=1e-7)
    assert acc.input_total == pytest.approx(100.0 + 1e12 * (data.size - 100), rel=1e-6)


def test_sums_equal_exactextracts_exact_coverage(tmp_path):
    """The reference: exactextract's sums, on shapes with holes, parts and edges off-grid."""
    exactextract = pytest.importorskip("exactextract", reason="the reference is not installed")
    rng = np.random.default_rng(7)
    data = rng.gamma(0.5, 40.0, size=(60, 80)).astype("float32")
    data[rng.random(data.shape) < 0.05] = -9999.0
    path = write_raster(tmp_path / "gamma.tif", data, origin=(1000.0, 8000.0), res=30.0)
    centres = rng.uniform((900.0, 6100.0), (3500.0, 8100.0), size=(40, 2))
    discs = shapely.buffer(shapely.points(centres), rng.uniform(20.0, 600.0, size=40))
    holes = shapely.buffer(shapely.points(centres + 10.0), rng.uniform(0.0, 15.0, size=40))
    shapes = list(shapely.difference(discs, holes))
    shapes += [box(900, 6100, 1400, 8100) | box(3000, 7000, 3600, 7500), box(0, 0, 5000, 9000)]
    zones = targets(*shapes)
    with rasterio.open(path) as ds:
        got = allocate_raster(zones, ds).to_numpy()
        reference = exactextract.exact_extract(ds, zones, ["sum"], output="pandas")
    want = np.nan_to_num(reference["sum"].to_numpy(dtype=float))
    assert got == pytest.approx(want, rel=1e-6, abs=1e-6)
    assert got[-1] == pytest.approx(data[data != -9999.0].astype(float).sum(), rel=1e-9)


def test_targets_far_apart_on_the_same_rows_are_read_apart(tmp_path):
    """Two boxes at the two ends of the same rows: the cells between them are not read."""
    data = np.full((20, 400), 1e12, dtype="float32")
    data[:, :5] = 1.0
    data[:, -5:] = 2.0
    path = write_raster(tmp_path / "wide.tif", data, origin=(0.0, 2000.0))
    zones = targets(box(0, 1000, 500, 2000), box(39550, 500, 40000, 1500))
    with rasterio.open(path) as ds:
        counting = CountingReads(ds)
        got = allocate_raster(zones, counting)
    read = sum((r1 - r0) * (c1 - c0) for (r0, r1), (c0, c1) in counting.windows)
    assert got.tolist() == pytest.approx([50.0, 2.0 * 4.5 * 10])
    assert read <= 2 * 20 * 6
