"""One date, assessed: :func:`assess`, :func:`pockets` and :func:`front_lines`.

:func:`assess` evaluates the date fully (:func:`~geoaccess.pipeline.evaluate.evaluate`),
dates each status by walking back over earlier change dates
(:func:`~geoaccess.pipeline.history.history`), decides the final statuses (Siege
Watch's day count applied) and assembles the result frames in EPSG:4326: the areas with
their evidence and population split by status, the pockets (with the people of the area
pieces on them), the corridors with the people within reach of their entrances, the
facilities, the lifelines and the population table. "Most population" is the primary
estimate's (:mod:`geoaccess.population.estimates`); an area no side holds is reported
``accessible`` with ``side`` empty.

Every call owns one :class:`~geoaccess.engine.cache.Cache`, made here and dropped on
return.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd

from ..crs import WGS84
from ..engine import keys
from ..engine.cache import Cache
from ..engine.columns import with_columns
from ..engine.context import Context
from ..engine.corridors import aid_pockets, corridor_table, open_entrances
from ..engine.evidence import EVIDENCE, with_ground_evidence, with_status
from ..engine.roads import road_graph_at
from ..engine.status import Wording, statuses
from ..engine.territory import ground_at
from ..population import estimates
from ..population.reach import corridor_reach
from ..rules import Rules
from ..scenario.model import Scenario
from ..temporal import DateLike, as_date
from .evaluate import Snapshot, context_for, evaluate
from .frames import (
    areas_frame,
    facilities_frame,
    geometry_in_wgs84,
    in_wgs84,
    lifelines_frame,
    own_geometry,
    population_frame,
    to_wgs84,
)
from .history import final_decision, first_round_days, history, status_since, wording_at
from .results import Assessment
from .workers import Workers, checked_threads

__all__ = ["assess", "build_assessment", "front_lines", "pockets"]

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


def assess(
    scn: Scenario, date: DateLike, rules: Rules | None = None, *, threads: int = 1
) -> Assessment:
    """Access status of every area (or pocket) on one date, with its evidence.

    Parameters
    ----------
    scn : Scenario
        The scenario (not modified).
    date : date-like
        The day assessed.
    rules : Rules, optional
        Defaults to the scenario's own rules.
    threads : int, default 1
        Threads of this process that evaluate the earlier dates of the ``status_since``
        walk, as many at a time (:mod:`geoaccess.pipeline.workers`), while the calling
        thread computes the day's own evidence. Same result.

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
    threads = checked_threads(threads)
    # the walk back for status_since reads earlier rows only: none valid after the day
    ctx = context_for(scn, rules, threads=threads, period=(None, day))
    cache = Cache()
    if threads == 1:
        snap = evaluate(ctx, cache, day, detail="full")
        since = history(ctx, cache, day, snap.units)
    else:
        snap, since = _walked_beside(ctx, cache, day, threads)
    return build_assessment(ctx, cache, snap, since)


def _walked_beside(
    ctx: Context, cache: Cache, day: dt.date, threads: int
) -> tuple[Snapshot, pd.DataFrame]:
    """The day's full evaluation, and the walk back run beside it on the worker threads.

    The walk's first dates do not depend on the day's statuses: the workers start on
    them at once. The rest of the walk needs those statuses, which come from an
    evaluation at the ``"status"`` depth whose geometry (the territories, the safe
    ground at 0 and at ``fire_control_m``) the full evaluation then reuses from
    ``cache``; it goes on on the workers while this thread computes the rest of the
    day's evidence (route clearances, road flows, perimeters), instead of after it.
    """
    with (
        Workers(ctx, threads) as workers,
        ThreadPoolExecutor(1, thread_name_prefix="geoaccess-walk") as walker,
    ):
        first = walker.submit(workers.evaluate, first_round_days(ctx, day, threads), "status")
        units = evaluate(ctx, cache, day, detail="status").units
        stop = threading.Event()

        def walk_back() -> pd.DataFrame:
            # this thread only follows the runs: every date it asks for is evaluated by
            # the workers, each with its own cache, so the one it is given stays empty
            # (``cache`` never leaves the calling thread)
            return history(
                ctx, Cache(), day, units, workers=workers, first_round=first.result(), stop=stop
            )

        walk = walker.submit(walk_back)
        try:
            snap = evaluate(ctx, cache, day, detail="full")
            return snap, walk.result()
        except BaseException:  # an error or an interrupt: the walk ends after its round
            stop.set()
            raise


def build_assessment(ctx: Context, cache: Cache, snap: Snapshot, since: pd.DataFrame) -> Assessment:
    """Assemble the result frames of one evaluated date (EPSG:4326).

    Parameters
    ----------
    ctx : Context
        The projected scenario and the rules.
    cache : Cache
        The call's cache.
    snap : Snapshot
        A ``"light"`` or ``"full"`` evaluation; population, reach and exposure come
        with full ones only.
    since : DataFrame
        :func:`~geoaccess.pipeline.history.history` of the snapshot's units.

    Returns
    -------
    Assessment
    """
    rules, day = ctx.rules, snap.date
    full = snap.detail == "full"
    units, pieces = snap.units, snap.pieces.copy()
    since = since.reindex(units["area_id"].to_numpy())
    held = units["piece"].to_numpy() >= 0
    enc_since = since["encircled_since"].to_numpy(dtype=object)
    words = wording_at(ctx, day)
    why, reasons = final_decision(
        pieces.reindex(units["piece"].to_numpy()),
        rules=rules,
        day=day,
        encircled_since=enc_since,
        held=held,
        wording=words,
    )
    first = status_since(why, since["base_since"].to_numpy(dtype=object), enc_since, rules)
    known = ~since["at_least"].to_numpy(dtype=bool)
    area_rows = list(zip(statuses(why), reasons, first, known, strict=True))
    enc_by_pocket = _pocket_encircled_since(units, pieces, since)
    dominant = dict(zip(units["piece"].to_numpy()[held], enc_since[held], strict=True))
    piece_enc = np.array(
        [
            dominant.get(i, enc_by_pocket.get(pocket))
            for i, pocket in zip(pieces.index, pieces["pocket_id"], strict=True)
        ],
        dtype=object,
    )
    piece_why, _ = final_decision(pieces, rules=rules, day=day, encircled_since=piece_enc)
    pieces["status"] = pd.Series(statuses(piece_why), index=pieces.index, dtype=object)
    pocket_frame = _with_pocket_status(snap.pockets, rules, day, enc_by_pocket, words)
    own = ctx.scenario.areas
    own_rows = None if own is None else own.iloc[list(snap.rows.areas)]
    areas = areas_frame(units, pieces, pocket_frame, area_rows, own_rows)
    # population: every estimate, the primary one in the areas' columns (light snapshots
    # too, so a timeline counts people by status on every date; reach and exposure are
    # for full assessments only)
    found = cache.get(
        keys.estimates(snap.rows),
        lambda: estimates.estimates(ctx, cache, snap.rows, units, pieces),
    )
    areas = estimates.with_population(areas, pieces, found)
    pocket_frame = pocket_frame[POCKET_COLUMNS]
    if full:
        pocket_frame = estimates.pocket_population(pocket_frame, pieces, found)
    scenario = ctx.scenario.at(day)
    corridors = corridor_reach(
        ctx, cache, snap.corridors, snap.ground, found[0] if found and full else None, snap.graph
    )
    return Assessment(
        scenario=scenario,
        date=day,
        rules=rules,
        metric_crs=ctx.crs,
        areas=in_wgs84(areas, own_geometry(ctx, "areas", snap.rows.areas)),
        pockets=in_wgs84(pocket_frame, _pockets_in_wgs84(cache, snap, pocket_frame)),
        front_lines=in_wgs84(
            snap.ground.front,
            geometry_in_wgs84(cache, keys.in_wgs84("front", snap.rows.ground), snap.ground.front),
        ),
        corridors=in_wgs84(
            corridors.drop(columns="entrance"),
            own_geometry(ctx, "corridors", snap.rows.corridors),
        ),
        facilities=facilities_frame(ctx, cache, snap, pieces, found),
        lifelines=lifelines_frame(cache, snap, units, pieces),
        population=population_frame(ctx, cache, snap, areas, pieces, found),
        siege_lines=scenario.siege_lines,
        details={
            "full": full,
            "population_source": found[0].name if found else None,
            "population_estimates": [e.name for e in found],
            "status_since_at_least": dict(zip(since.index, since["at_least"], strict=True)),
        },
    )


def _pockets_in_wgs84(cache: Cache, snap: Snapshot, pockets: gpd.GeoDataFrame) -> np.ndarray | None:
    """The pockets' geometry in EPSG:4326, reprojected once for dates of the same zones.

    ``None`` (reproject the frame) unless ``pockets`` holds the ground's pockets in order.
    """
    ground = snap.ground.pockets
    same = np.array_equal(
        pockets["pocket_id"].to_numpy(dtype=object), ground["pocket_id"].to_numpy(dtype=object)
    )
    if not same:
        return None
    return geometry_in_wgs84(cache, keys.in_wgs84("pockets", snap.rows.ground), ground)


def _with_pocket_status(
    pockets: gpd.GeoDataFrame,
    rules: Rules,
    day: dt.date,
    enc_by_pocket: dict[str, dt.date],
    wording: Wording,
) -> gpd.GeoDataFrame:
    """Pockets with their final ``status`` and ``reason`` (a new frame)."""
    starts = np.array([enc_by_pocket.get(p) for p in pockets["pocket_id"]], dtype=object)
    why, reasons = final_decision(
        pockets, rules=rules, day=day, encircled_since=starts, wording=wording
    )
    return with_columns(pockets, status=statuses(why), reason=reasons)


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


def pockets(scn: Scenario, date: DateLike, *, rules: Rules | None = None) -> gpd.GeoDataFrame:
    """Pockets of every side with their encirclement evidence and status.

    The pockets get their full evidence; the areas only serve to date encirclements (a
    pocket's reason names the earliest encirclement of the areas it dominates), walking
    back over encirclements alone.

    Parameters
    ----------
    scn : Scenario
        The scenario.
    date : date-like
        The day.
    rules : Rules, optional
        Defaults to the scenario's rules.

    Returns
    -------
    GeoDataFrame
        ``pocket_id``, ``side``, ``parties``, ``area_km2``, ``encircled``,
        ``fire_controlled``, ``hostile_perimeter_share``, ``route_clearance_m``,
        ``open_corridors``, ``open_supply_routes``, ``status``, ``reason``, geometry
        (EPSG:4326).
    """
    rules = rules if rules is not None else scn.rules
    day = as_date(date)
    ctx = context_for(scn, rules, period=(None, day))
    cache = Cache()
    ground = ground_at(ctx, cache, day)
    corridors = corridor_table(ctx, ground, areas=ctx.layer_at("areas", ground.rows.areas))
    graph = road_graph_at(ctx, cache, ground.rows)
    found = with_ground_evidence(ctx, cache, ground, ground.pockets, graph=graph, detail="full")
    found = with_status(
        found,
        rules,
        detail="full",
        entrances=open_entrances(corridors),
        aid_pockets=aid_pockets(corridors),
    )
    enc_by_pocket: dict[str, dt.date] = {}
    if found["encircled"].astype(bool).any():
        snap = evaluate(ctx, cache, day, detail="encircled")
        units = snap.units
        since = history(ctx, cache, day, units, encircled_only=True)
        enc_by_pocket = _pocket_encircled_since(units, snap.pieces, since)
    pockets = _with_pocket_status(found, rules, day, enc_by_pocket, wording_at(ctx, day))
    return to_wgs84(pockets[POCKET_COLUMNS])


def front_lines(scn: Scenario, date: DateLike, *, rules: Rules | None = None) -> gpd.GeoDataFrame:
    """Front lines derived from the zones: where territories of hostile sides meet.

    Parameters
    ----------
    scn : Scenario
        The scenario.
    date : date-like
        The day.
    rules : Rules, optional
        Defaults to the scenario's rules (``snap_m`` sets how close territories meet).

    Returns
    -------
    GeoDataFrame
        ``side_a``, ``side_b``, ``length_m`` (metres, metric CRS) and line geometry,
        in EPSG:4326.

    Examples
    --------
    >>> import geoaccess as ga
    >>> fl = ga.front_lines(ga.datasets.aleppo_2016(), "2016-07-20")  # doctest: +SKIP
    >>> list(fl.columns)  # doctest: +SKIP
    ['side_a', 'side_b', 'length_m', 'geometry']
    """
    rules = rules if rules is not None else scn.rules
    day = as_date(date)
    ctx = context_for(scn, rules, period=(day, day))
    return ground_at(ctx, Cache(), day).front.to_crs(WGS84)
