"""The one choice of a local metric CRS."""

from __future__ import annotations

import logging
import math
from typing import TypeVar

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from .threaded import in_parts, in_slices

__all__ = [
    "MAX_SEGMENT_DEG",
    "MAX_SEGMENT_M",
    "WGS84",
    "metric_crs_for",
    "reproject",
    "to_metric",
    "to_wgs84",
]

GeoT = TypeVar("GeoT", gpd.GeoDataFrame, gpd.GeoSeries)

log = logging.getLogger(__name__)

#: The CRS of scenarios and results (lon/lat).
WGS84 = CRS.from_epsg(4326)

#: Longest edge (degrees, about 550 m) that lon/lat geometries keep when projected: a
#: longer straight edge is a different curve in metres than the same stretch cut in two,
#: so shapes sharing a boundary (a zone and the rest of a frame) would overlap.
MAX_SEGMENT_DEG = 0.005

#: Longest edge (metres) that projected input keeps when it is stored in lon/lat, for
#: the same reason: a straight edge in metres stays straight to within millimetres.
MAX_SEGMENT_M = 500.0

#: Latitudes covered by the UTM zones (beyond them, a world projection is used).
UTM_LATITUDES = (-80.0, 84.0)

#: Geometry types rebuilt from ragged arrays by :func:`reproject` (Polygon, MultiPolygon).
_RAGGED = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)

#: Frames with fewer coordinates than this are reprojected by GeoPandas (which keeps
#: its transformers); larger ones with fewer copies (:func:`reproject`).
COPY_FROM_COORDINATES = 100_000


def metric_crs_for(extent: tuple[float, float, float, float]) -> CRS:
    """The WGS 84 UTM zone holding the centre of a lon/lat extent.

    The zone is the standard 6° band of the centre's longitude (EPSG 326xx north of the
    equator, 327xx south of it), as the EPSG areas of use define them; beyond the UTM
    latitudes, Web Mercator (EPSG:3857) keeps metres.

    Parameters
    ----------
    extent : tuple of float
        ``(lon_min, lat_min, lon_max, lat_max)``.

    Examples
    --------
    >>> metric_crs_for((36.95, 36.05, 37.35, 36.40)).to_epsg()
    32637
    >>> metric_crs_for((-58.5, -34.7, -58.3, -34.5)).to_epsg()
    32721
    """
    lon_min, lat_min, lon_max, lat_max = extent
    lon, lat = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
    if not UTM_LATITUDES[0] <= lat <= UTM_LATITUDES[1]:
        crs = CRS.from_epsg(3857)
    else:
        zone = min(60, max(1, math.floor((lon + 180.0) / 6.0) + 1))
        crs = CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
    log.debug("metric CRS for extent %s: %s", extent, crs.to_string())
    return crs


def to_metric(frame: GeoT, crs: CRS, *, threads: int = 1) -> GeoT:
    """``frame`` in the metric ``crs``, its long lon/lat edges densified first.

    Projection moves vertices, not edges: a 100 km straight edge in lon/lat and the same
    edge split at its middle become different lines in metres, hundreds of metres apart.
    Geographic input is densified to :data:`MAX_SEGMENT_DEG` before it is projected
    (dense digitised maps gain no vertex); projected input is only reprojected.

    Examples
    --------
    >>> edge = gpd.GeoSeries([shapely.LineString([(36, 47), (39, 47)])], crs=WGS84)
    >>> len(shapely.get_coordinates(to_metric(edge, metric_crs_for((36, 47, 39, 47)))))
    601
    """
    if frame.crs is not None and frame.crs.is_geographic:
        frame = _densified(frame, MAX_SEGMENT_DEG, threads=threads)
    return reproject(frame, crs, threads=threads)


def to_wgs84(frame: GeoT) -> GeoT:
    """``frame`` in EPSG:4326, the long edges of projected input densified first.

    The counterpart of :func:`to_metric`: an edge drawn straight in a projected CRS (a
    UTM box) is cut to :data:`MAX_SEGMENT_M` before its vertices are moved, so that the
    stored lon/lat shape follows it rather than the chord between its far ends.

    Examples
    --------
    >>> box = gpd.GeoSeries([shapely.box(490_000, 3_990_000, 510_000, 4_010_000)],
    ...                     crs="EPSG:32637")
    >>> len(shapely.get_coordinates(to_wgs84(box)))
    161
    """
    crs = frame.crs
    if crs is not None and crs.is_projected and not crs.equals(WGS84):
        metres_per_unit = crs.axis_info[0].unit_conversion_factor or 1.0
        frame = _densified(frame, MAX_SEGMENT_M / metres_per_unit)
    return reproject(frame, WGS84)


def reproject(frame: GeoT, crs: CRS, *, threads: int = 1) -> GeoT:
    """``frame.to_crs(crs)``: the same coordinates, copied fewer times.

    GeoPandas copies every coordinate five times on its way through PROJ; here they are
    read once, transformed in place (on ``threads`` threads for large layers: PROJ runs
    without Python's lock) and written once, polygons rebuilt from ragged arrays. Small
    frames (under :data:`COPY_FROM_COORDINATES`), geometries with a Z coordinate and
    frames without a CRS go through :meth:`geopandas.GeoDataFrame.to_crs` as they are.

    Examples
    --------
    >>> pts = gpd.GeoSeries(shapely.points(np.random.default_rng(0).random((200_000, 2))),
    ...                     crs=WGS84)
    >>> bool(reproject(pts, CRS.from_epsg(32637)).geom_equals_exact(pts.to_crs(32637), 0).all())
    True
    """
    crs = CRS.from_user_input(crs)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    if (
        frame.crs is None
        or shapely.get_num_coordinates(geoms).sum() < COPY_FROM_COORDINATES
        or frame.crs.is_exact_same(crs)
        or shapely.has_z(geoms).any()
    ):
        return frame.to_crs(crs)
    transformer = Transformer.from_crs(frame.crs, crs, always_xy=True)
    # Polygons and multipolygons (control maps) leave and come back as ragged arrays
    # (coordinates and offsets): rebuilding them is many times faster than setting the
    # coordinates of copies. Everything else (points, lines, collections, empties) takes
    # shapely.set_coordinates.
    kinds = np.where(
        shapely.is_empty(geoms) | shapely.is_missing(geoms), -1, shapely.get_type_id(geoms)
    )
    groups = [rows for kind in _RAGGED if len(rows := np.flatnonzero(kinds == kind))]
    rest = np.flatnonzero(~np.isin(kinds, _RAGGED))
    ragged = [shapely.to_ragged_array(geoms[rows]) for rows in groups]
    blocks = [coords for _, coords, _ in ragged] + [shapely.get_coordinates(geoms[rest])]
    x = np.concatenate([b[:, 0] for b in blocks])
    y = np.concatenate([b[:, 1] for b in blocks])
    # in place: a slice of a contiguous array is a view PROJ writes into
    in_slices(lambda part: transformer.transform(x[part], y[part], inplace=True), len(x), threads)
    xy = np.column_stack([x, y])
    out_geoms = geoms.copy()
    start = 0
    for rows, (kind, coords, offsets) in zip(groups, ragged, strict=True):
        stop = start + len(coords)
        out_geoms[rows] = shapely.from_ragged_array(kind, xy[start:stop], offsets)
        start = stop
    if len(rest):
        out_geoms[rest] = shapely.set_coordinates(geoms[rest].copy(), xy[start:])
    projected = gpd.GeoSeries(out_geoms, index=frame.index, crs=crs)
    if isinstance(frame, gpd.GeoSeries):
        return projected.rename(frame.name)
    out = frame.copy()
    out[frame.geometry.name] = projected
    return out.set_crs(crs, allow_override=True)


def _densified(frame: GeoT, step: float, *, threads: int = 1) -> GeoT:
    """``frame`` with no edge longer than ``step`` (in its CRS's units)."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    dense = gpd.GeoSeries(
        in_parts(lambda part: shapely.segmentize(part, step), geoms, threads),
        index=frame.index,
        crs=frame.crs,
    )
    if isinstance(frame, gpd.GeoSeries):
        return dense.rename(frame.name)
    return frame.assign(**{frame.geometry.name: dense})
