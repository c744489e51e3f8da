"""The pipeline behind :func:`geoaccess.assess`: status of every area on one date.

Steps (all geometry in the scenario's metric CRS, projected once per assessment):

1. territories, pockets and front lines of every side (:func:`~geoaccess.territory.ground_at`);
2. corridors and their entrance pockets (:mod:`geoaccess.corridors`);
3. every area intersected with every side's pockets; each piece gets evidence and a status
   from its side's perspective (:mod:`geoaccess.access`); without an areas layer the
   pockets are the reporting units (``area_id`` = ``pocket_id``). Slivers left where an
   area's outline crosses a zone boundary (gone when eroded by ``snap_m / 2``, or under
   ``snap_m**2``) are digitising residue, not pieces: their people go to the area's main
   piece (:func:`_pieces`);
4. each area reports the piece holding most of its population and its population split
   by status. "Most population" is the primary estimate's (:mod:`geoaccess.exposure`):
   the first source of the ``population`` layer, else the first raster, allocated to
   the pieces' footprints (:func:`~geoaccess.exposure.primary_pieces`); without either,
   the area-weighted share of the area's own ``population``; by area when the area has
   no people (or ties). The same rule on every date, light evaluations and the backward
   walk included, so ``assess`` and ``timeline`` agree; pockets get the people of the
   pieces on them (:func:`~geoaccess.exposure.pocket_population`);
   an area no side holds at all is reported ``accessible`` with ``side`` empty;
5. ``status_since`` by walking back over earlier change dates (statuses only) until the
   status differs; when the walk reaches the scenario's first date the status has held
   *since at least* that date, which is reported. The same walk gives the first day of
   an encirclement (Siege Watch's ``encircled_days``).

Within one call, everything geometric is memoised by the rows valid on a date (zones,
siege lines, roads, areas; :attr:`Projected.memo`), so dates that differ only by
corridors or facilities share territories, side views, pieces and evidence.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import exposure
from .access import base_statuses, decide_status, piece_evidence, piece_states, road_graph
from .corridors import aid_pockets, aid_pockets_at, corridor_table, open_entrances
from .crs import WGS84
from .results import Assessment
from .rules import AccessStatus, Rules
from .scenario import Scenario
from .temporal import TEMPORAL_COLUMNS, DateLike, as_date
from .territory import Ground, Projected, ground_at, project_scenario, side_view

__all__ = ["assess"]

log = logging.getLogger(__name__)

STATUSES = tuple(s.value for s in AccessStatus)
EVIDENCE = [
    "encircled",
    "fire_controlled",
    "hostile_perimeter_share",
    "route_clearance_m",
    "open_corridors",
    "open_supply_routes",
]

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
    graph: object | None
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


# ---------------------------------------------------------------------- one date
def evaluate(proj: Projected, day: dt.date, *, full: bool, pockets: bool = True) -> Snapshot:
    """Evidence and base status (Siege Watch's day count not yet applied) on ``day``.

    ``full=False`` is the light path used by the backward walk and the timeline: it skips
    route clearance, perimeter shares and lifelines. ``pockets=False`` (the backward
    walk) also skips the pockets' own evidence when areas are the reporting units.
    """
    with_pockets = pockets
    ground = ground_at(proj, day)
    areas = proj.layer_at("areas", day)
    corridors = corridor_table(ground, areas=areas)
    entrances = open_entrances(corridors)
    aid = aid_pockets(corridors)
    graph = road_graph(proj, day)
    pockets = ground.pockets.copy()
    # the same zones, siege lines, roads and areas give the same pieces and evidence
    same = (ground.key, *(proj.rows_at(name, day) for name in ("siege_lines", "roads", "areas")))
    pieces = None
    if areas is not None:
        if ("pieces", *same) not in proj.memo:
            proj.memo[("pieces", *same)] = _pieces(areas, pockets, proj.rules.snap_m)
        pieces = proj.memo[("pieces", *same)]
    found = {"entrances": entrances, "aid": aid, "graph": graph, "full": full}
    if pieces is None or with_pockets:
        pockets = _with_evidence(ground, pockets, **found, key=("pockets", full, *same))  # type: ignore[arg-type]
    pockets = _with_base_status(pockets, proj.rules)
    if pieces is None:
        pieces = pockets.assign(area_id=pockets["pocket_id"], population=np.nan, share=1.0)
    else:
        pieces = _with_base_status(
            _with_evidence(ground, pieces, **found, key=("evidence", full, *same)),  # type: ignore[arg-type]
            proj.rules,
        )
    weights = None if areas is None else exposure.primary_pieces(proj, day, pieces, same)
    units = _units(areas, pieces, pockets, weights)
    return Snapshot(ground, full, pockets, pieces, units, corridors, graph, same)


def _with_evidence(
    ground: Ground,
    frame: gpd.GeoDataFrame,
    *,
    entrances: pd.DataFrame,
    aid: set[str],
    graph: object | None,
    full: bool,
    key: tuple[object, ...] | None = None,
) -> gpd.GeoDataFrame:
    """Pockets or pieces joined with their evidence, each from its side's perspective.

    ``key`` identifies the frame's geometry within the call (see
    :func:`~geoaccess.access.piece_evidence`).
    """
    found = []
    sides = frame["side"].to_numpy(dtype=object)
    for side in ground.sides:
        rows = frame.index[sides == side]
        if not len(rows):
            continue
        view = side_view(ground, side)
        ev = piece_evidence(
            view,
            frame.geometry.loc[rows].to_numpy(dtype=object),
            entrances=entrances,
            aid_pockets=aid,
            pocket_ids=frame.loc[rows, "pocket_id"].to_numpy(),
            graph=graph,
            full=full,
            key=None if key is None else (*key, side),
        )
        ev.index = rows
        ev["hostile_sides"] = pd.Series([view.hostile_sides] * len(rows), index=rows, dtype=object)
        found.append(ev)
    return _joined(frame, found)


def _joined(frame: gpd.GeoDataFrame, evidence: list[pd.DataFrame]) -> gpd.GeoDataFrame:
    return frame.join(pd.concat(evidence)) if evidence else frame


def _pieces(areas: gpd.GeoDataFrame, pockets: gpd.GeoDataFrame, snap_m: float) -> gpd.GeoDataFrame:
    """Every area cut by every pocket, with its population share.

    Digitising residue is not a piece: where an area's outline crosses a zone boundary,
    the intersection leaves slivers thinner than the barrier buffer. A piece that
    vanishes when eroded by ``snap_m / 2``, or smaller than ``snap_m**2`` in area, gets
    no status of its own: its share and population go to the area's main piece (the
    largest by population, else by area, among its other pieces), so the area's
    population is conserved. ``footprint`` is the main piece with its residue: the
    ground whose people the piece holds (``geometry`` stays the piece itself, for the
    evidence). An area made only of residue keeps its main piece.
    """
    tree = shapely.STRtree(pockets.geometry.values)
    ai, pi = tree.query(areas.geometry.values, predicate="intersects")
    geoms = shapely.intersection(areas.geometry.values[ai], pockets.geometry.values[pi])
    area = shapely.area(geoms)
    keep = area > 0
    ai, pi, geoms, area = ai[keep], pi[keep], geoms[keep], area[keep]
    share = area / shapely.area(areas.geometry.values[ai])
    population = _piece_population(areas, ai, share)
    footprint = geoms.copy()
    residue = (area < snap_m**2) | shapely.is_empty(
        shapely.buffer(geoms, -snap_m / 2.0, quad_segs=2)
    )
    if residue.any():
        # main piece of each area: not residue first, then most population, then area
        weight = np.nan_to_num(population) + share * 1e-9
        order = np.lexsort((-weight, residue, ai))
        first = order[np.r_[True, ai[order][1:] != ai[order][:-1]]]
        main_of = np.empty(int(ai.max()) + 1, dtype=np.int64)
        main_of[ai[first]] = first
        main = main_of[ai]
        fold = residue & (main != np.arange(len(ai)))
        np.add.at(share, main[fold], share[fold])
        np.add.at(population, main[fold], population[fold])
        for m in np.unique(main[fold]):
            footprint[m] = shapely.union_all([geoms[m], *geoms[fold & (main == m)]])
        ai, pi, geoms, share = ai[~fold], pi[~fold], geoms[~fold], share[~fold]
        population, footprint = population[~fold], footprint[~fold]
    return gpd.GeoDataFrame(
        {
            "area_id": areas["area_id"].to_numpy(dtype=object)[ai],
            "pocket_id": pockets["pocket_id"].to_numpy(dtype=object)[pi],
            "side": pockets["side"].to_numpy(dtype=object)[pi],
            "share": share,
            "population": population,
            "footprint": footprint,
        },
        geometry=gpd.GeoSeries(geoms, crs=areas.crs),
    )


def _piece_population(areas: gpd.GeoDataFrame, rows: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Population of area pieces: the area's ``population`` split by area share.

    It picks each area's dominant piece when the scenario has no population layer or
    raster (otherwise :func:`geoaccess.exposure.primary_pieces` does), and the main piece
    that residue folds into. Full assessments allocate every population estimate of the
    scenario to the pieces (:func:`geoaccess.exposure.estimates`) and report the primary
    one.
    """
    if "population" not in areas:
        return np.full(len(rows), np.nan)
    values = pd.to_numeric(areas["population"], errors="coerce").to_numpy(dtype=float)
    return values[rows] * share


def _with_base_status(frame: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    if "encircled" not in frame:
        for column in EVIDENCE:
            frame[column] = pd.Series(dtype=float)
        frame["aid_corridor_open"] = pd.Series(dtype=bool)
        frame["roads_enter"] = pd.Series(dtype=bool)
        frame["lifelines"] = pd.Series(dtype=object)
        frame["hostile_sides"] = pd.Series(dtype=object)
        frame["base_status"] = pd.Series(dtype=object)
        return frame
    frame["base_status"] = base_statuses(
        encircled=frame["encircled"].to_numpy(dtype=bool),
        aid_corridor_open=frame["aid_corridor_open"].to_numpy(dtype=bool),
        fire_controlled=frame["fire_controlled"].to_numpy(dtype=bool),
        roads_blocked=_roads_blocked(frame),
    )
    return frame


def _roads_blocked(frame: pd.DataFrame) -> np.ndarray:
    """Roads enter the piece and none of them is an open supply route (rule 4)."""
    routes = pd.to_numeric(frame["open_supply_routes"], errors="coerce").to_numpy(dtype=float)
    return frame["roads_enter"].to_numpy(dtype=bool) & (routes == 0)


def _decide(
    row: object, rules: Rules, *, days: int | None, since: dt.date | None
) -> tuple[AccessStatus, str]:
    return decide_status(
        encircled=bool(row.encircled),  # type: ignore[attr-defined]
        aid_corridor_open=bool(row.aid_corridor_open),  # type: ignore[attr-defined]
        fire_controlled=bool(row.fire_controlled),  # type: ignore[attr-defined]
        roads_enter=bool(row.roads_enter),  # type: ignore[attr-defined]
        open_supply_routes=row.open_supply_routes,  # type: ignore[attr-defined]
        encircled_days=days,
        rules=rules,
        hostile_sides=row.hostile_sides,  # type: ignore[attr-defined]
        encircled_since=since,
        open_corridors=int(row.open_corridors),  # type: ignore[attr-defined]
    )


def _units(
    areas: gpd.GeoDataFrame | None,
    pieces: gpd.GeoDataFrame,
    pockets: gpd.GeoDataFrame,
    weights: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """One row per reporting unit with the index of its dominant piece (``-1``: none)."""
    if areas is None:
        units = gpd.GeoDataFrame(
            {
                "area_id": pockets["pocket_id"].to_numpy(dtype=object),
                "name": pockets["pocket_id"].to_numpy(dtype=object),
                "total": np.full(len(pockets), np.nan),
            },
            geometry=pockets.geometry.values,
            crs=pockets.crs,
        )
    else:
        names = (areas["name"] if "name" in areas else areas["area_id"]).astype(object)
        total = (
            pd.to_numeric(areas["population"], errors="coerce").to_numpy(dtype=float)
            if "population" in areas
            else np.full(len(areas), np.nan)
        )
        units = gpd.GeoDataFrame(
            {
                "area_id": areas["area_id"].to_numpy(dtype=object),
                "name": names.where(names.notna(), None).to_numpy(dtype=object),
                "total": total,
            },
            geometry=areas.geometry.values,
            crs=areas.crs,
        )
    units["piece"] = _dominant(units["area_id"], pieces, weights)
    has = units["piece"].to_numpy() >= 0
    base = np.full(len(units), AccessStatus.ACCESSIBLE.value, dtype=object)
    encircled = np.zeros(len(units), dtype=bool)
    base[has] = pieces.loc[units["piece"].to_numpy()[has], "base_status"].to_numpy()
    encircled[has] = pieces.loc[units["piece"].to_numpy()[has], "encircled"].to_numpy(bool)
    units["base_status"] = base
    units["encircled"] = encircled
    return units


def _dominant(
    area_ids: pd.Series, pieces: pd.DataFrame, weights: np.ndarray | None = None
) -> np.ndarray:
    """Index label of each area's dominant piece (most population, else most area; -1).

    ``weights`` are the people per piece of the primary estimate
    (:func:`geoaccess.exposure.primary_pieces`); ``None``: the areas' own ``population``
    split by area share.
    """
    people = (
        pieces["population"]
        if weights is None
        else pd.Series(np.asarray(weights, float), index=pieces.index)
    )
    weight = people.fillna(0.0) + pieces["share"] * 1e-9
    order = weight.sort_values(ascending=False, kind="stable").index
    dominant = pieces.loc[order].drop_duplicates("area_id")
    lookup = pd.Series(dominant.index, index=dominant["area_id"].to_numpy())
    return area_ids.map(lookup).fillna(-1).astype(int).to_numpy()


# ---------------------------------------------------------------------- since when
def first_date(scn: Scenario) -> dt.date | None:
    """The earliest ``valid_from``/``valid_to`` of any layer (``None`` when undated)."""
    days = [
        frame[column].min()
        for frame in scn.layers.values()
        for column in TEMPORAL_COLUMNS
        if column in frame and frame[column].notna().any()
    ]
    return min(pd.Timestamp(d).date() for d in days) if days else None


def history(
    proj: Projected, day: dt.date, units: pd.DataFrame, *, encircled_only: bool = False
) -> pd.DataFrame:
    """First day of each unit's current base-status run and of its encirclement.

    Walks back over the change dates before ``day`` evaluating statuses only
    (:func:`unit_states`), until every unit's status (and encirclement) differs or the
    scenario's first date is reached. ``encircled_only`` follows encirclements alone
    (``base_since`` is then left at ``day``'s change date).

    Returns
    -------
    DataFrame
        Indexed by ``area_id``: ``base_since``, ``encircled_since`` (``NaT``-like
        ``None`` when not encircled) and ``at_least`` (the walk reached the first date).
    """
    ids = units["area_id"].to_numpy(dtype=object)
    base = units["base_status"].to_numpy(dtype=object)
    enc = units["encircled"].to_numpy(dtype=bool)
    first = first_date(proj.scenario) or day
    dates = proj.scenario.change_dates(min(first, day), day)
    latest = dates[-1]
    base_since = np.full(len(ids), latest, dtype=object)
    enc_since = np.where(enc, latest, None).astype(object)
    open_base = np.full(len(ids), not encircled_only, dtype=bool)
    open_enc = enc.copy()
    for t in reversed(dates[:-1]):
        if not (open_base.any() or open_enc.any()):
            break
        past = unit_states(proj, t, encircled_only=not open_base.any())
        same = (
            pd.Series(base, index=ids)
            .eq(past["base_status"].reindex(ids).astype(object))
            .to_numpy(bool)
        )
        was_enc = past["encircled"].reindex(ids).astype(object).fillna(False).to_numpy(bool)
        open_base &= same
        open_enc &= was_enc
        base_since[open_base] = t
        enc_since[open_enc] = t
    at_least = open_base & (base_since == dates[0])
    return pd.DataFrame(
        {"base_since": base_since, "encircled_since": enc_since, "at_least": at_least},
        index=pd.Index(ids, dtype=object),
    )


def unit_states(proj: Projected, day: dt.date, *, encircled_only: bool = False) -> pd.DataFrame:
    """Base status and encirclement of every reporting unit on ``day``, nothing else.

    The same statuses as :func:`evaluate` (its ``units``), computed with only what
    decides them: fire control where not encircled, roads where neither, roads as "some
    open link" (:func:`~geoaccess.access.piece_states`). The geometric part is memoised
    by the zones, siege lines, roads and areas valid on ``day``, so walking back over
    dates that differ only by corridors (or facilities) costs one corridor lookup each.
    ``encircled_only`` leaves ``base_status`` empty.

    Returns
    -------
    DataFrame
        Indexed by ``area_id``: ``base_status``, ``encircled`` and ``pocket_id`` (of the
        dominant piece; ``None`` where no side holds the unit).
    """
    ground = ground_at(proj, day)
    key = (
        "states",
        ground.key,
        *(proj.rows_at(name, day) for name in ("siege_lines", "roads", "areas")),
    )
    states = proj.memo.get(key)
    if states is None or (not encircled_only and "blocked" not in states):  # type: ignore[operator]
        states = _piece_states(proj, ground, encircled_only=encircled_only)
        proj.memo[key] = states
    piece = states["piece"]
    has = piece >= 0
    encircled = np.zeros(len(piece), dtype=bool)
    encircled[has] = states["encircled"][piece[has]]
    status = np.full(
        len(piece), None if encircled_only else AccessStatus.ACCESSIBLE.value, dtype=object
    )
    if not encircled_only:
        aid = np.isin(states["pocket_id"], list(aid_pockets_at(ground)))
        by_piece = base_statuses(
            encircled=states["encircled"],
            aid_corridor_open=aid,
            fire_controlled=states["fire"],
            roads_blocked=states["blocked"],
        )
        status[has] = by_piece[piece[has]]
    pocket = np.full(len(piece), None, dtype=object)
    pocket[has] = states["pocket_id"][piece[has]]
    return pd.DataFrame(
        {"base_status": status, "encircled": encircled, "pocket_id": pocket},
        index=pd.Index(states["area_id"], dtype=object),
    )


def _piece_states(
    proj: Projected, ground: Ground, *, encircled_only: bool
) -> dict[str, np.ndarray]:
    """Per piece: encircled, fire-controlled, roads blocked; per unit: dominant piece."""
    areas = proj.layer_at("areas", ground.date)
    pockets = ground.pockets
    weights = None
    if areas is None:
        pieces = pockets.assign(area_id=pockets["pocket_id"], population=np.nan, share=1.0)
        unit_ids = pockets["pocket_id"]
    else:
        same = (
            ground.key,
            *(proj.rows_at(name, ground.date) for name in ("siege_lines", "roads", "areas")),
        )
        if ("pieces", *same) not in proj.memo:
            proj.memo[("pieces", *same)] = _pieces(areas, pockets, proj.rules.snap_m)
        pieces = proj.memo[("pieces", *same)]
        unit_ids = areas["area_id"]
        weights = exposure.primary_pieces(proj, ground.date, pieces, same)
    n = len(pieces)
    out = {
        "area_id": unit_ids.to_numpy(dtype=object),
        "piece": _dominant(unit_ids.astype(object), pieces, weights),
        "pocket_id": pieces["pocket_id"].to_numpy(dtype=object),
        "encircled": np.zeros(n, dtype=bool),
    }
    if not encircled_only:
        out["fire"] = np.zeros(n, dtype=bool)
        out["blocked"] = np.zeros(n, dtype=bool)
    graph = None if encircled_only else road_graph(proj, ground.date)
    sides = pieces["side"].to_numpy(dtype=object)
    geoms = np.asarray(pieces.geometry.array, dtype=object)
    for side in ground.sides:
        rows = np.flatnonzero(sides == side)
        if not len(rows):
            continue
        found = piece_states(
            side_view(ground, side), geoms[rows], graph=graph, encircled_only=encircled_only
        )
        for name, values in found.items():
            out[name][rows] = values
    return out


def final_status(
    row: object, rules: Rules, day: dt.date, base_since: dt.date, enc_since: dt.date | None
) -> tuple[AccessStatus, str, dt.date]:
    """Status, reason and first day of the status, Siege Watch's day count applied."""
    days = (day - enc_since).days if enc_since is not None else None
    status, reason = _decide(row, rules, days=days, since=enc_since)
    since = base_since
    if status is AccessStatus.BESIEGED and rules.scheme == "siege_watch" and enc_since is not None:
        since = max(base_since, enc_since + dt.timedelta(days=rules.min_siege_days))
    return status, reason, since


# ---------------------------------------------------------------------- frames
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
            exposure.corridor_reach(
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


def _areas_frame(
    units: gpd.GeoDataFrame,
    pieces: gpd.GeoDataFrame,
    pockets: gpd.GeoDataFrame,
    rows: list[tuple[str, str, dt.date]],
    since: pd.DataFrame,
) -> gpd.GeoDataFrame:
    idx = units["piece"].to_numpy()
    has = idx >= 0

    def pick(column: str, source: pd.DataFrame = pieces, fill: object = None) -> np.ndarray:
        out = np.full(len(units), fill, dtype=object)
        out[has] = source.loc[idx[has], column].to_numpy(dtype=object)
        return out

    share = pockets.set_index("pocket_id")["hostile_perimeter_share"]
    pocket_id = pick("pocket_id")
    frame = gpd.GeoDataFrame(
        {
            "area_id": units["area_id"].to_numpy(dtype=object),
            "name": units["name"].to_numpy(dtype=object),
            "side": pick("side"),
            "pocket_id": pocket_id,
            "status": [r[0] for r in rows],
            "status_since": [r[2] for r in rows],
            "reason": [r[1] for r in rows],
        },
        geometry=units.geometry.values,
        crs=units.crs,
    )
    frame["encircled"] = pick("encircled", fill=False).astype(bool)
    frame["fire_controlled"] = pick("fire_controlled", fill=False).astype(bool)
    frame["hostile_perimeter_share"] = pd.Series(pocket_id).map(share).to_numpy(float)
    for column in ("route_clearance_m", "open_corridors", "open_supply_routes"):
        frame[column] = pick(column, fill=np.nan).astype(float)
    split = (
        pieces.groupby(["area_id", "status"])["population"]
        .sum(min_count=1)
        .unstack("status")
        .reindex(index=frame["area_id"], columns=list(STATUSES))
    )
    total = units["total"].to_numpy(dtype=float)
    for status in STATUSES:
        values = split[status].to_numpy(dtype=float)
        frame[f"population_{status}"] = np.where(np.isnan(total), np.nan, np.nan_to_num(values))
    assigned = np.nan_to_num(split.to_numpy(dtype=float)).sum(axis=1)
    unmapped = total - assigned
    frame["population_unmapped"] = np.where(
        np.abs(unmapped) < 1e-6 * np.abs(total), 0.0, np.clip(unmapped, 0.0, None)
    )
    frame["population"] = total
    return frame.set_geometry("geometry")


def _facilities(
    snap: Snapshot, pieces: gpd.GeoDataFrame, found: list[exposure.Estimate]
) -> gpd.GeoDataFrame:
    """Facilities: status and side where they stand, distance to the front, exposure.

    Incidents and catchments come from :func:`geoaccess.exposure.facility_exposure`
    (full assessments only; light snapshots leave those columns out).
    """
    proj, day = snap.ground.projected, snap.ground.date
    facilities = proj.layer_at("facilities", day)
    if facilities is None:
        return gpd.GeoDataFrame(
            {"facility_id": [], "status": []}, geometry=gpd.GeoSeries([], crs=WGS84)
        )
    points = facilities.geometry.values
    out = facilities.copy()
    status = np.full(len(out), None, dtype=object)
    side = np.full(len(out), None, dtype=object)
    area = np.full(len(out), None, dtype=object)
    if len(pieces):
        fi, pi = shapely.STRtree(pieces.geometry.values).query(points, predicate="within")
        status[fi] = pieces["status"].to_numpy(dtype=object)[pi]
        side[fi] = pieces["side"].to_numpy(dtype=object)[pi]
        area[fi] = pieces["area_id"].to_numpy(dtype=object)[pi]
    out["status"], out["side"], out["area_id"] = status, side, area
    front = snap.ground.front_union
    out["distance_to_front_m"] = (
        np.full(len(out), np.nan) if front.is_empty else shapely.distance(points, front)
    )
    if snap.full:
        out = exposure.facility_exposure(out, snap.ground, found[0] if found else None, snap.graph)
    return to_wgs84(out)


def _lifelines(
    snap: Snapshot, units: gpd.GeoDataFrame, pieces: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Road segments whose loss cuts an area's last usable road link, with who depends."""
    columns = ["segment_id", "road", "name", "area_ids", "areas", "population", "length_m"]
    has = units["piece"].to_numpy() >= 0
    if snap.graph is None or "lifelines" not in pieces or not has.any():
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=WGS84))
    links = (
        pd.DataFrame(
            {
                "area_id": units["area_id"].to_numpy(dtype=object)[has],
                "population": units["total"].to_numpy(dtype=float)[has],
                "segment_id": pieces.loc[units["piece"].to_numpy()[has], "lifelines"].to_numpy(),
            }
        )
        .explode("segment_id")
        .dropna(subset=["segment_id"])
    )
    if not len(links):
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=WGS84))
    grouped = links.groupby("segment_id").agg(
        area_ids=("area_id", lambda a: ", ".join(sorted(map(str, a)))),
        areas=("area_id", "nunique"),
        population=("population", "sum"),
    )
    segments = snap.graph.segments  # type: ignore[attr-defined]
    seg = segments.iloc[grouped.index.to_numpy(dtype=int)]
    out = gpd.GeoDataFrame(
        {
            "segment_id": grouped.index.to_numpy(dtype=int),
            "road": seg["road"].to_numpy(dtype=object),
            "name": (seg["name"].to_numpy(dtype=object) if "name" in seg else None),
            "area_ids": grouped["area_ids"].to_numpy(dtype=object),
            "areas": grouped["areas"].to_numpy(dtype=int),
            "population": grouped["population"].to_numpy(dtype=float),
            "length_m": seg.geometry.length.to_numpy(),
        },
        geometry=seg.geometry.values,
        crs=segments.crs,
    )
    return to_wgs84(out.sort_values("population", ascending=False, kind="stable"))


def _population_table(
    snap: Snapshot,
    areas: gpd.GeoDataFrame,
    pieces: gpd.GeoDataFrame,
    found: list[exposure.Estimate],
) -> pd.DataFrame:
    """Population by status, distance band and corridor reach, with the accounting.

    See :func:`geoaccess.exposure.population_table`; empty for light snapshots and
    scenarios without population.
    """
    if not snap.full or not found:
        return pd.DataFrame(
            {
                "category": pd.Series(dtype=object),
                "label": pd.Series(dtype=object),
                "areas": pd.Series(dtype="Int64"),
                "population": pd.Series(dtype=float),
            }
        )
    return exposure.population_table(areas, pieces, found, snap.ground, snap.corridors, snap.graph)


def to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A metric frame reprojected to EPSG:4326 with a fresh index."""
    return frame.to_crs(WGS84).reset_index(drop=True)
