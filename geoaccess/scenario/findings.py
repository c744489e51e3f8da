"""Non-fatal findings about a scenario that loaded: :func:`validate`.

Fatal problems are raised when a scenario is built (:mod:`geoaccess.scenario.prepare`); what is
left here deserves an analyst's look but does not stop an assessment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from ..crs import WGS84, to_metric
from ..errors import Problem
from .days import span_text, valid_days

if TYPE_CHECKING:
    from .model import Scenario

__all__ = ["validate"]

#: Gaps covered by no zone are reported when larger than this share of the frame.
GAP_SHARE = 0.01


def validate(scenario: Scenario) -> list[Problem]:
    """Non-fatal findings about a scenario that loaded.

    Looks for: layers with no rows; gaps inside the frame that no zone covers, larger than
    1% of the frame, on any date zones change (unmapped ground is passable by default, so
    such gaps can open routes that do not exist); zones reaching outside the declared
    extent; corridor entrances (first vertex) outside every zone valid on the corridor's
    dates; parties that hold no ground; sides with no rear anchor whose ground, and that of
    their allied and neutral sides, nowhere reaches the frame (their pockets will count as
    encircled unless unmapped ground links them to it); a frame taken from the zones'
    bounding box (no extent declared) whose edge passes for the rear of some side;
    relations declared with a contested side (which is hostile to all).

    Parameters
    ----------
    scenario : Scenario
        A scenario (fatal problems were already raised when it was built).

    Returns
    -------
    list of Problem
        Each names the layer, row and column concerned; empty when nothing is worth a look.

    Examples
    --------
    >>> import geopandas as gpd, shapely, geoaccess as ga
    >>> zones = gpd.GeoDataFrame({"party": ["saa"]}, geometry=[shapely.box(36, 36, 37, 37)],
    ...                          crs="EPSG:4326")
    >>> parties = [{"id": "saa", "side": "government"}, {"id": "ypg", "side": "sdf"}]
    >>> scn = ga.Scenario.create("demo", parties=parties, zones=zones, extent=(36, 36, 37, 37))
    >>> for problem in ga.validate(scn):
    ...     print(problem)
    layer 'parties', row 'ypg', column 'id': the party holds no zone on any date (found 'ypg')
    """
    problems = [
        Problem(name, "the layer has no rows")
        for name, layer in scenario.layers.items()
        if len(layer) == 0
    ]
    zones = scenario.zones
    if len(zones) == 0:
        return problems
    metric = scenario.metric_crs
    zones_m = np.asarray(to_metric(zones.geometry, metric).values)
    frame_m = to_metric(gpd.GeoSeries([scenario.frame], crs=WGS84), metric).iloc[0]
    start, end = valid_days(zones)
    if scenario.date is not None:  # filtered by Scenario.at: look at that day only
        day = int(np.datetime64(scenario.date, "D").astype(np.int64))
        start = np.where(start <= day, np.iinfo(np.int64).min, start)
        end = np.where(end > day, np.iinfo(np.int64).max, end)
    problems += _gaps(zones_m, frame_m, start, end)
    if scenario.declared_extent is not None:
        beyond = gpd.GeoSeries(
            shapely.difference(np.asarray(zones.geometry.values), scenario.frame), crs=WGS84
        )
        outside = to_metric(beyond, metric).area.to_numpy()
        for row, area in zip(zones.index[outside >= 1.0], outside[outside >= 1.0], strict=True):
            problems.append(
                Problem(
                    "zones",
                    f"reaches {area:,.0f} m² outside the declared "
                    "extent; enlarge the extent or clip the zone",
                    row,
                    "geometry",
                )
            )
    if scenario.corridors is not None and len(scenario.corridors):
        problems += _corridor_entrances(scenario.corridors, zones, start, end)
    held = set(zones["party"])
    for party in scenario.parties["id"]:
        if party not in held:
            problems.append(
                Problem("parties", "the party holds no zone on any date", party, "id", party)
            )
    reach = shapely.dwithin(zones_m, frame_m.exterior, scenario.rules.snap_m)
    sides = zones["party"].map(scenario.side_of).to_numpy()
    for side in scenario.sides:
        friends = [s for s in scenario.sides if scenario.relation(side, s) != "hostile"]
        on_edge = reach[np.isin(sides, friends)].any()
        if len(scenario.rear_anchors(side)) == 0 and not on_edge and side in set(sides):
            problems.append(
                Problem(
                    "zones",
                    f"side {side!r} has no rear anchor and neither its zones nor those "
                    "of allied or neutral sides reach the frame, so its pockets will count as "
                    "encircled unless unmapped ground links them to the frame; declare "
                    f"[sides.{side}] rear = [[lon, lat]] if it has a rear",
                    column="party",
                    value=side,
                )
            )
    problems += _frame_from_zones(scenario, reach, sides)
    for side_a, side_b, relation in scenario.relations[["side_a", "side_b", "relation"]].itertuples(
        index=False
    ):
        for side in (side_a, side_b):
            if side in scenario.contested and relation != "hostile":
                problems.append(
                    Problem(
                        "relations",
                        f"side {side!r} is contested, so hostile to every side: the "
                        f"{relation} relation with {side_b if side == side_a else side_a!r} "
                        "is not applied",
                        f"{side_a} / {side_b}",
                        "relation",
                        relation,
                    )
                )
    return problems


def _frame_from_zones(scenario: Scenario, reach: np.ndarray, sides: np.ndarray) -> list[Problem]:
    """One finding when the frame is the zones' bounding box and sides reach it.

    Without a declared extent, the frame is the bounding box of the zones, and ground at
    its edge counts as connected to the rear. For a map that shows one side only (or
    stops short of the theatre's real edges), that edge is an artefact: a besieged city
    whose own zones span the box comes out "not encircled".
    """
    if scenario.declared_extent is not None or len(scenario.sides) < 2:
        return []
    on_edge = [
        side
        for side in dict.fromkeys(sides[reach])
        if side not in scenario.contested and not len(scenario.rear_anchors(side))
    ]
    if not on_edge:
        return []
    names = ", ".join(map(repr, on_edge))
    return [
        Problem(
            "manifest",
            f"no extent is declared, so the frame is the zones' bounding box, and the ground "
            f"of {names} reaches the rear at its edge: if the zones do not cover the whole "
            "theatre (a map of one side's ground, say), declare extent = [lon_min, lat_min, "
            "lon_max, lat_max] of the theatre, or rear anchors ([sides.<side>] rear), so "
            "that the map's own edge is not taken for the rear",
            column="extent",
            value=on_edge,
        )
    ]


def _evaluation_days(start: np.ndarray, end: np.ndarray) -> list[int]:
    """One day in each run of days on which the set of valid rows is constant."""
    lowest, highest = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    edges = np.unique(np.concatenate([start[start != lowest], end[end != highest]]))
    if not len(edges):
        return [0]
    before = [int(edges[0]) - 1] if (start == lowest).any() else []
    return before + [int(d) for d in edges]


def _gaps(
    zones_m: np.ndarray, frame_m: shapely.Geometry, start: np.ndarray, end: np.ndarray
) -> list[Problem]:
    """Ground inside the frame covered by no zone, larger than ``GAP_SHARE`` of the frame."""
    threshold = GAP_SHARE * frame_m.area
    lowest, highest = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    days = _evaluation_days(start, end)
    runs: list[tuple[str, int]] = []  # (description, first day of the run)
    for k, day in enumerate(days):
        valid = (start <= day) & (day < end)
        gap = shapely.difference(frame_m, shapely.union_all(zones_m[valid]))
        parts = shapely.get_parts(gap)
        area = shapely.area(parts[shapely.area(parts) > threshold])
        text = (
            ""
            if not len(area)
            else (
                f"{len(area)} gap(s) covered by no zone, {area.sum() / 1e6:,.1f} km² in all "
                f"({100 * area.sum() / frame_m.area:.0f}% of the frame)"
            )
        )
        if not runs or runs[-1][0] != text:
            first = lowest if k == 0 and (start == lowest).any() else day
            runs.append((text, first if len(days) > 1 else lowest))
    ends = [first for _, first in runs[1:]] + [highest]
    return [
        Problem(
            "zones",
            f"{text} {span_text(first, last)}; unmapped ground counts as passable "
            "(Rules.unmapped): map it, or check that this is intended",
            column="geometry",
        )
        for (text, first), last in zip(runs, ends, strict=True)
        if text
    ]


def _corridor_entrances(
    corridors: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, start: np.ndarray, end: np.ndarray
) -> list[Problem]:
    """Corridor entrances that stand in no zone on some day the corridor is valid."""
    entrances = shapely.get_point(np.asarray(corridors.geometry.values), 0)
    hits = shapely.STRtree(np.asarray(zones.geometry.values)).query(
        entrances, predicate="intersects"
    )
    c_start, c_end = valid_days(corridors)
    days = np.array(_evaluation_days(start, end))
    problems = []
    for i, row in enumerate(corridors.index):
        holders = hits[1][hits[0] == i]
        first = max(c_start[i], days.min() - 1)
        check = np.unique(np.concatenate([[first], days[(days > first) & (days < c_end[i])]]))
        uncovered = [d for d in check if not ((start[holders] <= d) & (d < end[holders])).any()]
        if uncovered:
            shown = ", ".join(str(np.datetime64(int(d), "D")) for d in uncovered[:3])
            problems.append(
                Problem(
                    "corridors",
                    f"the entrance (first vertex) lies in no zone on {shown}"
                    f"{' and later' if len(uncovered) > 3 else ''}; draw the corridor from "
                    "inside the encircled ground to its exit",
                    row,
                    "geometry",
                )
            )
    return problems
