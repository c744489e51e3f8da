"""Population in the results: estimates, the population table, corridor reach, facilities.

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
- **Distance bands** (:func:`~geoaccess.population.population_within`): people by
  straight-line distance to the derived front lines, over every located person of the
  estimate (raster estimates: the people allocated to area pieces).
- **Corridor reach.** People within ``walk_reach_m`` straight-line of a corridor's
  entrance *and* on the connected piece of passable ground of the entrance's side that
  holds the entrance: people across a front or siege line cannot walk to it, however
  close. With roads, the network reach counts the people whose nearest road node (snap
  distance added) is within ``walk_reach_m`` of the entrance along roads usable by the
  entrance's side (front and siege lines cut roads; roads deeper than ``snap_m`` in
  hostile ground are removed), on the same piece of ground.
- **Facility catchments.** Each person goes to the nearest facility of each kind that
  they can reach on their own side's passable ground (the side holding the ground where
  they stand; on ground no side holds, every front and siege line cuts): on the same
  connected piece of that ground, and along the roads usable by that side where the date
  has roads, straight-line otherwise. People with no reachable facility of a kind are
  reported as unserved (``population_unserved``): per kind, served plus unserved is
  every located person.

Everything derived from an estimate's people (weighted points, their road nodes, the
walks from each entrance) is computed once per assessment and shared by the distance
bands, corridor reach, the population table and the catchments (``Estimate.cache``);
the per-side road graphs and reach regions are memoised in ``Projected.memo``.

Polygon estimates are turned into weighted points for the network and catchment rules by
cutting them on a square grid of ``cell_m`` metres (area-weighted, each piece at its
centroid); straight-line reach and distance bands use the polygons exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .population import PopulationAccounting, allocate_population, population_within
from .rules import AccessStatus, Rules

if TYPE_CHECKING:
    from .territory import Ground, Projected

__all__ = [
    "Estimate",
    "area_population",
    "corridor_reach",
    "estimates",
    "facility_exposure",
    "pocket_population",
    "population_table",
    "primary_pieces",
    "recent_incidents",
    "with_population",
]

STATUSES = (*(s.value for s in AccessStatus), "unmapped")
#: Side of the grid cells that turn polygon estimates into weighted points, metres.
CELL_M = 100.0


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
    cache : dict
        Derived from ``people`` once per assessment and shared by the distance bands,
        corridor reach and catchments: weighted points, their road nodes, walks.
    """

    name: str
    column: str
    people: gpd.GeoDataFrame
    pieces: np.ndarray
    units: np.ndarray
    accounting: PopulationAccounting
    cache: dict[object, object] = field(default_factory=dict, repr=False)


# ---------------------------------------------------------------------- estimates
def estimates(
    proj: Projected,
    day: dt.date,
    units: gpd.GeoDataFrame,
    pieces: gpd.GeoDataFrame,
    *,
    key: tuple[object, ...] | None = None,
) -> list[Estimate]:
    """Every population estimate of the scenario on ``day``, the primary one first.

    Parameters
    ----------
    proj : Projected
        The projected scenario.
    day : datetime.date
        The date (selects the valid rows of the ``population`` layer).
    units : GeoDataFrame
        Reporting units (metric CRS) with a ``total`` column (the areas' own population).
    pieces : GeoDataFrame
        Area pieces (metric CRS) with ``population`` (the areas' own population split by
        area share).
    key : tuple, optional
        Memo key of the pieces (see :func:`primary_pieces`): the primary estimate's
        people per piece, already allocated to choose the dominant pieces, are reused.

    Returns
    -------
    list of Estimate
        Empty when the scenario has no population at all.
    """
    crs = units.crs
    targets = _targets(pieces)
    first = primary_pieces(proj, day, pieces, key) if key is not None else None
    found: list[tuple[str, gpd.GeoDataFrame, np.ndarray, np.ndarray, PopulationAccounting]] = []
    for name, group in _layer_groups(proj.layer_at("population", day)):
        people = gpd.GeoDataFrame(
            {"population": pd.to_numeric(group["population"], errors="coerce")},
            geometry=group.geometry.values,
            crs=crs,
        )
        on_pieces = (
            first if first is not None and not found else allocate_population(targets, people)
        )
        on_units, acc = allocate_population(units.geometry, people, return_accounting=True)
        found.append((name, people, np.asarray(on_pieces, float), on_units.to_numpy(float), acc))
    for raster in proj.scenario.population_rasters:
        on_pieces = np.asarray(
            first
            if first is not None and not found
            else allocate_population(targets, raster).to_numpy(float),
            float,
        )
        on_units, acc = allocate_population(units.geometry, raster, return_accounting=True)
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
    out, used = [], set()
    for k, (name, people, on_pieces, on_units, acc) in enumerate(found):
        column = "population" if k == 0 else _column(name, used)
        used.add(column)
        out.append(Estimate(name, column, people, on_pieces, on_units, acc))
    return out


def _targets(pieces: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The ground whose people each piece holds: its footprint (residue included)."""
    # the people of a piece's residue belong to it (see assess._pieces)
    return gpd.GeoSeries(
        pieces["footprint"].to_numpy(dtype=object)
        if "footprint" in pieces
        else pieces.geometry.to_numpy(dtype=object),
        index=pieces.index,
        crs=pieces.crs,
    )


def _layer_groups(layer: gpd.GeoDataFrame | None) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The estimates of a ``population`` layer: one per ``source`` (or the whole layer)."""
    if layer is None or not len(layer):
        return []
    if "source" not in layer:
        return [("population layer", layer)]
    sources = layer["source"].astype(object)
    return [(str(s), layer[(sources == s).to_numpy()]) for s in pd.unique(sources) if pd.notna(s)]


def primary_pieces(
    proj: Projected, day: dt.date, pieces: gpd.GeoDataFrame, key: tuple[object, ...]
) -> np.ndarray | None:
    """People of the primary estimate per area piece; ``None`` when it is the areas' own.

    The primary estimate is the first source of the ``population`` layer, else the first
    raster (see :func:`estimates`). This is what chooses each area's dominant piece, on
    every date (light evaluations and the backward walk included): it is one allocation
    of the primary estimate to the pieces, memoised in ``Projected.memo`` by ``key`` (the
    zones, siege lines, roads and areas that made the pieces) and the population rows
    valid on ``day``, then reused by the full assessment's :func:`estimates`. Scenarios
    whose only population is the areas' own column do no population work here.
    """
    groups = _layer_groups(proj.layer_at("population", day))
    rasters = proj.scenario.population_rasters
    if not groups and not rasters:
        return None
    memo_key = ("primary_pieces", key, proj.rows_at("population", day))
    if memo_key not in proj.memo:
        targets = _targets(pieces)
        if groups:
            group = groups[0][1]
            people = gpd.GeoDataFrame(
                {"population": pd.to_numeric(group["population"], errors="coerce")},
                geometry=group.geometry.values,
                crs=pieces.crs,
            )
            found = allocate_population(targets, people)
        else:
            found = allocate_population(targets, rasters[0])
        proj.memo[memo_key] = np.asarray(found, dtype=float)
    return np.asarray(proj.memo[memo_key], dtype=float)


def pocket_population(
    pockets: gpd.GeoDataFrame, pieces: pd.DataFrame, found: list[Estimate]
) -> gpd.GeoDataFrame:
    """The pockets with the people of every estimate (a copy).

    A pocket holds the people of the area pieces on it (residue included, see
    :func:`estimates`), so the estimates' own rules and accounting carry over: for each
    estimate, the pockets' people plus the areas' ``population_unmapped`` (people of the
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
    """An area's people split by the status of its pieces, with the unmapped rest.

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
        ``population_<status>`` for every status, ``population_unmapped`` (people of the
        area on no side's ground) and ``population``, aligned with ``area_ids``.
    """
    split = (
        pd.DataFrame(
            {
                "area_id": pieces["area_id"].to_numpy(dtype=object),
                "status": pieces["status"].to_numpy(dtype=object),
                "people": piece_people,
            }
        )
        .groupby(["area_id", "status"])["people"]
        .sum(min_count=1)
        .unstack("status")
        .reindex(index=pd.Index(area_ids, dtype=object), columns=list(STATUSES[:-1]))
    )
    total = np.asarray(unit_people, dtype=float)
    out = {
        f"population_{s}": np.where(
            np.isnan(total), np.nan, np.nan_to_num(split[s].to_numpy(float))
        )
        for s in STATUSES[:-1]
    }
    rest = total - np.nan_to_num(split.to_numpy(float)).sum(axis=1)
    out["population_unmapped"] = np.where(
        np.abs(rest) < 1e-6 * np.abs(total), 0.0, np.clip(rest, 0.0, None)
    )
    out["population"] = total
    return pd.DataFrame(out, index=pd.RangeIndex(len(total)))


# ---------------------------------------------------------------------- ground helpers
def _gkey(ground: Ground) -> tuple[object, ...]:
    """Memo key of a date's ground and barriers: the zones and siege lines valid."""
    return (ground.key, ground.projected.rows_at("siege_lines", ground.date))


def _memo(ground: Ground, key: tuple[object, ...], build: Any) -> Any:
    memo = ground.projected.memo
    if key not in memo:
        memo[key] = build()
    return memo[key]


def _side_parts(ground: Ground, side: str | None) -> np.ndarray:
    """Connected pieces of ``side``'s passable ground (the frame for no known side)."""
    from .territory import side_view

    def build() -> np.ndarray:
        if side is None or side not in ground.sides:
            return np.array([ground.projected.frame], dtype=object)
        return shapely.get_parts(side_view(ground, side).passable)

    return _memo(ground, ("exposure_parts", _gkey(ground), side), build)


def _part_of(ground: Ground, side: str | None, point: shapely.Point) -> int:
    """Position in :func:`_side_parts` of the piece holding ``point`` (within snap_m; -1)."""
    parts = _side_parts(ground, side)
    if not len(parts):
        return -1
    dist = shapely.distance(parts, point)
    best = int(np.argmin(dist))
    return best if dist[best] <= ground.projected.rules.snap_m else -1


def _side_ground(ground: Ground, side: str | None, point: shapely.Point) -> shapely.Geometry:
    """The connected piece of ``side``'s passable ground holding ``point`` (within snap_m)."""
    k = _part_of(ground, side, point)
    return _side_parts(ground, side)[k] if k >= 0 else shapely.Polygon()


def _side_barriers(ground: Ground, side: str | None) -> shapely.Geometry | None:
    """Front and siege lines facing ``side``, plus the core of its hostile ground."""
    from .territory import side_view

    if side is None or side not in ground.sides:
        return _all_barriers(ground)
    view = side_view(ground, side)
    core = shapely.buffer(view.hostile, -ground.projected.rules.snap_m)
    return shapely.union(view.barrier_lines, core)


def _all_barriers(ground: Ground) -> shapely.Geometry:
    lines = [ground.front_union]
    sieges = ground.projected.layer_at("siege_lines", ground.date)
    if sieges is not None and len(sieges):
        lines.extend(sieges.geometry.values)
    return shapely.union_all(lines)


def _side_csr(ground: Ground, side: str | None, graph: Any) -> Any:
    """Road lengths a walker of ``side`` can use (its barriers cut), memoised per call."""
    from ._graph import cut_by, weighted_csr

    def build() -> Any:
        keep = ~cut_by(graph, _side_barriers(ground, side))
        if keep.all():
            return graph.distance_csr
        return weighted_csr(graph.n_nodes, graph.u[keep], graph.v[keep], graph.lengths[keep])

    key = ("exposure_csr", _gkey(ground), side, id(graph))
    return _memo(ground, key, build)


def people_points(
    people: gpd.GeoDataFrame, *, cell_m: float = CELL_M
) -> tuple[np.ndarray, np.ndarray]:
    """Located people as weighted points: polygons are cut on a ``cell_m`` grid.

    Cells wholly inside a polygon are taken as they are; only the cells its boundary
    crosses are intersected.

    Returns
    -------
    tuple of numpy.ndarray
        Points and people per point (polygon pieces at their centroids, people shared
        by area).
    """
    geoms = people.geometry.to_numpy(dtype=object)
    values = people["population"].to_numpy(dtype=float)
    ok = ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms) & (values > 0)
    geoms, values = geoms[ok], values[ok]
    if not len(geoms) or (shapely.get_type_id(geoms) == 0).all():
        return geoms, values
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    xs = np.arange(np.floor(x0 / cell_m) * cell_m, x1, cell_m)
    ys = np.arange(np.floor(y0 / cell_m) * cell_m, y1, cell_m)
    gx, gy = np.meshgrid(xs, ys)
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell_m, gy.ravel() + cell_m)
    tree = shapely.STRtree(cells)
    g, c = tree.query(geoms, predicate="intersects")
    gi, ci = tree.query(geoms, predicate="contains_properly")
    inside = np.zeros(len(g), dtype=bool)
    if len(gi):
        pair = g.astype(np.int64) * len(cells) + c
        inside = np.isin(pair, gi.astype(np.int64) * len(cells) + ci)
    pieces = cells[c].copy()
    pieces[~inside] = shapely.intersection(geoms[g[~inside]], cells[c[~inside]])
    area = shapely.area(pieces)
    keep = area > 0
    g, pieces, area = g[keep], pieces[keep], area[keep]
    whole = np.bincount(g, weights=area, minlength=len(geoms))
    return shapely.centroid(pieces), values[g] * area / whole[g]


def _located(est: Estimate, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`people_points` of an estimate, computed once per assessment."""
    key = ("points", cell_m)
    if key not in est.cache:
        est.cache[key] = people_points(est.people, cell_m=cell_m)
    return est.cache[key]  # type: ignore[no-any-return]


def _points_tree(est: Estimate, cell_m: float) -> shapely.STRtree:
    """Spatial index of the located people (cached)."""
    key = ("tree", cell_m)
    if key not in est.cache:
        est.cache[key] = shapely.STRtree(_located(est, cell_m)[0])
    return est.cache[key]  # type: ignore[return-value]


def _snapped(est: Estimate, graph: Any, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest road node of each located person and the distance to it (cached)."""
    from .network import nearest_nodes

    key = ("nodes", id(graph), cell_m)
    if key not in est.cache:
        est.cache[key] = nearest_nodes(graph, _located(est, cell_m)[0])
    return est.cache[key]  # type: ignore[no-any-return]


def _in_part(
    est: Estimate, ground: Ground, side: str | None, part: int, cell_m: float
) -> np.ndarray:
    """Whether each located person stands on piece ``part`` of ``side``'s ground."""
    key = ("in_parts", _gkey(ground), side, cell_m)
    if key not in est.cache:
        pts, _ = _located(est, cell_m)
        parts = _side_parts(ground, side)
        hits = (
            _points_tree(est, cell_m).query(parts, predicate="intersects")[::-1]
            if len(parts) and len(pts)
            else np.zeros((2, 0), dtype=np.int64)
        )
        est.cache[key] = hits
    p, q = est.cache[key]
    out = np.zeros(len(_located(est, cell_m)[0]), dtype=bool)
    if part >= 0:
        out[p[q == part]] = True
    return out


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    if not len(values) or weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2.0)])


def _reached(
    est: Estimate,
    ground: Ground,
    graph: Any,
    entrance: shapely.Point,
    side: str | None,
    cell_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Walk from ``entrance`` to each person by road, and who is within reach (cached).

    The walk is the snap of the entrance to its nearest node, the road distance usable by
    ``side`` and the person's snap to their nearest node (``inf``: beyond reach); a
    person is within reach when the walk is at most ``walk_reach_m`` and they stand on
    the entrance's piece of the side's passable ground.
    """
    from scipy.sparse.csgraph import dijkstra

    from .network import nearest_nodes

    reach = ground.projected.rules.walk_reach_m
    key = ("walk", _gkey(ground), id(graph), side, shapely.to_wkb(entrance), cell_m)
    if key not in est.cache:
        pts, _ = _located(est, cell_m)
        if not len(pts):
            est.cache[key] = (np.zeros(0), np.zeros(0, dtype=bool))
        else:
            (start,), (snap,) = nearest_nodes(graph, np.array([entrance], dtype=object))
            dist = dijkstra(
                _side_csr(ground, side, graph), directed=True, indices=start, limit=reach
            )
            node, near = _snapped(est, graph, cell_m)
            walk = snap + dist[node] + near
            ok = (walk <= reach) & _in_part(
                est, ground, side, _part_of(ground, side, entrance), cell_m
            )
            est.cache[key] = (walk, ok)
    return est.cache[key]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- corridors
def corridor_reach(
    corridors: gpd.GeoDataFrame,
    ground: Ground,
    estimate: Estimate | None,
    graph: Any,
    *,
    cell_m: float = CELL_M,
) -> gpd.GeoDataFrame:
    """Population within walking reach of each corridor's entrance.

    Parameters
    ----------
    corridors : GeoDataFrame
        :func:`~geoaccess.corridors.corridor_table` (metric CRS, with ``entrance``).
    ground : Ground
        Territories of the date.
    estimate : Estimate or None
        The primary estimate (``None``: no population, reach is ``NaN``).
    graph : RoadGraph or None
        Roads of the date (``None``: network columns are ``NaN``).
    cell_m : float, default CELL_M
        Grid for turning polygon people into points (network reach).

    Returns
    -------
    GeoDataFrame
        A copy with ``population_within_reach`` (straight line, entrance side's ground),
        ``population_within_reach_network`` and ``walk_minutes_p50`` (median walk of the
        people reached by road, at ``walk_speed_kmh``).
    """
    rules = ground.projected.rules
    out = corridors.copy()
    n = len(out)
    straight, network, minutes = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    if estimate is not None and n:
        entrances = out["entrance"].to_numpy(dtype=object)
        sides = out["entrance_side"].to_numpy(dtype=object)
        regions = [
            _reach_region(ground, s, e, rules.walk_reach_m)
            for e, s in zip(entrances, sides, strict=True)
        ]
        straight[:] = allocate_population(
            gpd.GeoSeries(regions, crs=out.crs), estimate.people
        ).to_numpy(float)
        if graph is not None:
            _, weights = _located(estimate, cell_m)
            speed = rules.walk_speed_kmh * 1000.0 / 60.0
            for k, (entrance, side) in enumerate(zip(entrances, sides, strict=True)):
                walk, ok = _reached(estimate, ground, graph, entrance, side, cell_m)
                network[k] = float(weights[ok].sum())
                minutes[k] = _weighted_median(walk[ok], weights[ok]) / speed
    out["population_within_reach"] = straight
    out["population_within_reach_network"] = network
    out["walk_minutes_p50"] = minutes
    return out


def _reach_region(
    ground: Ground, side: str | None, entrance: shapely.Point, reach_m: float
) -> shapely.Geometry:
    def build() -> shapely.Geometry:
        disc = shapely.buffer(entrance, reach_m, quad_segs=32)
        return shapely.intersection(disc, _side_ground(ground, side, entrance))

    key = ("reach_region", _gkey(ground), side, shapely.to_wkb(entrance), reach_m)
    return _memo(ground, key, build)


# ---------------------------------------------------------------------- table
def population_table(
    areas: pd.DataFrame,
    pieces: pd.DataFrame,
    found: list[Estimate],
    ground: Ground,
    corridors: gpd.GeoDataFrame,
    graph: Any,
    *,
    cell_m: float = CELL_M,
) -> pd.DataFrame:
    """Population by status, distance band and corridor reach, with the accounting.

    Parameters
    ----------
    areas : DataFrame
        Reporting units with their final ``status`` (aligned with the estimates' units).
    pieces : DataFrame
        Area pieces with ``area_id`` and ``status``.
    found : list of Estimate
        :func:`estimates`, the primary one first.
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
    rules = ground.projected.rules
    status = areas["status"].to_numpy(dtype=object)
    rows = [("status", s, int((status == s).sum()) if s != "unmapped" else 0) for s in STATUSES]
    bands = population_within(
        gpd.GeoDataFrame({"population": []}, geometry=gpd.GeoSeries([], crs=ground.front.crs)),
        ground.front.geometry,
        rules.distance_bands_m,
    )["band"].tolist()
    rows += [("distance_band", b, None) for b in bands]
    open_ = corridors[corridors["status"].astype(object).eq("open").to_numpy(bool)]
    reach_rows = [("corridor_reach", "within reach of open corridor entrances", None)]
    if graph is not None:
        reach_rows.append(
            ("corridor_reach", "within reach of open corridor entrances by road", None)
        )
    rows += reach_rows
    rows += [("total", t, None) for t in ("input", "assigned", "outside")]
    table = pd.DataFrame(rows, columns=["category", "label", "areas"])
    table["areas"] = table["areas"].astype("Int64")
    regions = [
        _reach_region(ground, side, entrance, rules.walk_reach_m)
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
            values.append(_network_reach_all(open_, ground, est, graph, cell_m))
        acc = est.accounting
        values += [acc.input_total, acc.assigned_total, acc.outside_total]
        table[est.column] = values
    return table


def _network_reach_all(
    open_: pd.DataFrame, ground: Ground, est: Estimate, graph: Any, cell_m: float
) -> float:
    pts, weights = _located(est, cell_m)
    hit = np.zeros(len(pts), dtype=bool)
    for entrance, side in zip(
        open_["entrance"].to_numpy(dtype=object),
        open_["entrance_side"].to_numpy(dtype=object),
        strict=True,
    ):
        hit |= _reached(est, ground, graph, entrance, side, cell_m)[1]
    return float(weights[hit].sum())


# ---------------------------------------------------------------------- facilities
def facility_exposure(
    facilities: gpd.GeoDataFrame,
    ground: Ground,
    estimate: Estimate | None,
    graph: Any,
    *,
    cell_m: float = CELL_M,
) -> gpd.GeoDataFrame:
    """Incidents near each facility and the people it serves (nearest of its kind).

    Each located person is served by the nearest facility of each kind that they can
    reach on their own side's passable ground: the side holding the ground where they
    stand (people on ground no side holds: every front and siege line is a barrier).
    Straight-line, the facility must stand on the same connected piece of that ground
    (within ``snap_m``); along the roads (where the date has roads and the piece has a
    road node), it must be reachable on the roads usable by that side (its front and
    siege lines cut them; roads deeper than ``snap_m`` in hostile ground are removed),
    people and facilities snapping to road nodes of their piece. People with no
    reachable facility of a kind are unserved for that kind.

    Parameters
    ----------
    facilities : GeoDataFrame
        Facilities valid on the date (metric CRS) with ``kind``.
    ground : Ground
        Territories of the date.
    estimate : Estimate or None
        The primary estimate (``None``: population columns are ``NaN``).
    graph : RoadGraph or None
        Roads of the date: catchments along the roads; without roads, straight-line.
    cell_m : float, default CELL_M
        Grid for turning polygon people into points.

    Returns
    -------
    GeoDataFrame
        A copy with ``incidents_nearby``, ``incidents_nearby_imprecise`` (see
        :func:`recent_incidents`), ``population_served`` and ``population_unserved``
        (people with no reachable facility of the row's kind, the same on every row of
        a kind): per kind, ``population_served`` summed plus ``population_unserved``
        equals the located people of the estimate.
    """
    proj = ground.projected
    out = facilities.copy()
    points = out.geometry.to_numpy(dtype=object)
    precise, imprecise = recent_incidents(
        proj.layers.get("incidents"), points, ground.date, proj.rules
    )
    out["incidents_nearby"], out["incidents_nearby_imprecise"] = precise, imprecise
    served, unserved = np.full(len(out), np.nan), np.full(len(out), np.nan)
    if estimate is not None and len(out):
        kinds = out["kind"].astype(object).to_numpy() if "kind" in out else np.full(len(out), None)
        groups = _catchment_groups(estimate, ground, points, cell_m)
        for kind in pd.unique(kinds):
            rows = np.flatnonzero(kinds == kind)
            got, missed = _catchment(rows, points, groups, estimate, ground, graph, cell_m)
            served[rows] = got
            unserved[rows] = missed
    out["population_served"] = served
    out["population_unserved"] = unserved
    return out


def _catch_parts(ground: Ground, side: str | None) -> np.ndarray:
    """Pieces of ground a person of ``side`` moves on (no side: every barrier cuts)."""
    if side is not None:
        return _side_parts(ground, side)

    def build() -> np.ndarray:
        lines = _all_barriers(ground)
        frame = ground.projected.frame
        if shapely.is_empty(lines):
            return np.array([frame], dtype=object)
        cut = shapely.buffer(lines, ground.projected.rules.snap_m / 2.0, quad_segs=4)
        return shapely.get_parts(shapely.difference(frame, cut))

    return _memo(ground, ("exposure_open_parts", _gkey(ground)), build)


def _nearest_part(
    parts: np.ndarray, geoms: np.ndarray, snap_m: float, tree: shapely.STRtree | None = None
) -> np.ndarray:
    """Position of the piece nearest each geometry within ``snap_m`` (-1: none).

    Geometries on a piece are found first, testing each piece once against a tree of
    the geometries (``tree``, built when not given); only the rest are measured.
    """
    label = np.full(len(geoms), -1, dtype=np.int64)
    if not len(parts) or not len(geoms):
        return label
    tree = tree if tree is not None else shapely.STRtree(geoms)
    q, i = tree.query(parts, predicate="intersects")
    order = np.argsort(q, kind="stable")[::-1]  # the lowest piece wins on a shared edge
    label[i[order]] = q[order]
    rest = np.flatnonzero(label < 0)
    if len(rest):
        (k, j) = shapely.STRtree(parts).query_nearest(
            geoms[rest], max_distance=snap_m, all_matches=False
        )
        label[rest[k]] = j
    return label


def _catchment_groups(
    est: Estimate, ground: Ground, sites: np.ndarray, cell_m: float
) -> list[tuple[str | None, np.ndarray, np.ndarray]]:
    """Per side (``None``: on no side's ground): people's and sites' piece of its ground.

    Returns (side, person piece, site piece) with ``-1`` for people of other sides and
    for sites off the side's ground.
    """
    pts, _ = _located(est, cell_m)
    snap_m = ground.projected.rules.snap_m
    side_of = np.full(len(pts), None, dtype=object)
    if len(pts):
        tree = _points_tree(est, cell_m)
        for side in ground.sides:
            territory = ground.territory.get(side)
            if territory is None or shapely.is_empty(territory):
                continue
            idx = tree.query(territory, predicate="intersects")
            idx = idx[side_of[idx] == None]  # noqa: E711 - first side wins on a boundary
            side_of[idx] = side
    groups = []
    for side in (*ground.sides, None):
        mine = (
            np.flatnonzero(side_of == side)
            if side is not None
            else np.flatnonzero(pd.isna(side_of))
        )
        if not len(mine):
            continue
        parts = _catch_parts(ground, side)
        person = np.full(len(pts), -1, dtype=np.int64)
        person[mine] = _nearest_part(parts, pts, snap_m, _points_tree(est, cell_m))[mine]
        groups.append((side, person, _nearest_part(parts, sites, snap_m)))
    return groups


def _catchment(
    rows: np.ndarray,
    sites: np.ndarray,
    groups: list[tuple[str | None, np.ndarray, np.ndarray]],
    est: Estimate,
    ground: Ground,
    graph: Any,
    cell_m: float,
) -> tuple[np.ndarray, float]:
    """People served by each site of ``rows`` (one kind), piece by piece of ground.

    Returns the people per site and the people no site of the kind serves.
    """
    pts, weights = _located(est, cell_m)
    served = np.zeros(len(rows))
    done = np.zeros(len(pts), dtype=bool)
    for side, person, site_part in groups:
        here = site_part[rows]
        for part in np.unique(person[person >= 0]):
            mine = np.flatnonzero(here == part)
            if not len(mine):
                continue
            who = np.flatnonzero(person == part)
            site = _nearest_site(ground, side, int(part), graph, sites[rows[mine]], pts[who])
            ok = site >= 0
            served += np.bincount(mine[site[ok]], weights=weights[who][ok], minlength=len(rows))
            done[who[ok]] = True
    return served, float(weights[~done].sum())


def _part_nodes(ground: Ground, side: str | None, part: int, graph: Any) -> np.ndarray:
    """Road nodes on piece ``part`` of the ground of ``side`` (within snap_m), sorted."""

    def build() -> np.ndarray:
        parts = _catch_parts(ground, side)
        return _nearest_part(parts, graph.node_points, ground.projected.rules.snap_m)

    key = ("exposure_node_parts", _gkey(ground), side, id(graph))
    return np.flatnonzero(_memo(ground, key, build) == part)


def _nearest_of(tree: shapely.STRtree, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest tree item of each geometry (ties: the lowest position) and its distance."""
    (which, item), dist = tree.query_nearest(geoms, return_distance=True)
    _, first = np.unique(which, return_index=True)
    return item[first].astype(np.int64), dist[first]


def _nearest_site(
    ground: Ground,
    side: str | None,
    part: int,
    graph: Any,
    sites: np.ndarray,
    people: np.ndarray,
) -> np.ndarray:
    """Position in ``sites`` of each person's nearest site (-1: none reachable).

    Along the roads usable by ``side`` when the piece has road nodes (sites snap to the
    piece's nodes, their snap counted; people to the nearest node of the piece reached
    from a site, since they walk on their piece to it), straight-line otherwise.
    """
    nodes = _part_nodes(ground, side, part, graph) if graph is not None else np.zeros(0)
    if not len(nodes):
        _, s = shapely.STRtree(sites).query_nearest(people, all_matches=False)
        return s.astype(np.int64)
    from scipy import sparse
    from scipy.sparse.csgraph import dijkstra

    from ._graph import tree_roots

    tree = shapely.STRtree(graph.node_points[nodes])
    at, snap = _nearest_of(tree, sites)
    at = nodes[at]
    # a super-source linked to each site's node by its snap distance (the nearest site
    # of a shared node wins): one Dijkstra gives every node's nearest site
    best = np.lexsort((snap, at))
    _, first = np.unique(at[best], return_index=True)
    pick = best[first]
    n = graph.n_nodes
    base = _side_csr(ground, side, graph)
    csr = sparse.csr_array(
        (
            np.concatenate([base.data, snap[pick]]),
            np.concatenate([base.indices, at[pick]]).astype(base.indices.dtype),
            np.concatenate([base.indptr, [base.indptr[-1] + len(pick)]]).astype(base.indptr.dtype),
        ),
        shape=(n + 1, n + 1),
    )
    dist, pred = dijkstra(csr, directed=True, indices=n, return_predecessors=True)
    dist, pred = dist[:n], pred[:n]
    site_at = np.full(n + 1, -1, dtype=np.int64)
    site_at[at[pick]] = pick
    root = tree_roots(pred, n)
    # people walk on their piece of ground to its nearest node reached from a site
    reached = nodes[np.isfinite(dist[nodes])]
    node = reached[_nearest_of(shapely.STRtree(graph.node_points[reached]), people)[0]]
    return site_at[root[node]]


def recent_incidents(
    incidents: gpd.GeoDataFrame | None, points: np.ndarray, day: dt.date, rules: Rules
) -> tuple[np.ndarray, np.ndarray]:
    """Incidents within ``incident_radius_m`` of each point in the window up to ``day``.

    The window is the ``incident_window_days`` days ending on ``day`` (included). An
    incident with a ``date`` counts when that date falls in the window. One known only by
    its period (``date`` missing, ``valid_from``/``valid_to`` set, e.g. a year) counts,
    separately, when its period overlaps the window: those counts are imprecise.

    Returns
    -------
    tuple of numpy.ndarray of int
        Precise and imprecise counts per point.
    """
    n = len(points)
    precise, imprecise = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    if incidents is None or not len(incidents) or not n:
        return precise, imprecise
    last = pd.Timestamp(day)
    first = last - pd.Timedelta(days=rules.incident_window_days - 1)
    when = (
        pd.to_datetime(incidents["date"], errors="coerce")
        if "date" in incidents
        else pd.Series(pd.NaT, index=incidents.index)
    )
    dated = ((when >= first) & (when <= last)).to_numpy(bool)

    def bound(column: str) -> pd.Series:
        if column not in incidents:
            return pd.Series(pd.NaT, index=incidents.index, dtype="datetime64[ns]")
        return pd.to_datetime(incidents[column], errors="coerce")

    start, end = bound("valid_from"), bound("valid_to")  # end exclusive; NaT: open
    has_period = start.notna() | end.notna()
    overlaps = (start.isna() | (start <= last)) & (end.isna() | (end > first))
    vague = (when.isna() & has_period & overlaps).to_numpy(bool)
    geoms = incidents.geometry.to_numpy(dtype=object)
    for mask, counts in ((dated, precise), (vague, imprecise)):
        chosen = geoms[mask]
        if len(chosen):
            fi, _ = shapely.STRtree(chosen).query(
                points, predicate="dwithin", distance=rules.incident_radius_m
            )
            counts += np.bincount(fi, minlength=n)
    return precise, imprecise


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
