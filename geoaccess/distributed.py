"""The scale path: the same calls on Dask (``dask.distributed`` and ``dask-geopandas``).

This is the only module that imports dask, lazily: without the extra
(``pip install "geoaccess[dask]"``) the rest of geoaccess works, and asking for the scale
path (passing a ``client=``) raises an :class:`ImportError` saying what to install.

What runs as Dask tasks:

- :func:`geoaccess.timeline` with ``client=``: the change dates are independent
  evaluations; they run in contiguous batches (a few per worker thread, so dates sharing
  the same zones share their territories within a batch) against the projected scenario,
  shipped once to every worker. Only what the timeline's assembly reads comes back; the
  light assessments are then built on the workers and gathered. The result equals the
  in-process one.
- :func:`geoaccess.allocate_population` with a dask-geopandas frame of sources: each
  partition is allocated in memory against the targets (shipped once) and the
  per-partition Series and accounting are summed; allocation is per source, so the sums
  equal the in-memory result.
- :func:`allocate_raster_windows` (``allocate_population(..., client=)`` with a raster):
  the raster is cut into row blocks; each block is read on a worker and summed with
  exact coverage fractions for the targets that meet it (an STRtree query); coverage
  fractions are additive over a partition of the cells, so the sums equal the
  whole-raster result. Memory is bounded by the block size.

A single :func:`geoaccess.assess` is not distributed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import Problem, ScenarioError

if TYPE_CHECKING:
    import datetime as dt

    from .population import PopulationAccounting
    from .results import Assessment
    from .territory import Projected

__all__ = [
    "DaskEvaluations",
    "allocate_dask",
    "allocate_partitioned",
    "allocate_raster_windows",
    "import_dask",
    "is_dask_collection",
    "worker_memory",
]

INSTALL = (
    'the Dask scale path needs dask, distributed and dask-geopandas: pip install "geoaccess[dask]"'
)
#: Batches of change dates per worker thread in a distributed timeline.
TASKS_PER_THREAD = 2
#: Default most raster cells read by one window task.
WINDOW_CELLS = 4_000_000


def import_dask() -> ModuleType:
    """``dask.distributed``, or an :class:`ImportError` naming the extra to install.

    Returns
    -------
    module
        The ``distributed`` package.

    Raises
    ------
    ImportError
        dask, distributed or dask-geopandas is missing.
    """
    try:
        import dask  # noqa: F401
        import dask_geopandas  # noqa: F401
        import distributed
    except ImportError as err:
        raise ImportError(INSTALL) from err
    return distributed


def is_dask_collection(obj: object) -> bool:
    """Whether ``obj`` is a Dask collection, without importing dask.

    A Dask collection can only exist once dask has been imported, so this looks at
    :data:`sys.modules` and never triggers the import itself.
    """
    dask = sys.modules.get("dask")
    if dask is None:
        return False
    return bool(dask.is_dask_collection(obj))


# ---------------------------------------------------------------------- timeline
@dataclass(frozen=True, eq=False)
class LightSnapshot:
    """What the timeline's assembly reads from one evaluated date (no geometry).

    Attributes
    ----------
    units : pandas.DataFrame
        The snapshot's reporting units (``area_id``, ``name``, ``piece``,
        ``base_status``, ``encircled``, ...), geometry dropped.
    pieces : pandas.DataFrame
        The pieces with their evidence and base status, geometry dropped.
    """

    units: pd.DataFrame
    pieces: pd.DataFrame


class DaskEvaluations:
    """The change dates of a timeline evaluated on a Dask cluster.

    The projected scenario is scattered once to every worker; the dates are cut into
    contiguous batches (``TASKS_PER_THREAD`` per worker thread), each evaluated by one
    task whose snapshots stay on its worker. :meth:`light` gathers what the timeline's
    assembly needs; :meth:`snapshots` builds the light assessments on the workers.

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster (``Client("tcp://scheduler:8786")`` or a local one).
    proj : Projected
        The projected scenario (:func:`geoaccess.territory.project_scenario`).
    dates : sequence of datetime.date
        The change dates, in order.
    tasks_per_thread : int, default 2
        Batches per worker thread.
    """

    def __init__(
        self,
        client: Any,
        proj: Projected,
        dates: Sequence[dt.date],
        *,
        tasks_per_thread: int = TASKS_PER_THREAD,
    ) -> None:
        import_dask()
        self._client = client
        self._scenario = proj.scenario
        self._dates = list(dates)
        threads = max(1, sum(client.nthreads().values()))
        n = max(1, min(len(self._dates), threads * max(1, tasks_per_thread)))
        cuts = np.array_split(np.arange(len(self._dates)), n)
        self._batches = [[self._dates[i] for i in cut] for cut in cuts if len(cut)]
        self._proj = client.scatter(proj, broadcast=True, hash=False)
        self._snaps = [
            client.submit(_evaluate_batch, self._proj, batch, pure=False) for batch in self._batches
        ]

    @property
    def batches(self) -> list[list[dt.date]]:
        """The dates of each task, in order."""
        return [list(b) for b in self._batches]

    def light(self) -> list[LightSnapshot]:
        """Units and pieces of every date, in date order (gathered from the workers)."""
        try:
            lights = [self._client.submit(_light_batch, f, pure=False) for f in self._snaps]
            return [s for batch in self._client.gather(lights) for s in batch]
        except BaseException:
            self.release()
            raise

    def snapshots(self, intervals: pd.DataFrame) -> tuple[Assessment, ...]:
        """The light assessments of every date, built on the workers, then released.

        Each comes back without its filtered scenario (which would otherwise travel once
        per date); it is re-attached here from the caller's scenario, as
        :func:`~geoaccess.assess.build_assessment` would set it.
        """
        try:
            table = self._client.scatter(intervals, broadcast=True, hash=False)
            built = [
                self._client.submit(_snapshot_batch, f, table, pure=False) for f in self._snaps
            ]
            from .results import Assessment

            out = []
            for parts in (s for batch in self._client.gather(built) for s in batch):
                at = self._scenario.at(parts["date"])
                out.append(Assessment(scenario=at, siege_lines=at.siege_lines, **parts))
            return tuple(out)
        finally:
            self.release()

    def release(self) -> None:
        """Forget the snapshots and the scattered scenario on the cluster."""
        self._client.cancel([*self._snaps, self._proj])
        self._snaps = []


def _evaluate_batch(proj: Projected, dates: list[dt.date]) -> list[Any]:
    from .assess import evaluate

    return [evaluate(proj, t, full=False) for t in dates]


def _light_batch(snaps: list[Any]) -> list[LightSnapshot]:
    return [LightSnapshot(_no_geometry(s.units), _no_geometry(s.pieces)) for s in snaps]


def _snapshot_batch(snaps: list[Any], intervals: pd.DataFrame) -> list[dict[str, Any]]:
    """The light assessments' fields, but the filtered scenario and its siege lines."""
    from .timeline import _snapshot

    shared = {"scenario", "siege_lines"}  # re-attached by the caller from its scenario
    return [
        {f.name: getattr(a, f.name) for f in fields(a) if f.name not in shared}
        for a in (_snapshot(s, intervals) for s in snaps)
    ]


def _no_geometry(frame: pd.DataFrame) -> pd.DataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        geometry = [c for c in frame.columns if isinstance(frame[c].dtype, gpd.array.GeometryDtype)]
        return pd.DataFrame(frame.drop(columns=geometry))
    return frame


# ---------------------------------------------------------------------- population
def allocate_dask(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = "population",
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    return_accounting: bool = False,
    client: Any = None,
) -> pd.Series | tuple[pd.Series, PopulationAccounting]:
    """:func:`geoaccess.allocate_population` on Dask (its scale path).

    A dask-geopandas frame is allocated partition by partition
    (:func:`allocate_partitioned`); a raster by row windows
    (:func:`allocate_raster_windows`); an in-memory frame in process (there is nothing
    to split).

    Parameters
    ----------
    targets, population, column, mask, return_accounting
        As for :func:`geoaccess.allocate_population`.
    client : distributed.Client, optional
        The cluster; by default the current default client, else Dask's local scheduler.

    Returns
    -------
    pandas.Series or tuple of (pandas.Series, PopulationAccounting)
        As :func:`geoaccess.allocate_population`.
    """
    import_dask()
    if is_dask_collection(population):
        return allocate_partitioned(
            targets,
            population,
            column=column,
            mask=mask,
            return_accounting=return_accounting,
            client=client,
        )
    if isinstance(population, (gpd.GeoDataFrame, gpd.GeoSeries)):
        from .population import allocate_population

        return allocate_population(
            targets, population, column=column, mask=mask, return_accounting=return_accounting
        )
    if mask is not None:
        msg = "mask applies to polygon population only, not to a raster"
        raise ScenarioError([Problem("population", msg)])
    return allocate_raster_windows(
        targets, population, column=column, return_accounting=return_accounting, client=client
    )


def allocate_partitioned(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = "population",
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    return_accounting: bool = False,
    client: Any = None,
) -> pd.Series | tuple[pd.Series, PopulationAccounting]:
    """Allocate a partitioned (dask-geopandas) population, partition by partition.

    The targets (and mask) are shipped once; each partition is allocated in memory by
    :func:`geoaccess.allocate_population` against the targets that meet its bounds,
    and the results and accountings are summed in a tree. Spatially shuffled sources
    (``ddf.spatial_shuffle()``) make each partition meet few targets.

    Parameters
    ----------
    targets : GeoDataFrame or GeoSeries
        Polygons, in the population's CRS.
    population : dask_geopandas.GeoDataFrame
        Polygons or points with a ``column`` of people.
    column, mask, return_accounting
        As for :func:`geoaccess.allocate_population`.
    client : distributed.Client, optional
        The cluster; by default the current default client, else Dask's local scheduler.

    Returns
    -------
    pandas.Series or tuple of (pandas.Series, PopulationAccounting)
        People per target (aligned to ``targets.index``) and the summed accounting.
    """
    import dask

    from .population import PopulationAccounting, _geometries, _same_crs

    import_dask()
    if column not in population.columns:
        msg = f"population needs a {column!r} column of people (pass column=... to choose)"
        raise ScenarioError([Problem("population", msg, column=column)])
    _same_crs(targets.crs, population.crs, "targets", "population")
    # validated (and repaired, with one warning) here, once, not once per partition
    clean = gpd.GeoSeries(_geometries(targets, "targets"), crs=targets.crs)
    client = client if client is not None else _default_client()
    shipped_targets, shipped_mask = _ship(client, clean), _ship(client, mask)
    parts = [
        dask.delayed(_allocate_part, pure=True)(part, shipped_targets, column, shipped_mask)
        for part in population.to_delayed()
    ]
    total = _tree_sum(dask, parts, len(clean))
    if client is not None:
        alloc, input_total, assigned, outside, fallback, source = client.compute(total, sync=True)
    else:
        ((alloc, input_total, assigned, outside, fallback, source),) = dask.compute(total)
    series = pd.Series(alloc, index=targets.index, name=column)
    if not return_accounting:
        return series
    return series, PopulationAccounting(
        input_total=input_total,
        assigned_total=assigned,
        outside_total=outside,
        source=source or ("polygons" if mask is None else "polygons (dasymetric)"),
        mask_fallback=fallback,
    )


_Partial = tuple[np.ndarray, float, float, float, int, str]


def _allocate_part(
    part: gpd.GeoDataFrame, targets: gpd.GeoSeries, column: str, mask: Any
) -> _Partial:
    """One partition against the targets that meet its bounds (positions kept)."""
    from .population import allocate_population

    alloc = np.zeros(len(targets))
    if not len(part):
        return alloc, 0.0, 0.0, 0.0, 0, ""
    box = shapely.box(*part.total_bounds)
    near = np.sort(shapely.STRtree(targets.values).query(box, predicate="intersects"))
    series, acc = allocate_population(
        targets.iloc[near], part, column=column, mask=mask, return_accounting=True
    )
    alloc[near] = series.to_numpy(dtype=float)
    return (
        alloc,
        acc.input_total,
        acc.assigned_total,
        acc.outside_total,
        acc.mask_fallback,
        acc.source,
    )


def _combine(*partials: _Partial) -> _Partial:
    """Sum partial allocations and accountings (the source of the first non-empty)."""
    alloc = np.sum([p[0] for p in partials], axis=0)
    source = next((p[5] for p in partials if p[5]), "")
    return (
        alloc,
        float(sum(p[1] for p in partials)),
        float(sum(p[2] for p in partials)),
        float(sum(p[3] for p in partials)),
        int(sum(p[4] for p in partials)),
        source,
    )


def _tree_sum(dask: ModuleType, parts: list[Any], n: int, fan_in: int = 8) -> Any:
    """Reduce delayed partials ``fan_in`` at a time (bounded memory per task)."""
    if not parts:
        return dask.delayed(_combine)((np.zeros(n), 0.0, 0.0, 0.0, 0, ""))
    while len(parts) > 1:
        parts = [
            dask.delayed(_combine, pure=True)(*parts[i : i + fan_in])
            for i in range(0, len(parts), fan_in)
        ]
    return dask.delayed(_combine, pure=True)(parts[0])


def _default_client() -> Any:
    """The default distributed client, or ``None`` (Dask's local scheduler)."""
    import distributed

    try:
        return distributed.default_client()
    except ValueError:
        return None


def _ship(client: Any, data: Any) -> Any:
    """Data shipped once: scattered to every worker, or one key of the local graph."""
    if data is None:
        return None
    if client is not None:
        return client.scatter(data, broadcast=True, hash=False)
    import dask

    return dask.delayed(data, pure=True)


# ---------------------------------------------------------------------- rasters
def allocate_raster_windows(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    raster: Any,
    *,
    column: str = "population",
    band: int | None = None,
    window_cells: int = WINDOW_CELLS,
    return_accounting: bool = False,
    client: Any = None,
) -> pd.Series | tuple[pd.Series, PopulationAccounting]:
    """People per target from a raster, read in row windows as Dask tasks.

    The raster is cut into blocks of whole rows of at most ``window_cells`` cells. Each
    task opens the file, reads its block, and sums it with exact coverage fractions
    (exactextract, as :func:`geoaccess.raster.allocate_raster`) for the targets whose
    bounds meet the block (an STRtree query); the blocks' sums add up to the
    whole-raster result because coverage fractions are additive over cells.

    Parameters
    ----------
    targets : GeoDataFrame or GeoSeries
        Polygons, any CRS (reprojected to the raster's once, here).
    raster : path, PopulationRaster or rasterio dataset opened from a file
        The workers open the file themselves, so it must be readable from them.
    column : str, default "population"
        Name of the result.
    band : int, optional
        Band holding the counts (the :class:`PopulationRaster`'s, else 1).
    window_cells : int, default 4_000_000
        Most cells per window (and per task).
    return_accounting : bool, default False
        Also return the accounting (the total is summed over the same windows).
    client : distributed.Client, optional
        The cluster; by default the current default client, else Dask's local scheduler.

    Returns
    -------
    pandas.Series or tuple of (pandas.Series, PopulationAccounting)
        As :func:`geoaccess.raster.allocate_raster`.
    """
    import dask
    from pyproj import CRS

    from .population import PopulationAccounting, _geometries, _overlapping
    from .raster import _import_raster, checked_band

    import_dask()
    rasterio, _ = _import_raster()
    path, default_band, source = _raster_file(raster)
    geoms = _geometries(targets, "targets")
    with rasterio.open(path) as ds:
        band = checked_band(ds, default_band if band is None else int(band), source)
        crs, width, height = CRS.from_user_input(ds.crs), ds.width, ds.height
    if crs != targets.crs:
        geoms = np.asarray(gpd.GeoSeries(geoms, crs=targets.crs).to_crs(crs).array, dtype=object)
    union = None
    if return_accounting and geoms.size and _overlapping(geoms):
        union = shapely.union_all(geoms)
    rows = max(1, int(window_cells) // max(1, width))
    client = client if client is not None else _default_client()
    shipped = _ship(client, (geoms, union))
    parts = [
        dask.delayed(_raster_window, pure=True)(
            str(path), band, row, min(rows, height - row), shipped, return_accounting
        )
        for row in range(0, height, rows)
    ]
    total = _tree_sum(dask, parts, geoms.size)
    if client is not None:
        sums, input_total, assigned, _, _, _ = client.compute(total, sync=True)
    else:
        ((sums, input_total, assigned, _, _, _),) = dask.compute(total)
    series = pd.Series(sums, index=targets.index, name=column)
    if not return_accounting:
        return series
    assigned = min(assigned if union is not None else float(sums.sum()), input_total)
    return series, PopulationAccounting(
        input_total=input_total,
        assigned_total=assigned,
        outside_total=input_total - assigned,
        source=source,
    )


def _raster_file(raster: Any) -> tuple[Path, int, str]:
    """A raster's file, default band and source name (workers reopen the file)."""
    from .scenario import PopulationRaster

    if isinstance(raster, PopulationRaster):
        path, band, source = Path(raster.path), raster.band, raster.source
    elif isinstance(raster, (str, Path)):
        path, band, source = Path(raster), 1, Path(raster).stem
    elif hasattr(raster, "read") and Path(str(getattr(raster, "name", ""))).exists():
        path = Path(str(raster.name))
        band, source = 1, path.stem
    else:
        msg = (
            "the windowed raster path needs a raster file the workers can open (a path or "
            f"a PopulationRaster); got {type(raster).__name__}"
        )
        raise ScenarioError([Problem("population", msg)])
    if not path.exists():
        msg = f"raster file {str(path)!r} does not exist"
        raise ScenarioError([Problem("population", msg)])
    return path, band, source


def _raster_window(
    path: str, band: int, row: int, nrows: int, shipped: tuple[np.ndarray, Any], total: bool
) -> _Partial:
    """Exact sums of one row block for the targets meeting it, and its total."""
    from exactextract.raster import RasterioRasterSource

    from .raster import _import_raster, _sums, raster_total

    rasterio, exactextract = _import_raster()
    geoms, union = shipped
    out = np.zeros(geoms.size)
    with rasterio.open(path) as ds:
        block = _RowBlock(ds, row, nrows)
        frame = shapely.box(*block.bounds)
        near = np.sort(shapely.STRtree(geoms).query(frame, predicate="intersects"))
        source = RasterioRasterSource(block, band_idx=band)
        cells = block.width * block.height
        if near.size:
            out[near] = _sums(exactextract, source, geoms[near], ds.crs, cells)
        window_total = raster_total(block, band=band, max_cells_in_memory=cells) if total else 0.0
        assigned = 0.0
        if union is not None and shapely.intersects(union, frame):
            union_sums = _sums(exactextract, source, np.array([union], dtype=object), ds.crs, cells)
            assigned = float(union_sums[0])
    return out, window_total, assigned, 0.0, 0, ""


class _RowBlock:
    """Rows ``[row, row + nrows)`` of an open dataset, seen as a dataset of their own.

    Offers what exactextract's ``RasterioRasterSource`` and
    :func:`geoaccess.raster.raster_total` read (size, bounds, transform, band metadata,
    ``read`` with a window), so both run unchanged on one block.
    """

    def __init__(self, ds: Any, row: int, nrows: int) -> None:
        from affine import Affine

        self._ds, self._row = ds, row
        self.width, self.height = ds.width, nrows
        t = ds.transform  # north-up (exactextract refuses rotated rasters)
        self.transform = Affine(t.a, t.b, t.c + row * t.b, t.d, t.e, t.f + row * t.e)
        top, bottom = t.f + row * t.e, t.f + (row + nrows) * t.e
        left, right = t.c, t.c + ds.width * t.a
        self.bounds = _Bounds(left, min(top, bottom), right, max(top, bottom))
        for name in (
            "count",
            "crs",
            "dtypes",
            "scales",
            "offsets",
            "nodata",
            "nodatavals",
            "mask_flag_enums",
            "name",
        ):
            setattr(self, name, getattr(ds, name))

    def get_transform(self) -> list[float]:
        """The block's GDAL geotransform."""
        return list(self.transform.to_gdal())

    def read(self, band: int, *, window: Any = None, masked: bool = False) -> Any:
        """Read a window given in block coordinates."""
        from rasterio.windows import Window

        if window is None:
            window = Window(0, 0, self.width, self.height)
        moved = Window(window.col_off, window.row_off + self._row, window.width, window.height)
        return self._ds.read(band, window=moved, masked=masked)


@dataclass(frozen=True)
class _Bounds:
    left: float
    bottom: float
    right: float
    top: float

    def __iter__(self) -> Any:
        return iter((self.left, self.bottom, self.right, self.top))


def worker_memory(client: Any) -> dict[str, int]:
    """Resident memory (bytes) of each worker process, by worker address.

    Parameters
    ----------
    client : distributed.Client

    Returns
    -------
    dict of str to int
    """
    return dict(client.run(_rss))


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)
