"""Every key of the per-call :class:`~geoaccess.engine.cache.Cache`, built here and only here.

A date's results depend on the rows of each layer valid that day, not on the date: keys
are made of :class:`DayRows` (positions of the valid rows), so that two dates with the
same zones share their territories, two with the same zones and siege lines their side
views, and so on. Each function names what its value depends on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass

__all__ = ["DayRows"]

Rows = tuple[int, ...]


@dataclass(frozen=True)
class DayRows:
    """Positions of the rows valid on one day, per layer (``()`` where a layer is absent)."""

    zones: Rows
    siege_lines: Rows
    roads: Rows
    areas: Rows
    corridors: Rows
    population: Rows
    facilities: Rows
    impassable: Rows

    @property
    def ground(self) -> Hashable:
        """What territories, pockets and front lines depend on: zones and impassable ground."""
        return (self.zones, self.impassable)

    @property
    def barriers(self) -> Hashable:
        """What every side's hostile and passable ground depend on (roads make bridges)."""
        return (self.zones, self.siege_lines, self.impassable, self.roads)

    @property
    def pieces(self) -> Hashable:
        """What the pieces of areas and their evidence depend on (corridors aside)."""
        return (self.zones, self.siege_lines, self.impassable, self.roads, self.areas)


def day(date: dt.date) -> Hashable:
    """The :class:`DayRows` of a date."""
    return ("day", date)


def impassable(rows: DayRows) -> Hashable:
    """Impassable ground (the sea and the impassable layer)."""
    return ("impassable", rows.impassable)


def usable(rows: DayRows, side: str) -> Hashable:
    """The road segments a side can use."""
    return ("usable", rows.barriers, side)


def ground(rows: DayRows) -> Hashable:
    """Territories, pockets and front lines."""
    return ("ground", rows.ground)


def unmapped(rows: DayRows) -> Hashable:
    """Ground no zone covers, counted as hostile (``Rules(unmapped="hostile")``)."""
    return ("unmapped", rows.ground)


def side_view(rows: DayRows, side: str) -> Hashable:
    """Hostile, barrier and passable ground of one side."""
    return ("side_view", rows.barriers, side)


def barriers(rows: DayRows, held: Rows) -> Hashable:
    """Front lines plus the siege lines ``held`` by a side's enemies.

    Sides facing the same lines share them.
    """
    return ("barriers", rows.ground, held)


def clearance_lines(rows: DayRows, held: Rows, front_rows: Rows) -> Hashable:
    """The front lines (rows of the day's front) and siege lines a clearance keeps from.

    Sides keeping the same lines share them.
    """
    return ("clearance_lines", rows.ground, held, front_rows)


def clearance_obstacles(rows: DayRows, side: str) -> Hashable:
    """A side's hostile ground and clearance lines grown into one polygon."""
    return ("clearance_obstacles", rows.barriers, side)


def blocked_rung(rows: DayRows, side: str, clearance: float) -> Hashable:
    """The ground a clearance keeps a side from, at a rung of the buffer ladder."""
    return ("blocked_rung", rows.barriers, side, clearance)


def rear_components(rows: DayRows, side: str, clearance: float) -> Hashable:
    """The components of a side's safe ground at a clearance that reach its rear."""
    return ("rear_components", rows.barriers, side, clearance)


def usable_components(rows: DayRows, side: str) -> Hashable:
    """Components of a side's usable road graph and which of them hold a rear node."""
    return ("usable_components", rows.barriers, side)


def road_graph(rows: DayRows) -> Hashable:
    """The noded road graph."""
    return ("road_graph", rows.roads)


def road_use(rows: DayRows, side: str) -> Hashable:
    """A side's usable segments, rear nodes and open road components."""
    return ("road_use", rows.barriers, rows.roads, side)


def flow(inputs: bytes, lifelines: bool) -> Hashable:
    """A maximum flow on the roads, by a digest of everything it reads.

    The usable road edges, the area's nodes and the rear nodes, not the date's rows:
    an area far from what changed between two dates keeps its flow.
    """
    return ("flow", inputs, lifelines)


def pieces(rows: DayRows) -> Hashable:
    """Areas cut by pockets."""
    return ("pieces", rows.pieces)


def grounded(rows: DayRows, detail: str) -> Hashable:
    """The corridor-free part of a date's evaluation at one depth.

    Pockets and pieces with their evidence, reporting units with their dominant piece.
    """
    return ("grounded", rows.pieces, rows.population, detail)


def no_corridors() -> Hashable:
    """The empty corridor table and its open entrances."""
    return ("no_corridors",)


def footprints(rows: DayRows) -> Hashable:
    """The ground whose people each area piece holds (its residue dissolved into it)."""
    return ("footprints", rows.pieces)


def primary_people(rows: DayRows) -> Hashable:
    """People of the primary population estimate per piece of area."""
    return ("primary_people", rows.pieces, rows.population)


def walk_parts(rows: DayRows, side: str | None) -> Hashable:
    """Connected pieces of the ground a walker of ``side`` moves on."""
    return ("walk_parts", rows.barriers, side)


def unheld_parts(rows: DayRows) -> Hashable:
    """Connected pieces of the frame cut by every front and siege line."""
    return ("unheld_parts", rows.barriers)


def walk_roads(rows: DayRows, side: str | None) -> Hashable:
    """Road lengths a walker of ``side`` can use."""
    return ("walk_roads", rows.barriers, rows.roads, side)


def node_parts(rows: DayRows, side: str | None) -> Hashable:
    """The piece of a walker's ground each road node stands on."""
    return ("node_parts", rows.barriers, rows.roads, side)


def reach_region(
    rows: DayRows, side: str | None, xy: tuple[float, float], reach_m: float
) -> Hashable:
    """Ground within walking reach of a corridor entrance, on the entrance's piece."""
    return ("reach_region", rows.barriers, side, xy, reach_m)


def estimates(rows: DayRows) -> Hashable:
    """Every population estimate allocated to the pieces and units of these rows."""
    return ("estimates", rows.pieces, rows.population)


def estimate(name: str, rows: DayRows) -> Hashable:
    """One population estimate's allocation to the pieces and reporting units."""
    return ("estimate", name, rows.pieces, rows.population)


def people_points(estimate_key: Hashable, cell_m: float) -> Hashable:
    """An estimate's located people as weighted points."""
    return ("people_points", estimate_key, cell_m)


def people_tree(estimate_key: Hashable, cell_m: float) -> Hashable:
    """The spatial index of an estimate's located people."""
    return ("people_tree", estimate_key, cell_m)


def people_nodes(estimate_key: Hashable, rows: DayRows, cell_m: float) -> Hashable:
    """The nearest road node of each located person."""
    return ("people_nodes", estimate_key, rows.roads, cell_m)


def people_parts(
    estimate_key: Hashable, rows: DayRows, side: str | None, cell_m: float
) -> Hashable:
    """Which located people stand on which piece of a walker's ground."""
    return ("people_parts", estimate_key, rows.barriers, side, cell_m)


def walk(
    estimate_key: Hashable,
    rows: DayRows,
    side: str | None,
    xy: tuple[float, float],
    cell_m: float,
) -> Hashable:
    """The walk by road from a corridor entrance to each located person."""
    return ("walk", estimate_key, rows.barriers, rows.roads, side, xy, cell_m)


def in_wgs84(what: str, rows: Hashable) -> Hashable:
    """A date's derived geometries in EPSG:4326 (pockets, front lines, road segments).

    ``rows`` is what they depend on: :attr:`DayRows.ground` for pockets and front lines,
    :attr:`DayRows.roads` for road segments.
    """
    return ("in_wgs84", what, rows)
