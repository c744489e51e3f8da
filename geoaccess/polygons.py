"""Keeping the polygonal part of a geometry (what an intersection of areas leaves).

Intersecting two polygons that share an edge or a corner gives a GeometryCollection of
a polygon and a line or a point; areas, pieces and zones keep only their polygons.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["polygonal", "polygonal_array"]

_POLYGON_TYPES = (3, 6)  # Polygon, MultiPolygon


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons of ``geom`` as one geometry (an empty MultiPolygon when none).

    Examples
    --------
    >>> from shapely import GeometryCollection, Point, box
    >>> polygonal(GeometryCollection([box(0, 0, 1, 1), Point(5, 5)])).wkt
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    >>> polygonal(Point(0, 0)).is_empty
    True
    """
    if shapely.get_type_id(geom) in _POLYGON_TYPES:
        return geom
    parts = shapely.get_parts(geom)
    parts = parts[np.isin(shapely.get_type_id(parts), _POLYGON_TYPES)]
    if not len(parts):
        return shapely.MultiPolygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def polygonal_array(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """:func:`polygonal` of each geometry; polygons already are left as they are."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    mixed = np.flatnonzero(~np.isin(shapely.get_type_id(geoms), _POLYGON_TYPES))
    for k in mixed:
        out[k] = polygonal(geoms[k])
    return out
