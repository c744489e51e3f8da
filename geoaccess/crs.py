"""The one choice of a local metric CRS."""

from __future__ import annotations

import logging
import math
from typing import TypeVar

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

__all__ = [
    "MAX_BEND_M",
    "MAX_SEGMENT_DEG",
    "MAX_SEGMENT_M",
    "WGS84",
    "metric_crs_for",
    "to_metric",
    "to_wgs84",
]

GeoT = TypeVar("GeoT", gpd.GeoDataFrame, gpd.GeoSeries)

log = logging.getLogger(__name__)

#: The CRS of scenarios and results (lon/lat).
WGS84 = CRS.from_epsg(4326)

#: Most a projected lon/lat edge may bend away from its chord (metres). A straight edge
#: in lon/lat is a curve in metres: kept as a chord, it is a different line than the same
#: stretch cut in two, so shapes sharing a boundary (a zone and the rest of a frame)
#: would overlap. Edges are cut until each piece bends less than this, so two shapes
#: drawn along one lon/lat line stay within twice this of each other once projected (the
#: overlap checks ignore slivers thinner than a metre).
MAX_BEND_M = 0.01

#: Longest edge (degrees, about 550 m) lon/lat geometries keep where the bend of their
#: edges cannot be measured (a projection that fails at their vertices).
MAX_SEGMENT_DEG = 0.005

#: Longest edge (metres) that projected input keeps when it is stored in lon/lat, for
#: the same reason: a straight edge in metres stays straight to within millimetres.
MAX_SEGMENT_M = 500.0

#: Latitudes covered by the UTM zones (beyond them, a world projection is used).
UTM_LATITUDES = (-80.0, 84.0)


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


def to_metric(frame: GeoT, crs: CRS) -> GeoT:
    """``frame`` in the metric ``crs``, its long lon/lat edges densified first.

    Projection moves vertices, not edges: a 100 km straight edge in lon/lat and the same
    edge split at its middle become different lines in metres, hundreds of metres apart.
    Geographic input is densified before it is projected, each geometry to the step at
    which none of its edges bends more than :data:`MAX_BEND_M` from its chord once
    projected (the bend of an edge grows with the square of its length); edges that
    bend less keep their vertices, so dense digitised maps gain none. Projected input is
    only reprojected.

    Examples
    --------
    A 3° edge along the 47th parallel, cut into pieces of about 0.009° (700 m):

    >>> edge = gpd.GeoSeries([shapely.LineString([(36, 47), (39, 47)])], crs=WGS84)
    >>> len(shapely.get_coordinates(to_metric(edge, metric_crs_for((36, 47, 39, 47)))))
    332
    """
    if frame.crs is not None and frame.crs.is_geographic:
        steps = _steps_for_bend(frame.geometry.array, frame.crs, crs, MAX_BEND_M)
        if np.isfinite(steps).any():
            geoms = np.asarray(frame.geometry.array, dtype=object).copy()
            cut = np.isfinite(steps)
            geoms[cut] = shapely.segmentize(geoms[cut], steps[cut])
            dense = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
            if isinstance(frame, gpd.GeoSeries):
                frame = dense.rename(frame.name)
            else:
                frame = frame.assign(**{frame.geometry.name: dense})
    return frame.to_crs(crs)


def _steps_for_bend(geoms: object, source: CRS, target: CRS, bend_m: float) -> np.ndarray:
    """Per geometry, the longest edge (source units) bending at most ``bend_m`` in ``target``.

    ``inf`` where no edge needs cutting. An edge's bend is how far its projected midpoint
    lies from the midpoint of its projected ends; a piece ``1/k`` as long bends ``k²``
    times less.
    """
    geoms = np.asarray(geoms, dtype=object)
    steps = np.full(len(geoms), np.inf)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[polygonal], return_index=True)
    chains = np.concatenate([rings, parts[~polygonal]])
    chain_of = np.concatenate([part_of[np.flatnonzero(polygonal)[ring_part]], part_of[~polygonal]])
    xy, chain = shapely.get_coordinates(chains, return_index=True)
    edge = chain[1:] == chain[:-1]
    if not edge.any():
        return steps
    a, b = xy[:-1][edge], xy[1:][edge]
    owner = chain_of[chain[:-1][edge]]
    move = Transformer.from_crs(source, target, always_xy=True)
    ends_a = np.column_stack(move.transform(a[:, 0], a[:, 1]))
    ends_b = np.column_stack(move.transform(b[:, 0], b[:, 1]))
    middle = (a + b) / 2.0
    mid = np.column_stack(move.transform(middle[:, 0], middle[:, 1]))
    bend = np.hypot(*(mid - (ends_a + ends_b) / 2.0).T)
    length = np.hypot(*(b - a).T)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(bend > bend_m, length * np.sqrt(bend_m / bend), np.inf)
    need[~np.isfinite(bend)] = MAX_SEGMENT_DEG  # no measure: the fixed step
    np.minimum.at(steps, owner, need)
    return steps


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
    return frame.to_crs(WGS84)


def _densified(frame: GeoT, step: float) -> GeoT:
    """``frame`` with no edge longer than ``step`` (in its CRS's units)."""
    dense = gpd.GeoSeries(
        shapely.segmentize(frame.geometry.array, step), index=frame.index, crs=frame.crs
    )
    if isinstance(frame, gpd.GeoSeries):
        return dense.rename(frame.name)
    return frame.assign(**{frame.geometry.name: dense})
