"""The public calls that choose between the in-process and the Dask path.

:func:`timeline` and :func:`allocate_population` run in process unless given a Dask
``client`` (or, for population, a dask-geopandas frame): then they hand the same work to
:mod:`geoaccess.scale`. Everything else public is re-exported by :mod:`geoaccess`
from the layer that does it.
"""

from __future__ import annotations

from typing import Any, Literal, overload

import geopandas as gpd
import pandas as pd

from .pipeline import timeline as pipeline_timeline
from .pipeline.results import Timeline
from .pipeline.threads import ThreadRunner
from .pipeline.workers import checked_threads
from .population import allocate as population_allocate
from .population.shapes import PopulationAccounting
from .rules import Rules
from .scale import cluster
from .scale import population as scale_population
from .scale import timeline as scale_timeline
from .scenario.model import Scenario
from .temporal import DateLike

__all__ = ["allocate_population", "timeline"]


def timeline(
    scn: Scenario,
    start: DateLike,
    end: DateLike,
    rules: Rules | None = None,
    *,
    client: Any = None,
    threads: int = 1,
    progress: bool = False,
) -> Timeline:
    """Access status of every area from ``start`` to ``end`` (both included).

    Parameters
    ----------
    scn : Scenario
        The scenario (not modified).
    start, end : date-like
        The period.
    rules : Rules, optional
        Defaults to the scenario's rules.
    client : dask.distributed.Client, optional
        Evaluate the change dates as Dask tasks on this cluster (the scenario is shipped
        once; see :mod:`geoaccess.scale.timeline`). Same result as without it.
    threads : int, default 1
        Evaluate the change dates on this many threads of this process
        (:mod:`geoaccess.pipeline.threads`; the geometry runs without Python's lock, the
        assembly of tables with it: on 2 cores, a year of regional daily maps about 1.5
        times faster, the small bundled scenario no faster, measured). Same result. Not
        with ``client``.
    progress : bool
        Show a progress bar (tqdm, on standard error) over the change dates.

    Returns
    -------
    Timeline
        See :func:`geoaccess.pipeline.timeline.timeline`.

    Examples
    --------
    >>> import geoaccess as ga
    >>> tl = ga.timeline(ga.datasets.aleppo_2016(), "2016-07-01", "2016-12-31")  # doctest: +SKIP
    >>> len(tl.evaluated) < 184  # doctest: +SKIP
    True
    """
    threads = checked_threads(threads)
    runner: pipeline_timeline.DateRunner | None = None
    if client is not None:
        if threads > 1:
            msg = "timeline: give a Dask client or threads, not both"
            raise ValueError(msg)
        runner = scale_timeline.DaskRunner(client)
    elif threads > 1:
        runner = ThreadRunner(threads, progress=progress)
    return pipeline_timeline.timeline(
        scn, start, end, rules, progress=progress, runner=runner, threads=threads
    )


@overload
def allocate_population(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = ...,
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = ...,
    return_accounting: Literal[False] = ...,
    client: Any = ...,
) -> pd.Series: ...


@overload
def allocate_population(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = ...,
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = ...,
    return_accounting: Literal[True],
    client: Any = ...,
) -> tuple[pd.Series, PopulationAccounting]: ...


@overload
def allocate_population(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = ...,
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = ...,
    return_accounting: bool = ...,
    client: Any = ...,
) -> pd.Series | tuple[pd.Series, PopulationAccounting]: ...


def allocate_population(
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    population: Any,
    *,
    column: str = "population",
    mask: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    return_accounting: bool = False,
    client: Any = None,
) -> pd.Series | tuple[pd.Series, PopulationAccounting]:
    """Population of each target polygon, from polygons, points or a raster.

    In process this is :func:`geoaccess.population.allocate.allocate_population` (see it
    for the rules, parameters and examples). With a ``client``, or a dask-geopandas
    ``population``, it is the scale path (:func:`geoaccess.scale.population.allocate_dask`):
    partitions are allocated one by one (with or without a client), a raster window by
    window as Dask tasks; the sums equal the in-memory result.

    Parameters
    ----------
    targets : GeoDataFrame or GeoSeries
        Polygons to receive people.
    population : GeoDataFrame, dask-geopandas GeoDataFrame, path or PopulationRaster
        The people: polygons, points or a raster (a path, a PopulationRaster or a
        rasterio dataset).
    column : str, default "population"
        Column of people in a vector ``population``; also the name of the result.
    mask : GeoDataFrame or GeoSeries, optional
        Dasymetric mask for polygon sources.
    return_accounting : bool, default False
        Also return a :class:`~geoaccess.population.shapes.PopulationAccounting`.
    client : dask.distributed.Client, optional
        The cluster for the scale path.

    Returns
    -------
    pandas.Series or tuple of (pandas.Series, PopulationAccounting)
        People per target, aligned to ``targets.index`` and named ``column``.

    Examples
    --------
    >>> from shapely import box
    >>> cells = gpd.GeoDataFrame({"population": [100.0, 100.0]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32637)
    >>> area = gpd.GeoDataFrame(geometry=[box(0.5, 0, 1.5, 1)], crs=32637)
    >>> allocate_population(area, cells).tolist()
    [100.0]
    """
    if client is not None or cluster.is_dask_collection(population):
        return scale_population.allocate_dask(
            targets,
            population,
            column=column,
            mask=mask,
            return_accounting=return_accounting,
            client=client,
        )
    return population_allocate.allocate_population(
        targets, population, column=column, mask=mask, return_accounting=return_accounting
    )
