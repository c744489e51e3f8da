"""The one choice of a local metric CRS."""

from __future__ import annotations

import logging

from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

__all__ = ["WGS84", "metric_crs_for"]

log = logging.getLogger(__name__)

#: The CRS of scenarios and results (lon/lat).
WGS84 = CRS.from_epsg(4326)


def metric_crs_for(extent: tuple[float, float, float, float]) -> CRS:
    """The WGS 84 UTM zone holding the centre of a lon/lat extent.

    Parameters
    ----------
    extent : tuple of float
        ``(lon_min, lat_min, lon_max, lat_max)``.

    Examples
    --------
    >>> metric_crs_for((36.95, 36.05, 37.35, 36.40)).to_epsg()
    32637
    """
    lon_min, lat_min, lon_max, lat_max = extent
    lon, lat = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(lon, lat, lon, lat),
    )
    if not infos:  # polar regions: fall back to a world projection that keeps metres
        crs = CRS.from_epsg(3857)
    else:
        crs = CRS.from_epsg(int(infos[0].code))
    log.debug("metric CRS for extent %s: %s", extent, crs.to_string())
    return crs
