"""The raster path of population allocation: exact cell-coverage sums with exactextract.

This is the only module that imports rasterio and exactextract, lazily: without them
(``pip install "geoaccess[raster]"``) the rest of geoaccess works and raster population
raises an :class:`ImportError` saying what to install.

Rasters are never reprojected or resampled (that would move people); the *targets* are
reprojected to the raster's CRS instead.

What is read, when:

- the sums: exactextract reads, target by target, the window of cells under the target's
  bounding box (in pieces of at most ``max_cells_in_memory`` cells), and nothing else.
  Where nodata values alone say which cells are valid (a nodata value or none, no mask
  band, no scale or offset), the windows are read as they are and exactextract drops
  nodata and NaN cells itself; otherwise they are read masked and handed over with NaN
  in the masked cells (see :func:`raster_source`).
- the accounting (``return_accounting=True`` only): the raster's total over valid cells,
  which needs every cell, summed in row windows; and, when targets overlap, one more
  exactextract pass over their union (its bounding box) so shared people count once.
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
from .shapes import PopulationAccounting, overlapping, target_geometries

__all__ = [
    "allocate_raster",
    "checked_band",
    "exact_sums",
    "import_raster",
    "raster_source",
    "raster_total",
]

_WINDOW_CELLS = 1 << 20
_INSTALL = 'raster population needs rasterio and exactextract: pip install "geoaccess[raster]"'


def import_raster() -> tuple[ModuleType, ModuleType]:
    """``rasterio`` and ``exactextract``, or an :class:`ImportError` naming the extra."""
    try:
        import exactextract
        import rasterio
    except ImportError as err:
        raise ImportError(_INSTALL) from err
    return rasterio, exactextract


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
    (exactextract), so a polygon covering a quarter of a cell gets a quarter of its
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
        Most raster cells read at once (passed to exactextract and used for the total).
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
        rasterio or exactextract is missing.
    ScenarioError
        The raster or the targets have no CRS, or the band does not exist.
    """
    rasterio, exactextract = import_raster()
    geoms = target_geometries(targets, "targets")
    with _open(rasterio, raster) as (ds, default_band, source):
        band = checked_band(ds, default_band if band is None else int(band), source)
        if CRS.from_user_input(ds.crs) != targets.crs:
            moved = gpd.GeoSeries(geoms, crs=targets.crs).to_crs(ds.crs)
            geoms = np.asarray(moved.array, dtype=object)
        rsource = raster_source(ds, band=band)
        sums = exact_sums(exactextract, rsource, geoms, ds.crs, max_cells_in_memory)
        series = pd.Series(sums, index=targets.index, name=column)
        if not return_accounting:
            return series
        total = raster_total(ds, band=band, max_cells_in_memory=max_cells_in_memory)
        if geoms.size and overlapping(geoms):
            union = np.array([shapely.union_all(geoms)], dtype=object)
            assigned = float(
                exact_sums(exactextract, rsource, union, ds.crs, max_cells_in_memory)[0]
            )
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


def raster_source(ds: Any, *, band: int = 1) -> Any:
    """An exactextract raster source for a band of an open rasterio dataset.

    It hands exactextract plain arrays, never masked ones. Where the band's nodata value
    alone says which cells are valid (a nodata value or none, no mask band, no scale or
    offset), windows are read as they are and exactextract skips the nodata value and
    NaN itself, as its own ``GDALRasterSource`` does for such bands. Any other band is
    read masked, scaled and offset, and its masked cells become NaN. exactextract's
    ``RasterioRasterSource`` reads masked arrays always, which costs a mask per window
    (``exact_extract`` on the path takes 1.1-1.5× as long in ``bench_raster``) and, in
    exactextract 0.3, loses the mask when the window's grid and the coverage grid differ
    in their last bits (isciences/exactextract #193): a quarter of a nodata cell of a
    scaled band then counted -9999 × scale / 4.

    Parameters
    ----------
    ds : rasterio dataset
        An open dataset (or an object offering what ``RasterioRasterSource`` reads).
    band : int, default 1
        The band.

    Returns
    -------
    exactextract.raster.RasterioRasterSource
        The source.
    """
    from exactextract.raster import RasterioRasterSource
    from rasterio.windows import Window

    plain = _valid_by_value(ds, band)
    scale, offset = ds.scales[band - 1], ds.offsets[band - 1]

    class PlainArraySource(RasterioRasterSource):  # type: ignore[misc]
        """Windows as plain arrays: nodata (unmasked reads) or NaN marks no one."""

        def nodata_value(self) -> Any:
            return super().nodata_value() if plain else None

        def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ndarray:
            window = Window(x0, y0, nx, ny)
            if plain:
                return self.ds.read(self.band_idx, window=window)
            data = self.ds.read(self.band_idx, window=window, masked=True)
            values = np.ma.getdata(data).astype(np.float64) * scale + offset
            values[np.ma.getmaskarray(data)] = np.nan
            return values

    return PlainArraySource(ds, band_idx=band)


def _valid_by_value(ds: Any, band: int) -> bool:
    """Whether a band's valid cells are those not equal to nodata (or NaN), unscaled."""
    from rasterio.enums import MaskFlags

    flags = set(ds.mask_flag_enums[band - 1])
    unscaled = ds.scales[band - 1] == 1.0 and ds.offsets[band - 1] == 0.0
    return flags <= {MaskFlags.nodata, MaskFlags.all_valid} and unscaled


def raster_total(ds: Any, *, band: int = 1, max_cells_in_memory: int = 30_000_000) -> float:
    """Sum of a band's valid cells (not nodata, finite), read in row windows.

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

    # windows of about a million cells at most: the sums then run in cache, not RAM
    rows = max(1, min(int(max_cells_in_memory), _WINDOW_CELLS) // max(1, ds.width))
    scale, offset = ds.scales[band - 1], ds.offsets[band - 1]
    # a nodata value (or none) says which cells are valid: no mask band to read
    by_value = _valid_by_value(ds, band)
    nodata = ds.nodatavals[band - 1]
    total = 0.0
    for row in range(0, ds.height, rows):
        window = Window(0, row, ds.width, min(rows, ds.height - row))
        if by_value:
            data = ds.read(band, window=window)
            valid = np.isfinite(data) if data.dtype.kind in "fc" else np.ones(data.shape, bool)
            if nodata is not None and not np.isnan(nodata):
                cast = np.asarray(nodata).astype(data.dtype)
                if data.dtype.kind in "fc" or cast == nodata:  # else no cell can hold it
                    valid &= data != cast
            total += float(np.sum(data, where=valid, dtype=np.float64))
            continue
        data = ds.read(band, window=window, masked=True)
        values = np.ma.getdata(data)[~np.ma.getmaskarray(data)].astype(float)
        values = values * scale + offset
        total += float(values[np.isfinite(values)].sum())
    return total


def exact_sums(
    exactextract: ModuleType, rsource: Any, geoms: np.ndarray, crs: Any, max_cells: int
) -> np.ndarray:
    """People under each geometry of a raster source, with exact cell-coverage fractions.

    Empty geometries get 0; the others are made valid polygons first.
    """
    out = np.zeros(geoms.size)
    usable = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    polygons = np.full(geoms.size, None, dtype=object)
    polygons[usable] = _valid_polygons(geoms[usable])
    usable[usable] = ~shapely.is_empty(polygons[usable])
    if not usable.any():
        return out
    frame = gpd.GeoDataFrame(geometry=polygons[usable], crs=crs)
    result = exactextract.exact_extract(
        rsource, frame, ["sum"], output="pandas", max_cells_in_memory=int(max_cells)
    )
    out[usable] = np.nan_to_num(result["sum"].to_numpy(dtype=float))
    return out


def _valid_polygons(geoms: np.ndarray) -> np.ndarray:
    """The targets as valid polygons (as the vector path repairs them).

    exactextract needs valid polygons (on an invalid one it can allocate without bound;
    on a collection it fails): a target valid in its own CRS can turn invalid once
    reprojected to the raster's, its parts touching or crossing (``method="structure"``
    keeps the repair polygonal), and a collection keeps only its polygons.
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
