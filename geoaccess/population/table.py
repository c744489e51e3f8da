"""The population table: people by status, distance band and corridor reach.

- **Distance bands** (:func:`~geoaccess.population.population_within`): people by
  straight-line distance to the derived front lines, over every located person of the
  estimate (raster estimates: the people allocated to area pieces).
- Corridor reach rows count the people within reach of any open corridor entrance
  (:mod:`.reach`), and the accounting rows each estimate's input, assigned and outside
  totals.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..engine.cache import Cache
from ..engine.context import Context
from ..engine.roads import RoadGraph
from ..engine.territory import Ground
from ..rules import STATUSES
from .allocate import allocate_population, population_within
from .estimates import Estimate, area_population
from .people import CELL_M, located
from .reach import reach_region, reached

__all__ = ["population_table", "status_table"]


def status_table(areas: pd.DataFrame, pieces: pd.DataFrame, found: list[Estimate]) -> pd.DataFrame:
    """People by status and the accounting, without distance bands or corridor reach.

    What a timeline's light assessments carry: the ``status`` and ``total`` rows of
    :func:`population_table`, with the same values, one column of people per estimate.

    Parameters
    ----------
    areas : DataFrame
        Reporting units with their final ``status`` (and, when they have them, the
        ``population_<status>`` columns of the primary estimate, which are used).
    pieces : DataFrame
        Area pieces with ``area_id`` and ``status``.
    found : list of Estimate
        The estimates of the date, the primary one first.

    Returns
    -------
    DataFrame
        ``category``, ``label``, ``areas`` and one column per estimate.
    """
    status = areas["status"].to_numpy(dtype=object)
    totals = ("input", "assigned", "outside")
    counts = [int((status == s).sum()) for s in STATUSES]
    # built in one step (a column set at a time costs more than the sums themselves)
    columns: dict[str, object] = {
        "category": ["status"] * len(STATUSES) + ["total"] * len(totals),
        "label": [*STATUSES, *totals],
        "areas": pd.array([*counts, *[None] * len(totals)], dtype="Int64"),
    }
    by_status = [f"population_{s}" for s in STATUSES]
    for k, est in enumerate(found):
        if k == 0 and set(by_status) <= set(areas.columns):
            split = areas  # the primary estimate's split: the areas' own columns
        else:
            split = area_population(
                areas["area_id"].to_numpy(dtype=object), pieces, est.pieces, est.units
            )
        acc = est.accounting
        people = [float(np.nansum(split[column].to_numpy(dtype=float))) for column in by_status]
        columns[est.column] = [
            *people,
            acc.input_total,
            acc.assigned_total,
            acc.outside_total,
        ]
    return pd.DataFrame(columns)


def population_table(
    ctx: Context,
    cache: Cache,
    areas: pd.DataFrame,
    pieces: pd.DataFrame,
    found: list[Estimate],
    ground: Ground,
    corridors: gpd.GeoDataFrame,
    graph: RoadGraph | None,
    *,
    cell_m: float = CELL_M,
) -> pd.DataFrame:
    """Population by status, distance band and corridor reach, with the accounting.

    Parameters
    ----------
    ctx : Context
        The projected scenario (``distance_bands_m`` and ``walk_reach_m`` of its rules).
    cache : Cache
        The call's cache.
    areas : DataFrame
        Reporting units with their final ``status`` (aligned with the estimates' units).
    pieces : DataFrame
        Area pieces with ``area_id`` and ``status``.
    found : list of Estimate
        :func:`~geoaccess.population.estimates.estimates`, the primary one first.
    ground : Ground
        Territories and front lines of the date.
    corridors : GeoDataFrame
        Corridor table of the date (metric CRS, with ``entrance``).
    graph : RoadGraph or None
        Roads of the date.
    cell_m : float, default CELL_M
        Grid for turning polygon people into points (network reach).

    Returns
    -------
    DataFrame
        ``category`` (``status``, ``distance_band``, ``corridor_reach``, ``total``),
        ``label``, ``areas`` (status rows) and one column of people per estimate.
        ``input = assigned + outside``; status rows sum to ``assigned``; distance bands
        sum to the located people of the estimate.
    """
    rules = ctx.rules
    status = areas["status"].to_numpy(dtype=object)
    rows: list[tuple[str, str, int | None]] = [
        ("status", s, int((status == s).sum())) for s in STATUSES
    ]
    bands = population_within(
        gpd.GeoDataFrame({"population": []}, geometry=gpd.GeoSeries([], crs=ground.front.crs)),
        ground.front.geometry,
        rules.distance_bands_m,
    )["band"].tolist()
    rows += [("distance_band", b, None) for b in bands]
    open_ = corridors[corridors["status"].astype(object).eq("open").to_numpy(bool)]
    reach_rows: list[tuple[str, str, int | None]] = [
        ("corridor_reach", "within reach of open corridor entrances", None)
    ]
    if graph is not None:
        reach_rows.append(
            ("corridor_reach", "within reach of open corridor entrances by road", None)
        )
    rows += reach_rows
    rows += [("total", t, None) for t in ("input", "assigned", "outside")]
    table = pd.DataFrame(rows, columns=["category", "label", "areas"])
    table["areas"] = table["areas"].astype("Int64")
    regions = [
        reach_region(ctx, cache, ground, side, entrance)
        for entrance, side in zip(
            open_["entrance"].to_numpy(dtype=object),
            open_["entrance_side"].to_numpy(dtype=object),
            strict=True,
        )
    ]
    union = shapely.union_all(regions) if regions else shapely.Polygon()
    for est in found:
        split = area_population(
            areas["area_id"].to_numpy(dtype=object), pieces, est.pieces, est.units
        )
        values = [float(np.nansum(split[f"population_{s}"])) for s in STATUSES]
        values += population_within(est.people, ground.front.geometry, rules.distance_bands_m)[
            "population"
        ].tolist()
        values.append(
            float(
                allocate_population(gpd.GeoSeries([union], crs=est.people.crs), est.people).iloc[0]
                if regions
                else 0.0
            )
        )
        if graph is not None:
            values.append(_network_reach_all(ctx, cache, open_, ground, est, graph, cell_m))
        acc = est.accounting
        values += [acc.input_total, acc.assigned_total, acc.outside_total]
        table[est.column] = values
    return table


def _network_reach_all(
    ctx: Context,
    cache: Cache,
    open_: pd.DataFrame,
    ground: Ground,
    est: Estimate,
    graph: RoadGraph,
    cell_m: float,
) -> float:
    pts, weights = located(cache, est, cell_m)
    hit = np.zeros(len(pts), dtype=bool)
    for entrance, side in zip(
        open_["entrance"].to_numpy(dtype=object),
        open_["entrance_side"].to_numpy(dtype=object),
        strict=True,
    ):
        hit |= reached(ctx, cache, est, ground, graph, entrance, side, cell_m)[1]
    return float(weights[hit].sum())
