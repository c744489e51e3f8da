"""A population raster read in row windows as Dask tasks (bounded memory per worker)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import Problem, ScenarioError
from ..population import raster as population_raster
from ..population.shapes import PopulationAccounting, overlapping, target_geometries
from ..schema import PopulationRaster
from .cluster import Partial, default_client, import_dask, ship, tree_sum

__all__ = ["WINDOW_CELLS", "allocate_raster_windows"]

#: Default most raster cells read by one window task.
WINDOW_CELLS = 4_000_000


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
    task opens the file and sums its block with exact coverage fractions (as
    :func:`geoaccess.population.raster.allocate_raster`) for the targets whose bounds meet
    the block (an STRtree query), reading only the block's rows; the blocks' sums add up
    to the whole-raster result because coverage fractions are additive over cells.

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
        As :func:`geoaccess.population.raster.allocate_raster`.
    """
    from pyproj import CRS

    import_dask()
    import dask

    rasterio = population_raster.import_raster()
    path, default_band, source = _raster_file(raster)
    geoms = target_geometries(targets, "targets")
    with rasterio.open(path) as ds:
        band = population_raster.checked_band(
            ds, default_band if band is None else int(band), source
        )
        crs, width, height = CRS.from_user_input(ds.crs), ds.width, ds.height
    if crs != targets.crs:
        geoms = np.asarray(gpd.GeoSeries(geoms, crs=targets.crs).to_crs(crs).array, dtype=object)
    union = None
    if return_accounting and geoms.size and overlapping(geoms):
        union = shapely.union_all(geoms)
    rows = max(1, int(window_cells) // max(1, width))
    client = client if client is not None else default_client()
    shipped = ship(client, (geoms, union))
    parts = [
        dask.delayed(_raster_window, pure=True)(
            str(path), band, row, min(rows, height - row), shipped, return_accounting
        )
        for row in range(0, height, rows)
    ]
    total = tree_sum(dask, parts, geoms.size)
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
) -> Partial:
    """Exact sums of one row block for the targets meeting it, and its total."""
    rasterio = population_raster.import_raster()
    geoms, union = shipped
    out = np.zeros(geoms.size)
    with rasterio.open(path) as ds:
        block = _RowBlock(ds, row, nrows)
        frame = shapely.box(*block.bounds)
        near = np.sort(shapely.STRtree(geoms).query(frame, predicate="intersects"))
        cells = block.width * block.height
        if near.size:
            out[near] = population_raster.exact_sums(
                block, geoms[near], band=band, max_cells_in_memory=cells
            )
        window_total = (
            population_raster.raster_total(block, band=band, max_cells_in_memory=cells)
            if total
            else 0.0
        )
        assigned = 0.0
        if union is not None and shapely.intersects(union, frame):
            union_sums = population_raster.exact_sums(
                block, np.array([union], dtype=object), band=band, max_cells_in_memory=cells
            )
            assigned = float(union_sums[0])
    return out, window_total, assigned, 0.0, 0, ""


class _RowBlock:
    """Rows ``[row, row + nrows)`` of an open dataset, seen as a dataset of their own.

    Offers what :func:`geoaccess.population.raster.exact_sums` and
    :func:`geoaccess.population.raster.raster_total` read (size, bounds, transform, band
    metadata, ``read`` with a window), so both run unchanged on one block.
    """

    def __init__(self, ds: Any, row: int, nrows: int) -> None:
        from affine import Affine

        self._ds, self._row = ds, row
        self.width, self.height = ds.width, nrows
        t = ds.transform  # north-up: a row block is a band of whole rows
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
