"""The evaluation context: a scenario projected once into its metric CRS, and the rules.

A :class:`Context` is immutable and holds no cache: it is shared freely between dates,
threads and Dask workers. What is computed from it is memoised in a per-call
:class:`~geoaccess.engine.cache.Cache`, keyed by the rows valid on a date
(:func:`day_rows`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from ..crs import WGS84, to_metric
from ..display import side_names
from ..rules import Rules
from ..scenario.days import valid_days
from ..scenario.model import Scenario
from ..temporal import TEMPORAL_COLUMNS
from ..threaded import in_parts
from . import keys
from .cache import Cache

__all__ = ["Context", "day_rows", "project_scenario"]

log = logging.getLogger(__name__)

#: Zone and impassable polygons with at least this many vertices (real control maps,
#: coastlines) are simplified within ``Rules.edge_tolerance_m``; shapes drawn by hand
#: keep every vertex.
SIMPLIFY_FROM_VERTICES = 1_000
#: The frame is densified before projection (its edges follow the parallels and
#: meridians) and then simplified within this many metres (or ``edge_tolerance_m`` when
#: smaller): a 300 km frame keeps about 150 of its 2,700 vertices, and every overlay
#: with the frame or the sea clipped to it gets cheaper. Ground within ``snap_m`` of
#: the frame's edge reaches the rear either way.
FRAME_TOLERANCE_M = 1.0


@dataclass(frozen=True, eq=False)
class Context:
    """A scenario's layers projected once into its metric CRS, with the rules in force.

    Attributes
    ----------
    scenario : Scenario
        The source scenario (EPSG:4326).
    rules : Rules
        The rules applied.
    crs : pyproj.CRS
        The metric CRS.
    frame : shapely.Polygon
        The frame, densified before projection, then simplified within
        :data:`FRAME_TOLERANCE_M`.
    layers : dict of str to GeoDataFrame
        Every layer present, in ``crs``; zones and siege lines carry a ``side`` column.
        Read-only.
    anchors : dict of str to numpy.ndarray
        Declared rear anchors per side, ``(n, 2)`` metric coordinates. Read-only.
    first_day : datetime.date or None
        The first date the scenario covers (its earliest ``valid_from``/``valid_to``).
    validity : dict of str to tuple of numpy.ndarray
        Per layer, each row's ``[valid_from, valid_to)`` as integer days (open ends at
        the int64 limits); a row left unprojected (valid on no day of ``period``) is
        valid on no day. Read-only.
    sea : shapely.Geometry
        The sea within the frame (``Rules(sea="impassable")``; empty otherwise or
        inland), in ``crs``.
    side_names : mapping of str to str
        Display name of each side (:func:`geoaccess.display.side_names`), for the
        reasons. Read-only.
    period : tuple of (datetime.date or None)
        ``(first, last)``: the days the context serves (``None``: open). Only the rows
        valid on one of them are projected (a year of daily maps assessed on one date
        projects the maps up to that date); the others keep their position with no
        geometry, and asking for the rows of a day outside the period is an error.
    """

    scenario: Scenario
    rules: Rules
    crs: CRS
    frame: shapely.Polygon
    layers: dict[str, gpd.GeoDataFrame]
    anchors: dict[str, np.ndarray]
    first_day: dt.date | None
    validity: dict[str, tuple[np.ndarray, np.ndarray]]
    sea: shapely.Geometry
    side_names: dict[str, str]
    period: tuple[dt.date | None, dt.date | None] = (None, None)

    @property
    def sides(self) -> tuple[str, ...]:
        """Every side of the scenario."""
        return self.scenario.sides

    def layer_at(self, name: str, rows: tuple[int, ...]) -> gpd.GeoDataFrame | None:
        """The rows of a projected layer at these positions (``None`` when it is absent)."""
        frame = self.layers.get(name)
        if frame is None:
            return None
        return frame.iloc[list(rows)]

    def rows_valid(self, name: str, day: dt.date) -> tuple[int, ...]:
        """Positions of the rows of a layer valid on ``day`` (``()`` when it is absent)."""
        first, last = self.period
        if (first is not None and day < first) or (last is not None and day > last):
            msg = f"this context serves {_period_text(self.period)}, not {day}"
            raise ValueError(msg)
        if name not in self.validity:
            return ()
        start, end = self.validity[name]
        number = np.datetime64(day, "D").astype(np.int64)
        return tuple(np.flatnonzero((start <= number) & (end > number)).tolist())


def project_scenario(
    scn: Scenario,
    rules: Rules,
    *,
    sea: shapely.Geometry | None = None,
    threads: int = 1,
    period: tuple[dt.date | None, dt.date | None] = (None, None),
) -> Context:
    """Project a scenario's frame, layers and rear anchors into its metric CRS.

    Parameters
    ----------
    scn : Scenario
        The scenario (its layers are not modified).
    rules : Rules
        Rules in force; ``rules.metric_crs`` overrides the scenario's choice.
    sea : shapely.Geometry, optional
        The sea within the frame, lon/lat (see :mod:`geoaccess.io.coastline`); used when
        ``rules.sea`` is ``"impassable"``.
    threads : int, default 1
        Threads for the large layers (a year of daily maps): projected, checked and
        simplified in parts (:mod:`geoaccess.threaded`). Same result.
    period : tuple of (datetime.date or None), default ``(None, None)``
        ``(first, last)``, both included (``None``: open): project only the rows valid
        on some day of the period (see :attr:`Context.period`). Every answer on a day
        of the period is the same as with the whole scenario projected.

    Returns
    -------
    Context
    """
    crs = CRS.from_user_input(rules.metric_crs) if rules.metric_crs else scn.metric_crs
    log.debug("assessing %r in %s", scn.name, crs.to_string())
    frame = to_metric(gpd.GeoSeries([scn.frame], crs=WGS84), crs).iloc[0]
    if rules.edge_tolerance_m > 0:
        frame = shapely.simplify(frame, min(rules.edge_tolerance_m, FRAME_TOLERANCE_M))
    layers: dict[str, gpd.GeoDataFrame] = {}
    validity: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, layer in scn.layers.items():
        start, end = valid_days(layer)
        # incidents count by their own dates in a window before the day, not by validity
        served = _served(start, end, period) if name != "incidents" else None
        if served is None or served.all():
            projected = _projected(layer, name, crs, rules, threads)
        else:  # rows valid on no day of the period: kept in place, without geometry
            start, end = np.where(served, start, NEVER[0]), np.where(served, end, NEVER[1])
            part = _projected(layer.iloc[np.flatnonzero(served)], name, crs, rules, threads)
            geoms = np.full(len(layer), None, dtype=object)
            geoms[served] = part.geometry.to_numpy(dtype=object)
            projected = layer.set_geometry(
                gpd.GeoSeries(geoms, index=layer.index, crs=crs).rename(layer.geometry.name)
            )
        if name in ("zones", "siege_lines"):
            projected = projected.assign(side=projected["party"].map(scn.side_of))
        layers[name] = projected
        validity[name] = (start, end)
    anchors: dict[str, np.ndarray] = {}
    for side in scn.sides:
        lonlat = scn.rear_anchors(side)
        if len(lonlat):
            pts = gpd.GeoSeries(shapely.points(lonlat), crs=WGS84).to_crs(crs)
            anchors[side] = shapely.get_coordinates(pts.values)
    sea_m = shapely.GeometryCollection()
    if sea is not None and rules.sea == "impassable" and not shapely.is_empty(sea):
        sea_m = to_metric(gpd.GeoSeries([sea], crs=WGS84), crs).iloc[0]
        sea_m = shapely.intersection(sea_m, frame)
    names = side_names(scn.parties)
    return Context(
        scn, rules, crs, frame, layers, anchors, _first_day(scn), validity, sea_m, names, period
    )


#: The validity of a row valid on no day: ``[max, min)``.
NEVER = (np.iinfo(np.int64).max, np.iinfo(np.int64).min)


def _served(
    start: np.ndarray, end: np.ndarray, period: tuple[dt.date | None, dt.date | None]
) -> np.ndarray:
    """Rows valid ``[start, end)`` (integer days) on some day of ``period`` (both included)."""
    first, last = period
    served = np.ones(len(start), dtype=bool)
    if last is not None:
        served &= start <= np.datetime64(last, "D").astype(np.int64)
    if first is not None:
        served &= end > np.datetime64(first, "D").astype(np.int64)
    return served


def _projected(
    layer: gpd.GeoDataFrame, name: str, crs: CRS, rules: Rules, threads: int
) -> gpd.GeoDataFrame:
    """One layer in the metric CRS: repaired where projection broke it, zones simplified."""
    projected = _valid(to_metric(layer, crs, threads=threads), threads)
    if name in ("zones", "impassable") and rules.edge_tolerance_m > 0:
        projected = _simplified(projected, rules.edge_tolerance_m, SIMPLIFY_FROM_VERTICES, threads)
    return projected


def _period_text(period: tuple[dt.date | None, dt.date | None]) -> str:
    """``the days from 2016-07-01 to 2016-12-31``, with open ends."""
    first, last = period
    if first is None:
        return f"the days up to {last}"
    if last is None:
        return f"the days from {first} on"
    return f"the days from {first} to {last}"


def _valid(layer: gpd.GeoDataFrame, threads: int = 1) -> gpd.GeoDataFrame:
    """The layer with polygons that projection made invalid repaired (a copy if any).

    A polygon valid in lon/lat can turn invalid in a metric CRS where parts that nearly
    touch meet; the engine's overlays need valid polygons.
    """
    geoms = np.asarray(layer.geometry.array, dtype=object)
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    invalid = polygonal & ~in_parts(shapely.is_valid, geoms, threads)
    if not invalid.any():
        return layer
    geoms = geoms.copy()
    geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure")
    return layer.set_geometry(gpd.GeoSeries(geoms, index=layer.index, crs=layer.crs))


def _simplified(
    layer: gpd.GeoDataFrame, tolerance: float, min_vertices: int, threads: int = 1
) -> gpd.GeoDataFrame:
    """Polygons of at least ``min_vertices`` simplified within ``tolerance`` metres.

    Douglas-Peucker keeps every vertex that matters at this tolerance and is fast; the
    few polygons it leaves invalid (a ring folded onto itself) are simplified again
    preserving topology instead. Smaller polygons (shapes drawn by hand), points and
    lines are left alone. Returns the layer itself when nothing changes, else a copy.
    """
    geoms = np.asarray(layer.geometry.array, dtype=object)
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    polygonal &= shapely.get_num_coordinates(geoms) >= min_vertices
    if not polygonal.any():
        return layer
    geoms = geoms.copy()
    simple = in_parts(
        lambda part: shapely.simplify(part, tolerance, preserve_topology=False),
        geoms[polygonal],
        threads,
    )
    broken = ~in_parts(shapely.is_valid, simple, threads) | shapely.is_empty(simple)
    if broken.any():
        simple[broken] = shapely.simplify(geoms[polygonal][broken], tolerance)
    geoms[polygonal] = simple
    return layer.set_geometry(gpd.GeoSeries(geoms, index=layer.index, crs=layer.crs))


def _first_day(scn: Scenario) -> dt.date | None:
    """The earliest ``valid_from``/``valid_to`` of any layer (``None`` when undated)."""
    days = [
        frame[column].min()
        for frame in scn.layers.values()
        for column in TEMPORAL_COLUMNS
        if column in frame and frame[column].notna().any()
    ]
    return min(d.date() for d in days) if days else None


def day_rows(ctx: Context, cache: Cache, day: dt.date) -> keys.DayRows:
    """The rows of every layer valid on ``day`` (memoised in ``cache``)."""

    def build() -> keys.DayRows:
        return keys.DayRows(
            zones=ctx.rows_valid("zones", day),
            siege_lines=ctx.rows_valid("siege_lines", day),
            roads=ctx.rows_valid("roads", day),
            areas=ctx.rows_valid("areas", day),
            corridors=ctx.rows_valid("corridors", day),
            population=ctx.rows_valid("population", day),
            facilities=ctx.rows_valid("facilities", day),
            impassable=ctx.rows_valid("impassable", day),
        )

    return cache.get(keys.day(day), build)
