"""Areas cut into pieces by every side's pockets; reporting units and their dominant piece.

Each piece (or each pocket, when there is no areas layer) gets its evidence from its
side's perspective (:mod:`.evidence`). Slivers left where an area's outline crosses a
zone boundary are digitising residue folded into the area's main piece
(:func:`cut_areas`). Each reporting unit is represented by its dominant piece
(:func:`dominant_pieces`): most people of the primary estimate, else most area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..polygons import polygonal_array
from ..rules import Rules
from .columns import frame_values, with_columns
from .status import STATUS_OF, decide

__all__ = [
    "cut_areas",
    "dominant_pieces",
    "piece_population",
    "reporting_units",
    "with_unit_status",
]


def cut_areas(
    areas: gpd.GeoDataFrame, pockets: gpd.GeoDataFrame, snap_m: float
) -> gpd.GeoDataFrame:
    """Every area cut by every pocket, with its population share.

    Digitising residue is not a piece: where an area's outline crosses a zone boundary,
    the intersection leaves slivers thinner than the barrier buffer. A piece that
    vanishes when eroded by ``snap_m / 2``, or smaller than ``snap_m**2`` in area, gets
    no status of its own: its share and population go to the area's main piece (the
    largest by population, else by area, among its other pieces), so the area's
    population is conserved. ``footprint`` is the main piece with its residue: the
    ground whose people the piece holds (``geometry`` stays the piece itself, for the
    evidence), a collection of those pieces that
    :func:`geoaccess.population.estimates.footprints` dissolves when a population layer
    or raster is allocated to it (a scenario with only the areas' own population never
    needs it). An area made only of residue keeps its main piece.
    """
    area_geoms = np.asarray(areas.geometry.values, dtype=object)
    pocket_geoms = np.asarray(pockets.geometry.values, dtype=object)
    tree = shapely.STRtree(pocket_geoms)
    ai, pi = tree.query(area_geoms, predicate="intersects")
    # an area within one pocket is its own piece, whole (most areas on most dates); an
    # area and a pocket whose interiors do not meet share only an edge or a corner: no
    # ground, and no overlay to find that out
    within, meet = _within_or_meeting(area_geoms[ai], pocket_geoms[pi])
    ai, pi, within = ai[meet], pi[meet], within[meet]
    # where they do, only the polygons of the intersection are ground (its lines and
    # points reach neither the evidence nor the population rasters)
    geoms = area_geoms[ai]
    cut = ~within
    geoms[cut] = polygonal_array(shapely.intersection(geoms[cut], pocket_geoms[pi[cut]]))
    area = shapely.area(geoms)
    keep = area > 0
    ai, pi, geoms, area, within = ai[keep], pi[keep], geoms[keep], area[keep], within[keep]
    share = np.where(within, 1.0, area / shapely.area(area_geoms[ai]))
    population = piece_population(areas, ai, share)
    footprint = geoms.copy()
    residue = _residue(geoms, area, snap_m)
    # an area's edge a few metres beyond its zones' edge (drawn, or simplified, apart)
    # leaves a sliver on no pocket: residue too, folded like a residue piece
    ai, pi, geoms, share, population, footprint, residue = _with_uncovered_residue(
        areas, ai, pi, geoms, share, population, footprint, residue, snap_m
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
        for m in np.unique(main[fold]):  # dissolved only where people are allocated
            footprint[m] = shapely.geometrycollections([geoms[m], *geoms[fold & (main == m)]])
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
            "geometry": geoms,
        },
        geometry="geometry",
        crs=areas.crs,
    )


def _within_or_meeting(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: ``a`` lies within ``b``; the interiors of ``a`` and ``b`` meet.

    Read from one DE-9IM matrix per pair (:func:`shapely.relate`), for less than the
    cost of :func:`shapely.within` and :func:`shapely.relate_pattern` apart: within is
    ``T*F**F***`` (interiors meet; neither the interior nor the boundary of ``a`` meets
    the exterior of ``b``), meeting is ``T********``.
    """
    matrix = np.asarray(shapely.relate(a, b), dtype="U9").view("U1").reshape(-1, 9)
    meet = matrix[:, 0] != "F"
    return meet & (matrix[:, 2] == "F") & (matrix[:, 5] == "F"), meet


def _residue(geoms: np.ndarray, area: np.ndarray, snap_m: float) -> np.ndarray:
    """Pieces smaller than ``snap_m**2`` or vanishing when eroded by ``snap_m / 2``.

    A piece with an inner point farther than ``snap_m / 2`` from its boundary keeps that
    point when eroded (the buffer draws its arcs as chords, so it erodes less than a
    true disc would): only the others are eroded. Most pieces are hundreds of metres
    across.
    """
    half = snap_m / 2.0
    residue = area < snap_m**2
    todo = np.flatnonzero(~residue)
    inner = shapely.point_on_surface(geoms[todo])
    deep = shapely.distance(inner, shapely.boundary(geoms[todo])) > half
    todo = todo[~deep]
    residue[todo] = shapely.is_empty(shapely.buffer(geoms[todo], -half, quad_segs=2))
    return residue


def _with_uncovered_residue(
    areas: gpd.GeoDataFrame,
    ai: np.ndarray,
    pi: np.ndarray,
    geoms: np.ndarray,
    share: np.ndarray,
    population: np.ndarray,
    footprint: np.ndarray,
    residue: np.ndarray,
    snap_m: float,
) -> tuple[np.ndarray, ...]:
    """The pieces plus, as residue pieces, thin parts of areas that no pocket covers.

    Such a part gets the pocket index of the area's first piece (it is folded into the
    area's main piece before anyone reads it). Wider uncovered ground stays uncovered:
    its people are ``no_data``.
    """
    counts = np.bincount(ai, minlength=len(areas))
    covered = np.bincount(ai, weights=share, minlength=len(areas))
    gaps = np.flatnonzero((counts > 0) & (covered < 1.0 - 1e-9))
    if not len(gaps):
        return ai, pi, geoms, share, population, footprint, residue
    order = np.argsort(ai, kind="stable")
    starts = np.searchsorted(ai[order], gaps)
    held = [shapely.union_all(geoms[ai == a]) for a in gaps]
    rest = polygonal_array(shapely.difference(areas.geometry.values[gaps], held))
    rest_area = shapely.area(rest)
    thin = (rest_area > 0) & _residue(rest, rest_area, snap_m)
    if not thin.any():
        return ai, pi, geoms, share, population, footprint, residue
    gaps, rest = gaps[thin], rest[thin]
    rest_share = rest_area[thin] / shapely.area(areas.geometry.values[gaps])
    return (
        np.r_[ai, gaps],
        np.r_[pi, pi[order[starts[thin]]]],
        np.r_[geoms, rest],
        np.r_[share, rest_share],
        np.r_[population, piece_population(areas, gaps, rest_share)],
        np.r_[footprint, rest],
        np.r_[residue, np.ones(len(gaps), dtype=bool)],
    )


def piece_population(areas: gpd.GeoDataFrame, rows: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Population of area pieces: the area's ``population`` split by area share.

    It picks each area's dominant piece when the scenario has no population layer or
    raster (otherwise :func:`geoaccess.population.estimates.primary_people` does), and
    the main piece that residue folds into. Full assessments allocate every population
    estimate of the scenario to the pieces
    (:func:`geoaccess.population.estimates.estimates`) and report the primary one.
    """
    if "population" not in areas:
        return np.full(len(rows), np.nan)
    values = pd.to_numeric(areas["population"], errors="coerce").to_numpy(dtype=float)
    return values[rows] * share


def reporting_units(
    areas: gpd.GeoDataFrame | None,
    pieces: gpd.GeoDataFrame,
    pockets: gpd.GeoDataFrame,
    weights: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """One row per reporting unit with its dominant piece.

    Parameters
    ----------
    areas : GeoDataFrame or None
        The areas valid on the date (``None``: the pockets are the reporting units).
    pieces : GeoDataFrame
        Pieces with ``area_id``, ``share`` and ``population``.
    pockets : GeoDataFrame
        The pockets of the date.
    weights : numpy.ndarray, optional
        People per piece of the primary estimate (``None``: the areas' own population).

    Returns
    -------
    GeoDataFrame
        ``area_id``, ``name``, ``total`` (the area's own population) and ``piece`` (index
        label of the dominant piece, ``-1``: no side holds the unit).
    """
    if areas is None:
        ids = names = frame_values(pockets["pocket_id"])
        total = np.full(len(pockets), np.nan)
        units_of = pockets
    else:
        ids = frame_values(areas["area_id"])
        names = frame_values(areas["name" if "name" in areas else "area_id"], none_for_missing=True)
        total = (
            pd.to_numeric(areas["population"], errors="coerce").to_numpy(dtype=float)
            if "population" in areas
            else np.full(len(areas), np.nan)
        )
        units_of = areas
    # built in one step: text stored as pandas stores it is taken as it is
    return gpd.GeoDataFrame(
        {
            "area_id": ids,
            "name": names,
            "total": total,
            "geometry": units_of.geometry.values,
            "piece": dominant_pieces(np.asarray(ids, dtype=object), pieces, weights),
        },
        geometry="geometry",
        crs=units_of.crs,
    )


def with_unit_status(
    units: gpd.GeoDataFrame, pieces: pd.DataFrame, *, rules: Rules, decided: bool = True
) -> gpd.GeoDataFrame:
    """The reporting units with the base status of their dominant piece (a new frame).

    A unit no side holds is decided like any piece, as unheld.

    Parameters
    ----------
    units : GeoDataFrame
        :func:`reporting_units`.
    pieces : DataFrame
        Pieces with their evidence and ``base_why`` (:func:`~.evidence.with_status`).
    rules : Rules
        The rules applied.
    decided : bool, default True
        Whether the pieces' statuses were decided (``False`` at the ``"encircled"``
        depth: ``base_why`` and ``base_status`` stay ``None``).

    Returns
    -------
    GeoDataFrame
        ``units`` with ``side`` (of the dominant piece; ``None`` where no side holds the
        unit), ``base_why``, ``base_status`` and ``encircled``.
    """
    piece = units["piece"].to_numpy()
    has = piece >= 0
    nobody = np.zeros(len(units), dtype=bool)
    why = decide(
        rules=rules,
        held=nobody,
        encircled=nobody,
        aid_corridor_open=nobody,
        fire_controlled=nobody,
        roads_blocked=nobody,
    )
    encircled = np.zeros(len(units), dtype=bool)
    side = np.full(len(units), None, dtype=object)
    at = pieces.index.get_indexer(piece[has])  # positions of the dominant pieces
    if (at < 0).any():
        missing = piece[has][at < 0][:5].tolist()
        msg = f"reporting units name pieces {missing} that are not among the pieces"
        raise KeyError(msg)
    side[has] = pieces["side"].to_numpy(dtype=object)[at]
    why[has] = pieces["base_why"].to_numpy(dtype=object)[at]
    encircled[has] = pieces["encircled"].to_numpy(dtype=bool)[at]
    if not decided:
        why[:] = None
    status = np.array([None if w is None else STATUS_OF[w].value for w in why], dtype=object)
    return with_columns(units, side=side, base_why=why, base_status=status, encircled=encircled)


def dominant_pieces(
    area_ids: np.ndarray, pieces: pd.DataFrame, weights: np.ndarray | None = None
) -> np.ndarray:
    """Index label of each area's dominant piece (most population, else most area; -1).

    ``weights`` are the people per piece of the primary estimate
    (:func:`geoaccess.population.estimates.primary_people`); ``None``: the areas' own
    ``population`` split by area share. Ties go to the piece that comes first.
    """
    people = (
        pieces["population"].to_numpy(dtype=float)
        if weights is None
        else np.asarray(weights, dtype=float)
    )
    weight = np.nan_to_num(people, nan=0.0) + pieces["share"].to_numpy(dtype=float) * 1e-9
    order = np.argsort(-weight, kind="stable")
    codes, uniques = pd.factorize(pieces["area_id"].to_numpy(dtype=object)[order])
    _, first = np.unique(codes, return_index=True)
    label = pieces.index.to_numpy()[order[first]]
    at = pd.Index(uniques).get_indexer(np.asarray(area_ids, dtype=object))
    out = np.full(len(at), -1, dtype=int)
    out[at >= 0] = label[at[at >= 0]]
    return out
