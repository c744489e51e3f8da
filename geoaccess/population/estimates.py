"""Population in the results: the estimates, allocated to area pieces, areas and pockets.

Only full assessments compute these (``Assessment.details["full"]``); they work on the
metric frames of one date and return new frames. The rules, made computable:

- **Estimates.** Each population estimate of the scenario is allocated to the area
  pieces with :func:`~geoaccess.population.allocate_population`: every ``source`` of the
  ``population`` layer (one estimate when the layer has no ``source`` column), every
  raster of ``population_rasters``, and the areas' own ``population`` column (split by
  area share). The first one, in that order, is the *primary* estimate: it fills the
  areas' ``population*`` columns and the ``population`` columns of every table; the
  others appear beside it as ``population_<source>``. Nothing is picked silently:
  ``Assessment.details["population_source"]`` names the primary one.

The other rules live beside this module: distance bands and the population table in
:mod:`.table`, corridor reach in :mod:`.reach`, facility catchments and incidents in
:mod:`.catchments`; the located people they share in :mod:`.people`, the pieces of
passable ground in :mod:`geoaccess.engine.passable`.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..engine import keys
from ..engine.cache import Cache
from ..engine.context import Context
from ..rules import STATUSES, AccessStatus
from .allocate import allocate_population
from .shapes import PopulationAccounting

__all__ = [
    "HELD_STATUSES",
    "NO_DATA",
    "Estimate",
    "area_population",
    "estimates",
    "pocket_population",
    "primary_people",
    "with_population",
]

#: The status of ground no side holds: an area's people there are counted under it.
NO_DATA = AccessStatus.NO_DATA.value
#: The statuses of held ground (every piece of an area has one of them).
HELD_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s != NO_DATA)


@dataclass(frozen=True, eq=False)
class Estimate:
    """One population estimate allocated to the pieces and reporting units of a date.

    Attributes
    ----------
    name : str
        The estimate's source (``source`` value, raster source, or ``"areas"``).
    column : str
        Its column in the tables: ``"population"`` for the primary estimate,
        ``"population_<source>"`` for the others.
    people : GeoDataFrame
        Located people in the metric CRS, a ``population`` column (points or polygons).
    pieces : numpy.ndarray
        People per area piece (aligned with the pieces frame).
    units : numpy.ndarray
        People per reporting unit (area or pocket).
    accounting : PopulationAccounting
        Input, assigned (to reporting units) and outside totals.
    key : Hashable
        Its cache key: what is derived from ``people`` (weighted points, their road
        nodes, walks) is memoised under it in the call's cache and shared by the distance
        bands, corridor reach and catchments.
    """

    name: str
    column: str
    people: gpd.GeoDataFrame
    pieces: np.ndarray
    units: np.ndarray
    accounting: PopulationAccounting
    key: Hashable


def estimates(
    ctx: Context,
    cache: Cache,
    rows: keys.DayRows,
    units: gpd.GeoDataFrame,
    pieces: gpd.GeoDataFrame,
) -> list[Estimate]:
    """Every population estimate of the scenario on a date, the primary one first.

    Parameters
    ----------
    ctx : Context
        The projected scenario.
    cache : Cache
        The call's cache.
    rows : DayRows
        The rows valid on the date (the ``population`` rows are the estimates' people).
    units : GeoDataFrame
        Reporting units (metric CRS) with a ``total`` column (the areas' own population).
    pieces : GeoDataFrame
        Area pieces (metric CRS) with ``population`` (the areas' own population split by
        area share).

    Returns
    -------
    list of Estimate
        Empty when the scenario has no population at all.
    """
    crs = units.crs
    groups = _layer_groups(ctx.layer_at("population", rows.population))
    rasters = ctx.scenario.population_rasters
    first = primary_people(ctx, cache, rows, pieces)
    found: list[tuple[str, gpd.GeoDataFrame, np.ndarray, np.ndarray, PopulationAccounting]] = []
    for name, group in groups:
        people = gpd.GeoDataFrame(
            {"population": pd.to_numeric(group["population"], errors="coerce")},
            geometry=group.geometry.values,
            crs=crs,
        )
        on_pieces = (
            first
            if first is not None and not found
            else _allocated(_footprints(cache, rows, pieces), people, _piece_order(pieces))[0]
        )
        on_units, acc = _allocated(units.geometry, people, _unit_order(units))
        found.append((name, people, np.asarray(on_pieces, float), on_units, acc))
    for raster in rasters:
        on_pieces = np.asarray(
            first
            if first is not None and not found
            else allocate_population(_footprints(cache, rows, pieces), raster).to_numpy(float),
            float,
        )
        on_units, acc = allocate_population(units.geometry, raster, return_accounting=True)
        targets = _footprints(cache, rows, pieces)
        people = gpd.GeoDataFrame({"population": on_pieces}, geometry=targets.values, crs=crs)
        found.append((raster.source, people, on_pieces, on_units.to_numpy(float), acc))
    total = units["total"].to_numpy(dtype=float)
    if np.isfinite(total).any():
        people = gpd.GeoDataFrame(
            {"population": np.nan_to_num(total)}, geometry=units.geometry.values, crs=crs
        )
        own = float(np.nansum(total))
        acc = PopulationAccounting(own, own, 0.0, "areas")
        found.append(("areas", people, pieces["population"].to_numpy(float), total, acc))
    out: list[Estimate] = []
    used: set[str] = set()
    for k, (name, people, on_pieces, on_units, acc) in enumerate(found):
        column = "population" if k == 0 else _column(name, used)
        used.add(column)
        out.append(
            Estimate(name, column, people, on_pieces, on_units, acc, keys.estimate(name, rows))
        )
    return out


def _piece_order(pieces: gpd.GeoDataFrame) -> np.ndarray:
    """Pieces by area id, then pocket id (as text): an order the rows' order does not set."""
    columns = [c for c in ("pocket_id", "area_id") if c in pieces]
    if not columns:
        return np.arange(len(pieces))
    return np.lexsort([pieces[c].astype(str).to_numpy() for c in columns])


def _unit_order(units: gpd.GeoDataFrame) -> np.ndarray:
    """Reporting units by id (as text)."""
    return np.argsort(units["area_id"].astype(str).to_numpy(), kind="stable")


def _allocated(
    targets: gpd.GeoSeries, people: gpd.GeoDataFrame, order: np.ndarray
) -> tuple[np.ndarray, PopulationAccounting]:
    """People per target and the accounting, point people given to targets taken in ``order``.

    A point on a boundary shared by targets (or inside overlapping ones) goes to the
    first of them that :func:`allocate_population` sees: taking them in an order set by
    their ids makes the answer the same whatever the order of the scenario's rows. The
    values come back in the targets' own order.
    """
    series, acc = allocate_population(targets.iloc[order], people, return_accounting=True)
    values = np.empty(len(order))
    values[order] = series.to_numpy(dtype=float)
    return values, acc


def footprints(pieces: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The ground whose people each piece holds: its footprint (residue included).

    The people of a piece's residue belong to it (see
    :func:`geoaccess.engine.pieces.cut_areas`, which leaves a footprint with residue as a
    collection of its pieces): the collections are dissolved here, where they are used.
    """
    if "footprint" not in pieces:
        geometry = pieces.geometry.to_numpy(dtype=object)
        return gpd.GeoSeries(geometry, index=pieces.index, crs=pieces.crs)
    geoms = pieces["footprint"].to_numpy(dtype=object).copy()
    collection = shapely.get_type_id(geoms) == shapely.GeometryType.GEOMETRYCOLLECTION
    for i in np.flatnonzero(collection):
        geoms[i] = shapely.union_all(geoms[i])
    return gpd.GeoSeries(geoms, index=pieces.index, crs=pieces.crs)


def _footprints(cache: Cache, rows: keys.DayRows, pieces: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """:func:`footprints`, dissolved once per call for the rows that made the pieces."""
    return cache.get(keys.footprints(rows), lambda: footprints(pieces))


def _layer_groups(layer: gpd.GeoDataFrame | None) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The estimates of a ``population`` layer: one per ``source`` (or the whole layer)."""
    if layer is None or not len(layer):
        return []
    if "source" not in layer:
        return [("population layer", layer)]
    sources = layer["source"].astype(object)
    return [(str(s), layer[(sources == s).to_numpy()]) for s in pd.unique(sources) if pd.notna(s)]


def primary_people(
    ctx: Context, cache: Cache, rows: keys.DayRows, pieces: gpd.GeoDataFrame
) -> np.ndarray | None:
    """People of the primary estimate per area piece; ``None`` when it is the areas' own.

    The primary estimate is the first source of the ``population`` layer, else the first
    raster (see :func:`estimates`). This is what chooses each area's dominant piece, on
    every date (light evaluations and the backward walk included): it is one allocation
    of the primary estimate to the pieces, memoised in the call's cache by the rows that
    made the pieces and the population rows valid, then reused by the full assessment's
    :func:`estimates`. Scenarios whose only population is the areas' own column do no
    population work here.
    """
    groups = _layer_groups(ctx.layer_at("population", rows.population))
    rasters = ctx.scenario.population_rasters
    if not groups and not rasters:
        return None

    def build() -> np.ndarray:
        targets = _footprints(cache, rows, pieces)
        if groups:
            group = groups[0][1]
            people = gpd.GeoDataFrame(
                {"population": pd.to_numeric(group["population"], errors="coerce")},
                geometry=group.geometry.values,
                crs=pieces.crs,
            )
            return _allocated(targets, people, _piece_order(pieces))[0]
        return np.asarray(allocate_population(targets, rasters[0]), dtype=float)

    return np.asarray(cache.get(keys.primary_people(rows), build), dtype=float)


def pocket_population(
    pockets: gpd.GeoDataFrame, pieces: pd.DataFrame, found: list[Estimate]
) -> gpd.GeoDataFrame:
    """The pockets with the people of every estimate (a copy).

    A pocket holds the people of the area pieces on it (residue included, see
    :func:`estimates`), so the estimates' own rules and accounting carry over: for each
    estimate, the pockets' people plus the areas' ``population_no_data`` (people of the
    areas on no side's ground) sum to its assigned total. People outside every area are
    in the estimate's ``outside`` total, not in a pocket. Without an areas layer the
    pockets are the reporting units and hold everyone assigned. ``population`` is the
    primary estimate (``NaN`` without any), ``population_<source>`` the others.
    """
    out = pockets.copy()
    ids = pd.Index(out["pocket_id"].to_numpy(dtype=object))
    if not found:
        out["population"] = np.nan
    for est in found:
        people = pd.Series(est.pieces, dtype=float)
        summed = people.groupby(pieces["pocket_id"].to_numpy(dtype=object)).sum(min_count=1)
        values = summed.reindex(ids).to_numpy(float)
        # a pocket no area piece lies on holds none of the estimate's people
        out[est.column] = np.where(ids.isin(summed.index), values, 0.0)
    return out


def _column(name: str, used: set[str]) -> str:
    slug = re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")[:40] or "estimate"
    column, k = f"population_{slug}", 2
    while column in used or column == "population":
        column, k = f"population_{slug}_{k}", k + 1
    return column


def area_population(
    area_ids: np.ndarray,
    pieces: pd.DataFrame,
    piece_people: np.ndarray,
    unit_people: np.ndarray,
) -> pd.DataFrame:
    """An area's people split by the status of its pieces; the rest is ``no_data``.

    Parameters
    ----------
    area_ids : numpy.ndarray
        ``area_id`` of each reporting unit.
    pieces : DataFrame
        Area pieces with ``area_id`` and ``status``.
    piece_people, unit_people : numpy.ndarray
        People per piece and per reporting unit (``NaN``: unknown).

    Returns
    -------
    DataFrame
        ``population_<status>`` for every status (``population_no_data``: the people of
        the area on ground no side holds) and ``population``, aligned with ``area_ids``.
    """
    total = np.asarray(unit_people, dtype=float)
    people = np.asarray(piece_people, dtype=float)
    # people summed per (area, status) in a matrix: area ids are unique per unit
    row = pd.Index(area_ids, dtype=object).get_indexer(pieces["area_id"].to_numpy(dtype=object))
    col = pd.Index(HELD_STATUSES, dtype=object).get_indexer(pieces["status"].to_numpy(dtype=object))
    counted = (row >= 0) & (col >= 0) & ~np.isnan(people)
    split = np.zeros((len(total), len(HELD_STATUSES)))
    np.add.at(split, (row[counted], col[counted]), people[counted])
    out = {
        f"population_{s}": np.where(np.isnan(total), np.nan, split[:, k])
        for k, s in enumerate(HELD_STATUSES)
    }
    rest = total - split.sum(axis=1)
    out[f"population_{NO_DATA}"] = np.where(
        np.abs(rest) < 1e-6 * np.abs(total), 0.0, np.clip(rest, 0.0, None)
    )
    out["population"] = total
    return pd.DataFrame(out, index=pd.RangeIndex(len(total)))


def with_population(
    areas: gpd.GeoDataFrame, pieces: pd.DataFrame, found: list[Estimate]
) -> gpd.GeoDataFrame:
    """The areas with their ``population*`` columns from the primary estimate.

    Returns ``areas`` itself when the primary estimate is the areas' own population
    (already split by area share) or when there is none; a copy otherwise.
    """
    if not found or found[0].name == "areas":
        return areas
    split = area_population(
        areas["area_id"].to_numpy(dtype=object), pieces, found[0].pieces, found[0].units
    )
    out = areas.copy()
    for column in split.columns:
        out[column] = split[column].to_numpy()
    return out
