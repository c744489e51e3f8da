"""The one choice of a local metric CRS."""

from __future__ import annotations

import logging
import math

from pyproj import CRS

__all__ = ["WGS84", "metric_crs_for"]

log = logging.getLogger(__name__)

#: The CRS of scenarios and results (lon/lat).
WGS84 = CRS.from_epsg(4326)

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
