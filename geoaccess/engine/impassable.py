"""Impassable ground on a date: the sea and the ``impassable`` layer (DESIGN §8).

Nobody passes impassable ground on foot or by road, and the frame's edge where it lies
is not a rear. Polygons (sea, lakes, minefields) are impassable as drawn; lines (rivers,
walls) are a band ``snap_m`` wide. A road crossing impassable ground is a bridge or a
causeway: it is passable along the road for a side that can use the road
(:func:`geoaccess.engine.sides.side_view`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from . import keys
from .cache import Cache
from .context import Context

__all__ = ["Impassable", "impassable_at"]

EMPTY = shapely.GeometryCollection()


@dataclass(frozen=True, eq=False)
class Impassable:
    """Impassable ground on one date (metric CRS).

    Attributes
    ----------
    areas : shapely.Geometry
        Impassable polygons, the sea included: no territory holds them.
    ground : shapely.Geometry
        Everything impassable: ``areas`` plus the lines' bands (``snap_m`` wide).
    """

    areas: shapely.Geometry
    ground: shapely.Geometry

    @property
    def is_empty(self) -> bool:
        """Whether there is no impassable ground at all."""
        return bool(shapely.is_empty(self.ground))


def impassable_at(ctx: Context, cache: Cache, rows: keys.DayRows) -> Impassable:
    """The impassable ground of the rows valid on a date, with the sea (memoised)."""

    def build() -> Impassable:
        polygons = [ctx.sea] if not shapely.is_empty(ctx.sea) else []
        bands = []
        layer = ctx.layer_at("impassable", rows.impassable)
        if layer is not None and len(layer):
            geoms = np.asarray(layer.geometry.array, dtype=object)
            kinds = shapely.get_type_id(geoms)
            polygons.extend(geoms[np.isin(kinds, (3, 6))])
            lines = geoms[np.isin(kinds, (1, 5))]
            if len(lines):
                bands.append(shapely.buffer(shapely.union_all(lines), ctx.rules.snap_m / 2.0))
        areas = shapely.intersection(shapely.union_all(polygons), ctx.frame) if polygons else EMPTY
        ground = shapely.union_all([areas, *bands]) if bands else areas
        return Impassable(areas, ground)

    return cache.get(keys.impassable(rows), build)
