"""The pipeline behind :func:`geoaccess.assess`: status of every area on one date.

Steps (all geometry in the scenario's metric CRS, projected once per assessment):

1. territories, pockets and front lines of every side (:func:`~geoaccess.territory.ground_at`);
2. corridors and their entrance pockets (:mod:`geoaccess.corridors`);
3. every area intersected with every side's pockets; each piece gets evidence and a status
   from its side's perspective (:mod:`geoaccess.access`); without an areas layer the
   pockets are the reporting units (``area_id`` = ``pocket_id``). Slivers left where an
   area's outline crosses a zone boundary (gone when eroded by ``snap_m / 2``, or under
   ``snap_m**2``) are digitising residue, not pieces: their people go to the area's main
   piece (:func:`~geoaccess.pieces._pieces`);
4. each area reports the piece holding most of its population and its population split
   by status. "Most population" is the primary estimate's (:mod:`geoaccess.exposure`):
   the first source of the ``population`` layer, else the first raster, allocated to
   the pieces' footprints (:func:`~geoaccess.exposure.primary_pieces`); without either,
   the area-weighted share of the area's own ``population``; by area when the area has
   no people (or ties). The same rule on every date, light evaluations and the backward
   walk included, so ``assess`` and ``timeline`` agree; pockets get the people of the
   pieces on them (:func:`~geoaccess.exposure.pocket_population`);
   an area no side holds at all is reported ``accessible`` with ``side`` empty;
5. ``status_since`` by walking back over earlier change dates (statuses only,
   :mod:`geoaccess.history`) until the status differs; when the walk reaches the
   scenario's first date the status has held *since at least* that date, which is
   reported. The same walk gives the first day of an encirclement (Siege Watch's
   ``encircled_days``).

Within one call, everything geometric is memoised by the rows valid on a date (zones,
siege lines, roads, areas; :attr:`Projected.memo`), so dates that differ only by
corridors or facilities share territories, side views, pieces and evidence.

This module runs the steps and assembles the result; the pieces and their evidence
are :mod:`geoaccess.pieces`, the backward walk :mod:`geoaccess.history`, the result
frames :mod:`geoaccess.result_frames`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from . import exposure
from .access import road_graph
from .corridors import aid_pockets, corridor_table, open_entrances
from .history import final_status, history, unit_states
from .network import RoadGraph
from .pieces import EVIDENCE, _pieces, _units, _with_base_status, _with_evidence
from .reach import corridor_reach
from .result_frames import _areas_frame, _facilities, _lifelines, _population_table, to_wgs84
from .results import Assessment
from .rules import AccessStatus, Rules
from .scenario import Scenario
from .temporal import DateLike, as_date
from .territory import Ground, Projected, ground_at, project_scenario

__all__ = ["assess"]

log = logging.getLogger(__name__)

POCKET_COLUMNS = [
    "pocket_id",
    "side",
    "parties",
    "area_km2",
    *EVIDENCE,
    "status",
    "reason",
    "geometry",
]


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything evaluated on one date, before the backward walk (metric CRS)."""

    ground: Ground
    full: bool
    pockets: gpd.GeoDataFrame
    pieces: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    corridors: gpd.GeoDataFrame
    graph: RoadGraph | None
    key: tuple[object, ...] = ()


def assess(scn: Scenario, date: DateLike, rules: Rules | None = None) -> Assessment:
    """Access status of every area (or pocket) on one date, with its evidence.

    Parameters
    ----------
    scn : Scenario
        The scenario (not modified).
    date : date-like
        The day assessed.
    rules : Rules, optional
        Defaults to the scenario's own rules.

    Returns
    -------
    Assessment
        Frames in EPSG:4326: ``areas`` (``status``, ``status_since``, ``reason``, the
        evidence and the population split by status), ``pockets``, ``front_lines``,
        ``corridors``, ``facilities``, ``lifelines`` and the ``population`` table.

    Examples
    --------
    >>> import geoaccess as ga
    >>> res = ga.assess(ga.datasets.aleppo_2016(), "2016-07-20")  # doctest: +SKIP
    >>> res.areas[["area_id", "status"]].head()  # doctest: +SKIP
    """
    rules = rules if rules is not None else scn.rules
    day = as_date(date)
    proj = project_scenario(scn, rules)
    snap = evaluate(proj, day, full=True)
    since = history(proj, day, snap.units)
    return build_assessment(snap, since)


def evaluate(proj: Projected, day: dt.date, *, full: bool, pockets: bool = True) -> Snapshot:
    """Evidence and base status (Siege Watch's day count not yet applied) on ``day``.

    ``full=False`` is the light path used by the backward walk and the timeline: it skips
    route clearance, perimeter shares and lifelines. ``pockets=False`` (the backward
    walk) also skips the pockets' own evidence when areas are the reporting units.
    """
    ground = ground_at(proj, day)
    areas = proj.layer_at("areas", day)
    corridors = corridor_table(ground, areas=areas)
    entrances = open_entrances(corridors)
    aid = aid_pockets(corridors)
    graph = road_graph(proj, day)
    pocket_frame = ground.pockets.copy()
    # the same zones, siege lines, roads and areas give the same pieces and evidence
    same = (ground.key, *(proj.rows_at(name, day) for name in ("siege_lines", "roads", "areas")))
    pieces: gpd.GeoDataFrame | None = None
    if areas is not None:
        cached = proj.memo.get(("pieces", *same))
        if not isinstance(cached, gpd.GeoDataFrame):
            cached = _pieces(areas, pocket_frame, proj.rules.snap_m)
            proj.memo[("pieces", *same)] = cached
        pieces = cached
    if pieces is None or pockets:
        pocket_frame = _with_evidence(
            ground,
            pocket_frame,
            entrances=entrances,
            aid=aid,
            graph=graph,
            full=full,
            key=("pockets", full, *same),
        )
    pocket_frame = _with_base_status(pocket_frame, proj.rules)
    if pieces is None:
        pieces = pocket_frame.assign(
            area_id=pocket_frame["pocket_id"], population=np.nan, share=1.0
        )
    else:
        pieces = _with_base_status(
            _with_evidence(
                ground,
                pieces,
                entrances=entrances,
                aid=aid,
                graph=graph,
                full=full,
                key=("evidence", full, *same),
            ),
            proj.rules,
        )
    weights = None if areas is None else exposure.primary_pieces(proj, day, pieces, same)
    units = _units(areas, pieces, pocket_frame, weights)
    return Snapshot(ground, full, pocket_frame, pieces, units, corridors, graph, same)


def build_assessment(snap: Snapshot, since: pd.DataFrame) -> Assessment:
    """Assemble the result frames of one date (EPSG:4326)."""
    proj, day = snap.ground.projected, snap.ground.date
    rules = proj.rules
    units, pieces = snap.units, snap.pieces.copy()
    since = since.reindex(units["area_id"].to_numpy())
    area_rows = []
    for unit, (base_since, enc_since) in zip(
        units.itertuples(index=False),
        since[["base_since", "encircled_since"]].itertuples(index=False),
        strict=True,
    ):
        if unit.piece < 0:
            area_rows.append(
                (
                    AccessStatus.ACCESSIBLE.value,
                    f"No side holds this area on {day.isoformat()}.",
                    base_since,
                )
            )
            continue
        status, reason, first = final_status(
            pieces.loc[unit.piece], rules, day, base_since, enc_since
        )
        area_rows.append((status.value, reason, first))
    enc_by_pocket = _pocket_encircled_since(units, pieces, since)
    dominant = dict(zip(units["piece"], since["encircled_since"], strict=True))
    piece_status = [
        final_status(row, rules, day, day, dominant.get(i, enc_by_pocket.get(row.pocket_id)))[:2]
        for i, row in zip(pieces.index, pieces.itertuples(index=False), strict=True)
    ]
    pieces["status"] = pd.Series(
        [s.value for s, _ in piece_status], index=pieces.index, dtype=object
    )
    pockets = _with_pocket_status(snap.pockets, rules, day, enc_by_pocket)
    areas = _areas_frame(units, pieces, pockets, area_rows, since)
    # population (full assessments only): estimates, primary one in the areas' columns
    found = exposure.estimates(proj, day, units, pieces, key=snap.key) if snap.full else []
    areas = exposure.with_population(areas, pieces, found)
    if snap.full:
        pockets = exposure.pocket_population(pockets[POCKET_COLUMNS], pieces, found)
    else:
        pockets = pockets[POCKET_COLUMNS]
    return Assessment(
        scenario=proj.scenario.at(day),
        date=day,
        rules=rules,
        metric_crs=proj.crs,
        areas=to_wgs84(areas),
        pockets=to_wgs84(pockets),
        front_lines=to_wgs84(snap.ground.front),
        corridors=to_wgs84(
            corridor_reach(
                snap.corridors, snap.ground, found[0] if found else None, snap.graph
            ).drop(columns="entrance")
        ),
        facilities=_facilities(snap, pieces, found),
        lifelines=_lifelines(snap, units, pieces),
        population=_population_table(snap, areas, pieces, found),
        siege_lines=proj.scenario.at(day).siege_lines,
        details={
            "full": snap.full,
            "population_source": found[0].name if found else None,
            "population_estimates": [e.name for e in found],
            "status_since_at_least": dict(zip(since.index, since["at_least"], strict=True)),
        },
    )


def _with_pocket_status(
    pockets: gpd.GeoDataFrame, rules: Rules, day: dt.date, enc_by_pocket: dict[str, dt.date]
) -> gpd.GeoDataFrame:
    """Pockets with their final ``status`` and ``reason`` (a copy)."""
    pockets = pockets.copy()
    decided = [
        final_status(row, rules, day, day, enc_by_pocket.get(row.pocket_id))[:2]
        for row in pockets.itertuples(index=False)
    ]
    pockets["status"] = [s.value for s, _ in decided]
    pockets["reason"] = [r for _, r in decided]
    return pockets


def assess_pockets(scn: Scenario, date: DateLike, rules: Rules | None = None) -> gpd.GeoDataFrame:
    """The ``pockets`` frame of :func:`assess`, computed without the areas' assessment.

    Pockets get their full evidence; areas only serve to date encirclements (a pocket's
    reason names the earliest encirclement of the areas it dominates), walking back over
    encirclements alone.
    """
    rules = rules if rules is not None else scn.rules
    day = as_date(date)
    proj = project_scenario(scn, rules)
    ground = ground_at(proj, day)
    corridors = corridor_table(ground, areas=proj.layer_at("areas", day))
    pockets = _with_evidence(
        ground,
        ground.pockets.copy(),
        entrances=open_entrances(corridors),
        aid=aid_pockets(corridors),
        graph=road_graph(proj, day),
        full=True,
    )
    pockets = _with_base_status(pockets, rules)
    enc_by_pocket: dict[str, dt.date] = {}
    if pockets["encircled"].astype(bool).any():
        units = unit_states(proj, day, encircled_only=True).rename_axis("area_id")
        since = history(proj, day, units.reset_index(), encircled_only=True)
        for pid, first in zip(units["pocket_id"], since["encircled_since"], strict=True):
            if first is not None and (pid not in enc_by_pocket or first < enc_by_pocket[pid]):
                enc_by_pocket[pid] = first
    return to_wgs84(_with_pocket_status(pockets, rules, day, enc_by_pocket)[POCKET_COLUMNS])


def _pocket_encircled_since(
    units: pd.DataFrame, pieces: pd.DataFrame, since: pd.DataFrame
) -> dict[str, dt.date]:
    """Earliest encirclement start of the areas each pocket dominates."""
    has = units["piece"].to_numpy() >= 0
    pocket = pieces.loc[units["piece"].to_numpy()[has], "pocket_id"].to_numpy(dtype=object)
    start = since["encircled_since"].to_numpy(dtype=object)[has]
    out: dict[str, dt.date] = {}
    for pid, first in zip(pocket, start, strict=True):
        if first is not None and (pid not in out or first < out[pid]):
            out[pid] = first
    return out
