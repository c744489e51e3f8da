"""Areas cut into pieces by every side's pockets, with evidence and base status.

Each piece (or each pocket, when there is no areas layer) gets its evidence from its
side's perspective (:mod:`geoaccess.access`) and its base status (Siege Watch's day count
not yet applied). Slivers left where an area's outline crosses a zone boundary are
digitising residue folded into the area's main piece (:func:`_pieces`). Each reporting
unit is represented by its dominant piece (:func:`_dominant`): most people of the
primary estimate, else most area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .access import base_statuses, piece_evidence
from .network import RoadGraph
from .rules import AccessStatus, Rules
from .territory import Ground, side_view

EVIDENCE = [
    "encircled",
    "fire_controlled",
    "hostile_perimeter_share",
    "route_clearance_m",
    "open_corridors",
    "open_supply_routes",
]


def _with_evidence(
    ground: Ground,
    frame: gpd.GeoDataFrame,
    *,
    entrances: pd.DataFrame,
    aid: set[str],
    graph: RoadGraph | None,
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
