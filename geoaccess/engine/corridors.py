"""Humanitarian corridors on one date: where they start and end, what they cross.

A corridor is a line from its *entrance* (first vertex, inside the encircled side) to its
*exit* (last vertex). Its entrance pocket is the pocket within ``snap_m`` of the entrance
(the nearest one when several are). An ``open`` corridor of kind ``aid`` or ``mixed``
lifts the encircled pocket its entrance lies in (and that pocket's areas) from
``besieged`` to ``hard_to_reach``; ``civilian`` and ``combatant`` corridors do not.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..schema import AID_KINDS
from .columns import frame_values
from .context import Context
from .territory import Ground

__all__ = ["aid_pockets", "aid_pockets_at", "corridor_table", "open_entrances"]

COLUMNS = [
    "corridor_id",
    "name",
    "kind",
    "status",
    "entrance_pocket",
    "entrance_area",
    "entrance_side",
    "exit_pocket",
    "exit_area",
    "front_line_crossings",
    "crosses_front_line",
    "length_m",
    "population_within_reach",
]


def corridor_table(
    ctx: Context, ground: Ground, *, areas: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """One row per corridor valid on the ground's date (metric CRS).

    Parameters
    ----------
    ctx : Context
        The projected scenario.
    ground : Ground
        Territories, pockets and front lines of the date.
    areas : GeoDataFrame, optional
        Areas valid on the date (metric CRS), with ``area_id``.

    Returns
    -------
    GeoDataFrame
        ``corridor_id``, ``name``, ``kind``, ``status``, ``entrance_pocket``,
        ``entrance_area``, ``entrance_side``, ``exit_pocket``, ``exit_area``,
        ``front_line_crossings`` (times the line crosses a derived front line),
        ``crosses_front_line``, ``length_m``, ``population_within_reach`` (``NaN``: set
        by the population step) and the line geometry.
    """
    corridors = ctx.layer_at("corridors", ground.rows.corridors)
    crs = ctx.crs
    if corridors is None or not len(corridors):
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in [*COLUMNS, "entrance"]},
            geometry=gpd.GeoSeries([], crs=crs),
        )
    lines = corridors.geometry.values
    entrance = shapely.get_point(lines, 0)
    exit_ = shapely.get_point(lines, -1)
    snap = ctx.rules.snap_m
    pockets = ground.pockets
    in_pocket, pocket_side = _nearest(entrance, pockets, "pocket_id", snap, extra="side")
    out_pocket, _ = _nearest(exit_, pockets, "pocket_id", snap)
    if areas is not None and len(areas):
        in_area, _ = _nearest(entrance, areas, "area_id", 0.0)
        out_area, _ = _nearest(exit_, areas, "area_id", 0.0)
    else:
        in_area, out_area = in_pocket, out_pocket
    front = ground.front_union
    crossing = shapely.intersection(lines, front)
    crossings = np.where(shapely.is_empty(crossing), 0, shapely.get_num_geometries(crossing))

    def text(column: str) -> np.ndarray | pd.api.extensions.ExtensionArray:
        if column not in corridors:
            return np.full(len(corridors), None, dtype=object)
        return frame_values(corridors[column], none_for_missing=True)

    return gpd.GeoDataFrame(
        {
            "corridor_id": text("corridor_id"),
            "name": text("name"),
            "kind": text("kind"),
            "status": text("status"),
            "entrance_pocket": in_pocket,
            "entrance_area": in_area,
            "entrance_side": pocket_side,
            "exit_pocket": out_pocket,
            "exit_area": out_area,
            "front_line_crossings": crossings.astype(int),
            "crosses_front_line": crossings > 0,
            "length_m": shapely.length(lines),
            "population_within_reach": np.full(len(corridors), np.nan),
            "entrance": entrance,
            # the lines as values: a GeoSeries of its own index would be aligned on the
            # corridors' labels, and every corridor not in the layer's first rows lost it
            "geometry": lines,
        },
        geometry="geometry",
        crs=crs,
        index=corridors.index,
    )


def _nearest(
    points: np.ndarray,
    frame: gpd.GeoDataFrame,
    column: str,
    distance: float,
    extra: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    ids = np.full(len(points), None, dtype=object)
    more = np.full(len(points), None, dtype=object)
    if not len(frame) or not len(points):
        return ids, more
    tree = shapely.STRtree(frame.geometry.values)
    which, found = tree.query_nearest(points, max_distance=distance or None, all_matches=False)
    if distance == 0:
        hit = shapely.intersects(points[which], frame.geometry.values[found])
        which, found = which[hit], found[hit]
    ids[which] = frame[column].to_numpy(dtype=object)[found]
    if extra is not None:
        more[which] = frame[extra].to_numpy(dtype=object)[found]
    return ids, more


def open_entrances(table: pd.DataFrame) -> pd.DataFrame:
    """Entrances of the open corridors: ``entrance``, ``kind``, ``entrance_pocket``.

    A plain frame of object columns, the table's index kept.
    """
    is_open = table["status"].astype(object).eq("open").to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            column: table[column].to_numpy(dtype=object)[is_open]
            for column in ("entrance", "kind", "entrance_pocket")
        },
        index=table.index[is_open],
    )


def aid_pockets(table: pd.DataFrame) -> set[str]:
    """Pockets whose entrance hosts an open ``aid`` or ``mixed`` corridor."""
    entrances = open_entrances(table)
    aid = entrances["kind"].isin(AID_KINDS).to_numpy(dtype=bool)
    return {p for p in entrances["entrance_pocket"].to_numpy(dtype=object)[aid] if p}


def aid_pockets_at(ctx: Context, ground: Ground) -> set[str]:
    """``aid_pockets(corridor_table(ctx, ground, ...))``, looking up open aid entrances only."""
    corridors = ctx.layer_at("corridors", ground.rows.corridors)
    if corridors is None or not len(corridors) or not {"status", "kind"} <= set(corridors):
        return set()
    chosen = (
        corridors["status"].astype(object).eq("open")
        & corridors["kind"].astype(object).isin(AID_KINDS)
    ).to_numpy(dtype=bool)
    entrance = shapely.get_point(corridors.geometry.values[chosen], 0)
    found, _ = _nearest(entrance, ground.pockets, "pocket_id", ctx.rules.snap_m)
    return {p for p in found if p}
