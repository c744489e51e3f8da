"""Checks across rows and layers: unique ids, overlapping zones, references to parties."""

from __future__ import annotations

from collections.abc import Hashable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..crs import to_metric
from .days import span_text, valid_days
from .problems import Findings

__all__ = ["check_references", "check_unique_ids", "check_zone_overlaps"]


def check_unique_ids(layers: dict[str, gpd.GeoDataFrame | None], found: Findings) -> None:
    """One row per id and day: corridor, area and facility ids may repeat only over time."""
    for name, column in (
        ("corridors", "corridor_id"),
        ("areas", "area_id"),
        ("facilities", "facility_id"),
    ):
        layer = layers.get(name)
        if layer is None or column not in layer:
            continue
        ids = layer[column]
        repeated = np.flatnonzero((ids.notna() & ids.duplicated(keep=False)).to_numpy())
        start, end = valid_days(layer)
        for _, positions in pd.Series(repeated).groupby(ids.to_numpy()[repeated]):
            positions = positions.to_numpy()
            for k, i in enumerate(positions):
                for j in positions[k + 1 :]:
                    lo, hi = max(start[i], start[j]), min(end[i], end[j])
                    if lo < hi:
                        found.error(
                            name,
                            f"{column} repeated in row {layer.index[i]!r}, "
                            f"both valid {span_text(lo, hi)}; give each row of one id its "
                            "own valid_from/valid_to, or a distinct id",
                            layer.index[j],
                            column,
                            ids.iloc[j],
                        )


#: Overlaps of zones of different parties smaller than this (m²) are digitising noise...
MIN_OVERLAP_M2 = 1.0
#: ... and so are slivers thinner than this on average (metres; 2 x area / perimeter), as
#: left along a shared border drawn twice: real overlaps are tens of metres wide or more.
MIN_OVERLAP_WIDTH_M = 1.0


def check_zone_overlaps(
    zones: gpd.GeoDataFrame,
    metric: CRS | None,
    found: Findings,
    *,
    side_of: dict[str, str] | None = None,
    derived: np.ndarray | None = None,
) -> None:
    """Zones of different sides may not hold the same ground on the same day.

    Zones of parties of one side may overlap (a tracker's "control" and "assessed
    advances" layers): a side's territory is the union of its zones, so they merge.
    Overlaps under :data:`MIN_OVERLAP_M2` or thinner than :data:`MIN_OVERLAP_WIDTH_M` are
    tolerated as digitising noise; the territory rules close such slivers anyway.

    ``derived`` marks the rows made from the others (the rest of a ``holds_rest``
    boundary: :func:`~geoaccess.scenario.rest.rest_zones`). Each is that boundary less
    every zone of another side valid on its days, so it is checked only against other
    derived rows (two sides' boundaries may cover the same unmapped ground); against
    the zones it was cut from, it could only meet them along their shared edges.
    """
    geoms = np.asarray(zones.geometry.values)
    usable = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms) & shapely.is_valid(geoms)
    # non-finite or out-of-range coordinates were reported already; projected, they
    # would only make GEOS warn
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        usable &= (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180)
        usable &= (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90)
    # a party that cannot be one (a list, as a GeoJSON property may hold) was reported by
    # check_references: its rows have no side to overlap another's
    parties = zones["party"].to_numpy(dtype=object)
    named = np.array([isinstance(p, Hashable) for p in parties], dtype=bool)
    usable &= named
    side_of = side_of or {}
    sides = np.array(
        [side_of.get(p, p) if ok else None for p, ok in zip(parties, named, strict=True)],
        dtype=object,
    )
    if metric is None or usable.sum() < 2:
        return
    candidates = np.flatnonzero(usable)
    # pairs of boxes first, then only those of two sides valid on a common day: a year
    # of daily maps is hundreds of rows over the same ground, but each row shares a day
    # with few others (testing every pair of boxes for intersecting first took over a
    # minute on a generated year of daily maps)
    left, right = shapely.STRtree(geoms[candidates]).query(geoms[candidates])
    left, right = candidates[left], candidates[right]
    start, end = valid_days(zones)
    lo, hi = np.maximum(start[left], start[right]), np.minimum(end[left], end[right])
    keep = (left < right) & (sides[left] != sides[right]) & (lo < hi)
    if derived is not None:
        keep &= derived[left] == derived[right]
    left, right, lo, hi = left[keep], right[keep], lo[keep], hi[keep]
    keep = shapely.intersects(geoms[left], geoms[right])
    left, right, lo, hi = left[keep], right[keep], lo[keep], hi[keep]
    if not len(left):
        return
    # neighbours on one map share their edges: that they only touch is cheaper to tell
    # (in lon/lat, where shared edges have the very same vertices) than to overlay them
    meet = ~shapely.touches(geoms[left], geoms[right])
    overlaps = np.full(len(left), shapely.Polygon(), dtype=object)
    if meet.any():
        rows = np.union1d(left[meet], right[meet])
        projected = np.asarray(to_metric(zones.geometry.iloc[rows], metric).values)
        # a polygon valid in lon/lat can turn invalid once projected (vertices of parts
        # that nearly touch meet): repaired, or GEOS refuses the intersection
        invalid = ~shapely.is_valid(projected)
        if invalid.any():
            projected[invalid] = shapely.make_valid(projected[invalid], method="structure")
        lookup = dict(zip(rows, projected, strict=True))
        overlaps[meet] = shapely.intersection(
            [lookup[i] for i in left[meet]], [lookup[j] for j in right[meet]]
        )
    areas, perimeters = shapely.area(overlaps), shapely.length(overlaps)
    with np.errstate(divide="ignore", invalid="ignore"):
        widths = np.where(perimeters > 0, 2 * areas / perimeters, 0.0)
    for i, j, a, w, d0, d1 in zip(left, right, areas, widths, lo, hi, strict=True):
        if a >= MIN_OVERLAP_M2 and w >= MIN_OVERLAP_WIDTH_M:
            found.error(
                "zones",
                f"overlaps row {zones.index[i]!r} (party {parties[i]!r}) by "
                f"{a:,.0f} m² {span_text(d0, d1)}; zones of different sides cannot "
                "hold the same ground on the same day: trim one of them or end one "
                "before the other starts",
                zones.index[j],
                "geometry",
                parties[j],
            )


def check_references(
    parties: pd.DataFrame,
    relations: pd.DataFrame,
    rear: pd.DataFrame,
    layers: dict[str, gpd.GeoDataFrame | None],
    found: Findings,
) -> None:
    """Parties, sides and relations named in the layers must exist."""
    # ids and sides that are not texts were reported already
    party_ids = {v for v in parties["id"] if isinstance(v, str)}
    sides = {v for v in parties["side"] if isinstance(v, str)}
    if not party_ids:  # reported once as "no parties", not once per row
        return
    for layer_name, column in (
        ("zones", "party"),
        ("siege_lines", "party"),
        ("corridors", "announced_by"),
    ):
        layer = layers.get(layer_name)
        if layer is None or column not in layer:
            continue
        values = layer[column]
        unknown = values.notna() & ~values.isin(party_ids)
        for row in layer.index[unknown.to_numpy()]:
            found.error(
                layer_name,
                f"unknown party; parties are {', '.join(sorted(party_ids))}",
                row,
                column,
                values[row],
            )
    for i, row in relations.iterrows():
        for column in ("side_a", "side_b"):
            if row[column] not in sides:
                found.error(
                    "relations",
                    f"unknown side; sides are {', '.join(sorted(sides))}",
                    i,
                    "sides",
                    row[column],
                )
    for i, row in rear.iterrows():
        if row["side"] not in sides:
            found.error(
                "rear",
                f"unknown side; sides are {', '.join(sorted(sides))}",
                i,
                "sides",
                row["side"],
            )
