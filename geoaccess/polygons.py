"""Keeping the polygonal part of a geometry, and merging polygons without needless overlays.

Intersecting two polygons that share an edge or a corner gives a GeometryCollection of
a polygon and a line or a point; areas, pieces and zones keep only their polygons.

Merging valid polygons (:func:`merged`) needs an overlay only where two or more may
meet: one polygon is its own union, and the separate parts of one valid polygonal
geometry make a valid MultiPolygon as they are.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["merged", "parts_merged", "polygonal", "polygonal_array"]

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
    """:func:`polygonal` of each geometry; polygons already are left as they are.

    The parts of all the other geometries are sorted out at once: one without polygons
    becomes an empty MultiPolygon, one with a single polygon that polygon, and only one
    with several is merged (:func:`shapely.union_all`, as :func:`polygonal` does).

    Examples
    --------
    >>> from shapely import GeometryCollection, LineString, Point, box
    >>> out = polygonal_array(
    ...     [box(0, 0, 1, 1), GeometryCollection([box(0, 0, 1, 1), Point(5, 5)]), Point(0, 0)]
    ... )
    >>> [g.geom_type for g in out], out[2].is_empty
    (['Polygon', 'Polygon', 'MultiPolygon'], True)
    """
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    mixed = np.flatnonzero(~np.isin(shapely.get_type_id(geoms), _POLYGON_TYPES))
    if not len(mixed):
        return out
    parts, owner = shapely.get_parts(geoms[mixed], return_index=True)
    polygon = np.isin(shapely.get_type_id(parts), _POLYGON_TYPES)
    parts, owner = parts[polygon], owner[polygon]
    counts = np.bincount(owner, minlength=len(mixed))
    for k in mixed[counts == 0]:
        out[k] = shapely.MultiPolygon()
    first = np.searchsorted(owner, np.arange(len(mixed)))  # parts come grouped by owner
    one = np.flatnonzero(counts == 1)
    out[mixed[one]] = parts[first[one]]
    for k in np.flatnonzero(counts > 1):
        out[mixed[k]] = shapely.union_all(parts[first[k] : first[k] + counts[k]])
    return out


def merged(geoms: npt.ArrayLike) -> shapely.Geometry:
    """The union of valid polygonal geometries, with no overlay for fewer than two.

    One geometry is returned as it is (it must be valid: a union would also have
    repaired it); two are merged by one binary overlay, which GEOS runs faster than its
    cascaded union of the same two; more go to :func:`shapely.union_all`. None gives an
    empty GeometryCollection, as :func:`shapely.union_all` does.

    Examples
    --------
    >>> from shapely import box
    >>> merged([box(0, 0, 1, 1)]).wkt
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    >>> merged([box(0, 0, 1, 1), box(1, 0, 2, 1)]).area
    2.0
    >>> merged([]).is_empty
    True
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 1:
        return geoms[0]
    if len(geoms) == 2:
        return shapely.union(geoms[0], geoms[1])
    return shapely.union_all(geoms)


def parts_merged(parts: npt.NDArray[np.object_]) -> shapely.Geometry:
    """Polygons taken from one valid polygonal geometry, as one geometry, with no overlay.

    The polygons of a valid (multi)polygon meet at most at points, so any of them make a
    valid MultiPolygon as they are (one stays a Polygon; none give an empty
    GeometryCollection).

    Examples
    --------
    >>> from shapely import MultiPolygon, box, get_parts
    >>> parts = get_parts(MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1), box(4, 0, 5, 1)]))
    >>> parts_merged(parts[:2]).wkt
    'MULTIPOLYGON (((1 0, 1 1, 0 1, 0 0, 1 0)), ((3 0, 3 1, 2 1, 2 0, 3 0)))'
    """
    parts = np.asarray(parts, dtype=object)
    if not len(parts):
        return shapely.GeometryCollection()
    if len(parts) == 1:
        return parts[0]
    return shapely.multipolygons(parts)
