"""Population allocation on Dask: dask-geopandas partitions, rasters by windows.

- :func:`allocate_dask`: :func:`geoaccess.allocate_population`'s scale path;
- :func:`allocate_partitioned`: a dask-geopandas frame of sources, partition by partition
  (targets shipped once); allocation is per source, so the sums equal the in-memory
  result.

Rasters go by row windows (:mod:`.raster`).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import Problem, ScenarioError
from ..population.allocate import allocate_population
from ..population.shapes import PopulationAccounting, require_same_crs, target_geometries
from .cluster import Partial, default_client, import_dask, is_dask_collection, ship, tree_sum
from .raster import allocate_raster_windows

__all__ = ["allocate_dask", "allocate_partitioned"]


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
    import_dask()
    import dask

    if column not in population.columns:
        msg = f"population needs a {column!r} column of people (pass column=... to choose)"
        raise ScenarioError([Problem("population", msg, column=column)])
    require_same_crs(targets.crs, population.crs, "targets", "population")
    # validated (and repaired, with one warning) here, once, not once per partition
    clean = gpd.GeoSeries(target_geometries(targets, "targets"), crs=targets.crs)
    client = client if client is not None else default_client()
    shipped_targets, shipped_mask = ship(client, clean), ship(client, mask)
    parts = [
        dask.delayed(_allocate_part, pure=True)(part, shipped_targets, column, shipped_mask)
        for part in population.to_delayed()
    ]
    total = tree_sum(dask, parts, len(clean))
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


def _allocate_part(
    part: gpd.GeoDataFrame, targets: gpd.GeoSeries, column: str, mask: Any
) -> Partial:
    """One partition against the targets that meet its bounds (positions kept)."""
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
