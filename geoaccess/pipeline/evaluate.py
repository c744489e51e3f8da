"""One evaluation of one date: territories, corridors, pieces, evidence and base statuses.

Steps (all geometry in the scenario's metric CRS, projected once per call):

1. territories, pockets and front lines of every side
   (:func:`~geoaccess.engine.territory.ground_at`);
2. corridors and the pockets their entrances serve (:mod:`geoaccess.engine.corridors`);
3. every area intersected with every side's pockets; each piece gets its evidence from
   its side's perspective (:mod:`geoaccess.engine.evidence`) and its base status from
   the one decision (:mod:`geoaccess.engine.status`); without an areas layer the pockets
   are the reporting units (``area_id`` = ``pocket_id``). Slivers left where an area's
   outline crosses a zone boundary are digitising residue, not pieces
   (:func:`~geoaccess.engine.pieces.cut_areas`);
4. each reporting unit is represented by the piece holding most of its population: the
   primary estimate's (:func:`~geoaccess.population.estimates.primary_people`), else the
   area-weighted share of the area's own ``population``, else by area.

One evaluation serves every purpose, at the depth it needs (:data:`~geoaccess.engine.
evidence.Detail`): ``"full"`` for :func:`geoaccess.assess`, ``"light"`` for the dates of a
timeline, ``"status"`` and ``"encircled"`` for the backward walk of ``status_since``. The
statuses are the same at every depth. Within one call, everything is memoised in the
call's :class:`~geoaccess.engine.cache.Cache` by the rows valid on a date, so dates that
differ only by corridors (or facilities) share territories, side views, pieces and
evidence.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..engine import keys
from ..engine.cache import Cache
from ..engine.context import Context, project_scenario
from ..engine.corridors import COLUMNS as CORRIDOR_COLUMNS
from ..engine.corridors import aid_pockets, aid_pockets_at, corridor_table, open_entrances
from ..engine.evidence import (
    DETAILS,
    Detail,
    with_ground_evidence,
    with_status,
)
from ..engine.pieces import cut_areas, reporting_units, with_unit_status
from ..engine.roads import RoadGraph, road_graph_at
from ..engine.territory import Ground, ground_at
from ..io import coastline
from ..population.estimates import primary_people
from ..rules import Rules
from ..scenario.model import Scenario

__all__ = ["Grounded", "Snapshot", "context_for", "evaluate", "grounded"]


def context_for(
    scn: Scenario,
    rules: Rules,
    *,
    threads: int = 1,
    period: tuple[dt.date | None, dt.date | None] = (None, None),
) -> Context:
    """The scenario projected for one call, with the sea when the rules want it.

    ``Rules(sea="impassable")`` (the default) reads the sea within the frame from the
    coastline geoaccess ships (:func:`geoaccess.io.coastline.sea_within`): a packaged
    file, no network. ``threads`` and ``period`` (the days the call evaluates: only the
    rows valid on them are projected): see
    :func:`~geoaccess.engine.context.project_scenario`.
    """
    sea = coastline.sea_within(scn.frame) if rules.sea == "impassable" else None
    return project_scenario(scn, rules, sea=sea, threads=threads, period=period)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything evaluated on one date (metric CRS): results only, no context, no cache.

    Attributes
    ----------
    ground : Ground
        Territories, pockets and front lines.
    detail : str
        The depth of the evaluation.
    pockets : GeoDataFrame
        Pockets with their evidence and base status (bare pockets at the ``"status"``
        and ``"encircled"`` depths when areas are the reporting units).
    pieces : GeoDataFrame
        Pieces of areas (or the pockets) with their evidence and base status.
    units : GeoDataFrame
        Reporting units with their dominant piece and base status.
    corridors : GeoDataFrame
        The corridor table (empty at the ``"status"`` and ``"encircled"`` depths).
    graph : RoadGraph or None
        The roads of the date.
    """

    ground: Ground
    detail: Detail
    pockets: gpd.GeoDataFrame
    pieces: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    corridors: gpd.GeoDataFrame
    graph: RoadGraph | None

    @property
    def date(self) -> dt.date:
        """The day evaluated."""
        return self.ground.date

    @property
    def rows(self) -> keys.DayRows:
        """The rows valid on the date."""
        return self.ground.rows


def evaluate(
    ctx: Context,
    cache: Cache,
    day: dt.date,
    *,
    detail: Detail,
    area_ids: Collection[object] | None = None,
) -> Snapshot:
    """Evidence and base status (Siege Watch's day count not yet applied) on ``day``.

    Parameters
    ----------
    ctx : Context
        The projected scenario and the rules.
    cache : Cache
        The call's cache.
    day : datetime.date
        The day.
    detail : {"encircled", "status", "light", "full"}
        How deep to evaluate (see :mod:`geoaccess.engine.evidence`).
    area_ids : collection, optional
        Evaluate the pieces and units of these areas only (``None``: every area valid
        on the day); ignored without an areas layer (the pockets are the units). An
        area's pieces, evidence and base status are its own, the same as in a whole
        evaluation, unless a population layer or raster picks the dominant pieces (it
        is allocated to all pieces at once) or, at the ``"light"`` and ``"full"``
        depths, an open corridor's entrance near pieces of two areas is counted for
        the first (:func:`~geoaccess.engine.evidence.corridor_evidence`). The walk back
        of :func:`~geoaccess.pipeline.history.history` uses it.

    Returns
    -------
    Snapshot
    """
    rules = ctx.rules
    ground = ground_at(ctx, cache, day)
    if area_ids is not None:
        ground = _of_areas(ctx, ground, area_ids)
    base = grounded(ctx, cache, ground, detail)
    if detail in ("light", "full") and ground.rows.corridors:
        corridors = corridor_table(ctx, ground, areas=ctx.layer_at("areas", ground.rows.areas))
        entrances, aid = open_entrances(corridors), aid_pockets(corridors)
    else:  # no corridor on the date, or a shallow depth: the call's one empty table
        corridors, entrances = cache.get(keys.no_corridors(), lambda: _no_corridors(ctx))
        # what decides a status: the pockets open aid corridors serve
        aid = aid_pockets_at(ctx, ground) if detail == "status" else set()
    pockets = base.pockets
    if base.pieces is None or base.pockets_evidence:
        pockets = with_status(pockets, rules, detail=detail, entrances=entrances, aid_pockets=aid)
    if base.pieces is None:
        pieces = pockets.assign(area_id=pockets["pocket_id"], population=np.nan, share=1.0)
    else:
        pieces = with_status(
            base.pieces, rules, detail=detail, entrances=entrances, aid_pockets=aid
        )
    units = with_unit_status(base.units, pieces, rules=rules, decided=detail != "encircled")
    return Snapshot(ground, detail, pockets, pieces, units, corridors, base.graph)


def _of_areas(ctx: Context, ground: Ground, area_ids: Collection[object]) -> Ground:
    """The ground with the rows of these areas only (its territories are the same).

    The pieces, their evidence and the units are built from, and memoised by, the rows.
    """
    rows = ground.rows
    if not rows.areas:
        return ground
    ids = ctx.layers["areas"]["area_id"].to_numpy(dtype=object)
    wanted = set(area_ids)
    kept = tuple(p for p in rows.areas if ids[p] in wanted)
    return dataclasses.replace(ground, rows=dataclasses.replace(rows, areas=kept))


@dataclass(frozen=True, eq=False)
class Grounded:
    """The part of an evaluation that does not depend on corridors (memoised).

    Attributes
    ----------
    pockets : GeoDataFrame
        Pockets, with their corridor-free evidence where it was computed.
    pockets_evidence : bool
        Whether it was (always without areas, else at the ``"light"`` and ``"full"``
        depths only).
    pieces : GeoDataFrame or None
        Pieces of areas with their corridor-free evidence (``None``: no areas).
    units : GeoDataFrame
        Reporting units with their dominant piece.
    graph : RoadGraph or None
        The roads of the date.
    """

    pockets: gpd.GeoDataFrame
    pockets_evidence: bool
    pieces: gpd.GeoDataFrame | None
    units: gpd.GeoDataFrame
    graph: RoadGraph | None


def grounded(ctx: Context, cache: Cache, ground: Ground, detail: Detail) -> Grounded:
    """The corridor-free part of the evaluation of a date at ``detail`` (memoised).

    Dates with the same zones, siege lines, roads, areas and population rows share it;
    one evaluated at a greater depth serves a shallower one (it holds the same values
    where the shallower depth computes them).
    """
    rows = ground.rows
    for deeper in DETAILS[DETAILS.index(detail) + 1 :]:
        found = cache.find(keys.grounded(rows, deeper))
        if found is not None:
            return found  # type: ignore[no-any-return]
    return cache.get(keys.grounded(rows, detail), lambda: _grounded(ctx, cache, ground, detail))


def _grounded(ctx: Context, cache: Cache, ground: Ground, detail: Detail) -> Grounded:
    rules, rows = ctx.rules, ground.rows
    areas = ctx.layer_at("areas", rows.areas)
    graph = road_graph_at(ctx, cache, rows) if detail != "encircled" else None
    pockets = ground.pockets
    pieces: gpd.GeoDataFrame | None = None
    if areas is not None:
        pieces = cache.get(
            keys.pieces(rows), lambda: cut_areas(areas, ground.pockets, rules.snap_m)
        )
    pockets_evidence = pieces is None or detail in ("light", "full")
    if pockets_evidence:
        pockets = with_ground_evidence(ctx, cache, ground, pockets, graph=graph, detail=detail)
    if pieces is None:
        bare = pockets.assign(area_id=pockets["pocket_id"], population=np.nan, share=1.0)
        units = reporting_units(None, bare, pockets)
    else:
        pieces = with_ground_evidence(ctx, cache, ground, pieces, graph=graph, detail=detail)
        weights = primary_people(ctx, cache, rows, pieces)
        units = reporting_units(areas, pieces, pockets, weights)
    return Grounded(pockets, pockets_evidence, pieces, units, graph)


def _no_corridors(ctx: Context) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """An empty corridor table and its (empty) open entrances."""
    table = gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in [*CORRIDOR_COLUMNS, "entrance"]},
        geometry=gpd.GeoSeries([], crs=ctx.crs),
    )
    return table, open_entrances(table)
