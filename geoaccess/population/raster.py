"""The raster path of population allocation: exact cell-coverage sums read in windows.

This is the only module that imports rasterio, lazily: without it
(``pip install "geoaccess[raster]"``) the rest of geoaccess works and raster population
raises an :class:`ImportError` saying what to install.

Rasters are never reprojected or resampled (that would move people); the *targets* are
reprojected to the raster's CRS instead.

Each target gets the sum of cell value × the exact fraction of the cell it covers,
computed as a line integral along its boundary
(:mod:`geoaccess.population.boundary_integral`): one cumulative sum per row read, and a
term per cell the boundary crosses. The results equal exactextract's exact coverage
fractions to rounding (the tests hold them to it), without a coverage fraction for every
cell of every target's bounding box.

What is read, when:

- the sums (:func:`exact_sums`): row band by row band, the cells between the leftmost and
  the rightmost boundary crossing of each group of nearby targets, and nothing else.
  Cells valid by their values alone are read as they are; others masked (see
  :func:`read_people`).
- the accounting (``return_accounting=True`` only): the raster's total over valid cells,
  which needs every cell, summed in row windows; and, when targets overlap, one more
  sum over their union so shared people count once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import Problem, ScenarioError
from ..polygons import polygonal_array
from ..schema import PopulationRaster
from .boundary_integral import boundary_pieces, integrate_rows
from .shapes import PopulationAccounting, overlapping, target_geometries

__all__ = [
    "allocate_raster",
    "checked_band",
    "exact_sums",
    "import_raster",
    "raster_total",
    "read_people",
]

_INSTALL = 'raster population needs rasterio: pip install "geoaccess[raster]"'


def import_raster() -> ModuleType:
    """``rasterio``, or an :class:`ImportError` naming the extra."""
    try:
        import rasterio
    except ImportError as err:
        raise ImportError(_INSTALL) from err
    return rasterio


def allocate_raster(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    raster: str | os.PathLike[str] | PopulationRaster | Any,
    *,
    column: str = "population",
    band: int | None = None,
    max_cells_in_memory: int = 30_000_000,
    return_accounting: bool = False,
) -> pd.Series | tuple[pd.Series, PopulationAccounting]:
    """People per target from a raster of people per cell, with exact coverage fractions.

    Each target gets the sum of cell value × the exact fraction of the cell it covers
    (see :func:`exact_sums`), so a polygon covering a quarter of a cell gets a quarter of its
    people, unlike a cell-centre rule. Nodata (and NaN) cells hold no one.

    Parameters
    ----------
    targets : GeoDataFrame or GeoSeries
        Polygons, any CRS; reprojected to the raster's CRS (the raster never is).
        Overlapping targets each get their own share; the accounting counts shared
        people once.
    raster : path, PopulationRaster or rasterio dataset
        The raster; an open dataset is left open.
    column : str, default "population"
        Name of the result.
    band : int, optional
        Band holding the counts; default the :class:`PopulationRaster`'s band, else 1.
    max_cells_in_memory : int, default 30_000_000
        Most raster cells read at once.
    return_accounting : bool, default False
        Also return a :class:`~geoaccess.population.PopulationAccounting`. Without it
        only the windows under the targets' bounding boxes are read; with it the whole
        raster is read once more, in row windows, for its total over valid cells (the
        people outside the targets are that total less the assigned people).

    Returns
    -------
    pandas.Series or tuple of (pandas.Series, PopulationAccounting)
        People per target, aligned to ``targets.index`` and named ``column``.

    Raises
    ------
    ImportError
        rasterio is missing.
    ScenarioError
        The raster or the targets have no CRS, or the band does not exist.
    """
    rasterio = import_raster()
    geoms = target_geometries(targets, "targets")
    with _open(rasterio, raster) as (ds, default_band, source):
        band = checked_band(ds, default_band if band is None else int(band), source)
        if CRS.from_user_input(ds.crs) != targets.crs:
            moved = gpd.GeoSeries(geoms, crs=targets.crs).to_crs(ds.crs)
            geoms = np.asarray(moved.array, dtype=object)
        cells = int(max_cells_in_memory)
        sums = exact_sums(ds, geoms, band=band, max_cells_in_memory=cells)
        series = pd.Series(sums, index=targets.index, name=column)
        if not return_accounting:
            return series
        total = raster_total(ds, band=band, max_cells_in_memory=max_cells_in_memory)
        if geoms.size and overlapping(geoms):
            union = np.array([shapely.union_all(geoms)], dtype=object)
            assigned = float(exact_sums(ds, union, band=band, max_cells_in_memory=cells)[0])
        else:
            assigned = float(sums.sum())
        assigned = min(assigned, total)
    accounting = PopulationAccounting(
        input_total=total,
        assigned_total=assigned,
        outside_total=total - assigned,
        source=source,
    )
    return series, accounting


def checked_band(ds: Any, band: int, source: str) -> int:
    """``band`` when the open raster has it and a CRS; a ScenarioError naming it otherwise."""
    if not 1 <= band <= ds.count:
        msg = f"band {band} does not exist (the raster has {ds.count})"
        raise ScenarioError([Problem("population", msg)])
    if ds.crs is None:
        msg = f"raster {source!r} has no CRS; assign one (e.g. with gdal_edit -a_srs)"
        raise ScenarioError([Problem("population", msg)])
    return band


def read_people(ds: Any, window: Any, *, band: int = 1) -> np.ndarray:
    """People per cell of a window of a band, as float64 with 0 where no one is counted.

    Where the band's nodata value alone says which cells are valid (a nodata value or
    none, no mask band, no scale or offset), the window is read as it is and cells equal
    to nodata (or NaN) hold no one; any other band is read masked, scaled and offset, and
    its masked cells hold no one. Infinite values hold no one either.

    Parameters
    ----------
    ds : rasterio dataset
        An open dataset (or an object offering ``read(band, window=..., masked=...)`` and
        the band metadata).
    window : rasterio.windows.Window
        The cells to read.
    band : int, default 1
        The band.

    Returns
    -------
    numpy.ndarray
        A 2-D float64 array of the window's shape.
    """
    if _valid_by_value(ds, band):
        data = ds.read(band, window=window)
        values = data.astype(np.float64)
        invalid = ~np.isfinite(values)
        nodata = ds.nodatavals[band - 1]
        if nodata is not None and not np.isnan(nodata):
            cast = np.asarray(nodata).astype(data.dtype)
            if data.dtype.kind in "fc" or cast == nodata:  # else no cell can hold it
                invalid |= data == cast
        values[invalid] = 0.0
        return values
    data = ds.read(band, window=window, masked=True)
    scale, offset = ds.scales[band - 1], ds.offsets[band - 1]
    values = np.ma.getdata(data).astype(np.float64) * scale + offset
    values[np.ma.getmaskarray(data) | ~np.isfinite(values)] = 0.0
    return values


def _valid_by_value(ds: Any, band: int) -> bool:
    """Whether a band's valid cells are those not equal to nodata (or NaN), unscaled."""
    from rasterio.enums import MaskFlags

    flags = set(ds.mask_flag_enums[band - 1])
    unscaled = ds.scales[band - 1] == 1.0 and ds.offsets[band - 1] == 0.0
    return flags <= {MaskFlags.nodata, MaskFlags.all_valid} and unscaled


def raster_total(ds: Any, *, band: int = 1, max_cells_in_memory: int = 30_000_000) -> float:
    """Sum of a band's valid cells (see :func:`read_people`), read in row windows.

    Parameters
    ----------
    ds : rasterio dataset
        An open dataset.
    band : int, default 1
        Band to sum.
    max_cells_in_memory : int, default 30_000_000
        Most cells read at once.

    Returns
    -------
    float
        The total, with the band's scale and offset applied.
    """
    from rasterio.windows import Window

    rows = _rows_per_read(ds, ds.width, max_cells_in_memory)
    total = 0.0
    for row in range(0, ds.height, rows):
        window = Window(0, row, ds.width, min(rows, ds.height - row))
        total += float(read_people(ds, window, band=band).sum())
    return total


def exact_sums(
    ds: Any, geoms: np.ndarray, *, band: int = 1, max_cells_in_memory: int = 30_000_000
) -> np.ndarray:
    """People under each geometry, every cell counted by the exact fraction covered.

    The sums are line integrals along the geometries' boundaries
    (:mod:`geoaccess.population.boundary_integral`): what is read is, row band by row
    band, the cells between the leftmost and the rightmost boundary crossing of each
    group of nearby targets, from the first row their boundaries cross to the last.
    Empty geometries get 0; the others are made valid polygons first (a self-crossing
    ring would count the cells it winds around twice).

    Parameters
    ----------
    ds : rasterio dataset
        An open dataset, or an object offering what :func:`read_people` reads and
        ``width``, ``height`` and ``transform``.
    geoms : numpy.ndarray of shapely geometries
        The targets, in the raster's CRS.
    band : int, default 1
        The band.
    max_cells_in_memory : int, default 30_000_000
        Most raster cells read at once.

    Returns
    -------
    numpy.ndarray
        One float per geometry.
    """
    from rasterio.windows import Window

    out, size = np.zeros(geoms.size), np.zeros(geoms.size)
    usable = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    polygons = np.full(geoms.size, None, dtype=object)
    polygons[usable] = _valid_polygons(geoms[usable])
    pieces = boundary_pieces(polygons[usable], ds.transform)
    target = np.flatnonzero(usable)
    on_grid = (pieces.row >= 0) & (pieces.row < ds.height)
    pieces = pieces.take(on_grid)
    if not pieces.size:
        return out
    cols = np.clip(pieces.col, 0, ds.width - 1)
    span = int(cols.max() - cols.min()) + 1
    rows = _rows_per_read(ds, span, max_cells_in_memory)
    band_of = (pieces.row - pieces.row[0]) // rows
    cuts = np.flatnonzero(np.diff(band_of)) + 1
    for start, stop in zip(np.r_[0, cuts], np.r_[cuts, pieces.size], strict=True):
        row0, row1 = int(pieces.row[start]), int(pieces.row[stop - 1]) + 1
        in_band = pieces.take(slice(start, stop))
        for col0, col1, index in _column_windows(in_band.target, cols[start:stop]):
            window = Window(col0, row0, col1 - col0, row1 - row0)
            values = read_people(ds, window, band=band)
            group = in_band.take(index)
            terms = integrate_rows(group, values, row0, col0)
            out += np.bincount(target[group.target], weights=terms, minlength=out.size)
            size += np.bincount(target[group.target], weights=np.abs(terms), minlength=out.size)
    # terms cancel for a target off the raster or on empty cells: rounding, not people
    out[np.abs(out) <= _ROUNDING * size] = 0.0
    return out


#: Targets of a row band whose column ranges lie at most this many cells apart are read
#: in one window (one read instead of two, for a few cells more).
_MERGE_GAP_CELLS = 256

#: Sums within this fraction of the sum of their terms' magnitudes are rounding (0).
_ROUNDING = 1e-12

#: Most cells a window of :func:`exact_sums` or :func:`raster_total` reads, below
#: ``max_cells_in_memory``: windows of a few million cells sum in cache-sized passes.
_WINDOW_CELLS = 1 << 21


def _rows_per_read(ds: Any, width: int, max_cells: int) -> int:
    """Rows per read of ``width`` cells: whole raster blocks where they fit."""
    cells = max(1, min(int(max_cells), _WINDOW_CELLS))
    rows = max(1, cells // max(1, width))
    shapes = getattr(ds, "block_shapes", None)
    block_rows = shapes[0][0] if shapes else 1
    return rows - rows % block_rows if rows >= block_rows else rows


def _column_windows(target: np.ndarray, cols: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """Column windows ``[col0, col1)`` of one row band and the pieces each one covers.

    A target's pieces all fall in one window (its integral needs one cumulative sum per
    row); targets whose column ranges overlap or lie close share a window.
    """
    order = np.argsort(target, kind="stable")
    by_target = target[order]
    starts = np.flatnonzero(np.r_[True, by_target[1:] != by_target[:-1]])
    low = np.minimum.reduceat(cols[order], starts)
    high = np.maximum.reduceat(cols[order], starts)
    by_low = np.argsort(low, kind="stable")
    reach = np.maximum.accumulate(high[by_low])
    apart = low[by_low][1:] > reach[:-1] + _MERGE_GAP_CELLS
    window_of = np.empty(starts.size, dtype=np.int64)
    window_of[by_low] = np.r_[0, np.cumsum(apart)]
    piece_window = np.repeat(window_of, np.diff(np.r_[starts, target.size]))
    by_window = np.argsort(window_of, kind="stable")
    first = np.flatnonzero(np.r_[True, np.diff(window_of[by_window]) != 0])
    col0 = np.minimum.reduceat(low[by_window], first)
    col1 = np.maximum.reduceat(high[by_window], first) + 1
    # the pieces of each window, in one sort (windows are numbered 0, 1, ... in order)
    ends = np.cumsum(np.bincount(piece_window))[:-1]
    groups = np.split(order[np.argsort(piece_window, kind="stable")], ends)
    return [(int(a), int(b), index) for a, b, index in zip(col0, col1, groups, strict=True)]


def _valid_polygons(geoms: np.ndarray) -> np.ndarray:
    """The targets as valid polygons (as the vector path repairs them).

    A self-crossing ring would count the cells it winds around twice (and exactextract,
    which the tests compare against, can allocate without bound on one): a target valid
    in its own CRS can turn invalid once reprojected to the raster's, its parts touching
    or crossing (``method="structure"`` keeps the repair polygonal), and a collection
    keeps only its polygons.
    """
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(
            geoms[invalid], method="structure", keep_collapsed=False
        )
    return polygonal_array(geoms)


@contextlib.contextmanager
def _open(rasterio: ModuleType, raster: Any) -> Iterator[tuple[Any, int, str]]:
    """The dataset, its default band and a source name; closes only what it opened."""
    if isinstance(raster, PopulationRaster):
        with rasterio.open(raster.path) as ds:
            yield ds, raster.band, raster.source
    elif isinstance(raster, (str, os.PathLike)):
        path = Path(raster)
        if not path.exists():
            msg = f"raster file {str(path)!r} does not exist"
            raise ScenarioError([Problem("population", msg)])
        with rasterio.open(path) as ds:
            yield ds, 1, path.stem
    elif hasattr(raster, "read") and hasattr(raster, "transform") and hasattr(raster, "crs"):
        name = Path(str(raster.name))
        yield raster, 1, name.stem if name.exists() else "raster"
    else:
        msg = (
            "population must be a GeoDataFrame, a raster path, a PopulationRaster or an "
            f"open rasterio dataset; got {type(raster).__name__}"
        )
        raise ScenarioError([Problem("population", msg)])
