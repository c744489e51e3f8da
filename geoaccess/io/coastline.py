"""Land and sea from the coastline geoaccess ships: Natural Earth 1:10m land in 2° tiles.

The file ``ne_10m_land_2deg.fgb`` (built by ``scripts/make_coastline.py``, described in
``data/coastline/README.md``) holds Natural Earth's 1:10m land polygons (public domain) cut
into 2° x 2° tiles, one MultiPolygon per tile that holds land, as FlatGeobuf with a spatial
index. A question about a box reads only the few tiles that meet it. Nothing is downloaded
and nothing is cached between calls: a call opens the file, reads its tiles and closes it.

Everything here is lon/lat (EPSG:4326). Natural Earth's 1:10m coast is a small-scale
coastline: it is placed to within a few hundred metres, and small islands, narrow spits
and harbours may be missing. Boxes that cross the antimeridian are not supported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

__all__ = ["COASTLINE_FILE", "coastline_path", "land_tiles", "land_within", "sea_within"]

#: Name of the packaged land tiles (in ``data/coastline`` and ``geoaccess/_data/coastline``).
COASTLINE_FILE = "ne_10m_land_2deg.fgb"

_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def coastline_path() -> Path:
    """The packaged land tiles, in an installed wheel or a source checkout.

    Returns
    -------
    Path
        ``geoaccess/_data/coastline/ne_10m_land_2deg.fgb`` in an installed package, else
        ``data/coastline/ne_10m_land_2deg.fgb`` in the source checkout.

    Raises
    ------
    FileNotFoundError
        When neither exists (a broken install), naming both places looked in.

    Examples
    --------
    >>> from geoaccess.io import coastline
    >>> path = coastline.coastline_path()
    >>> path.name, path.is_file()
    ('ne_10m_land_2deg.fgb', True)
    """
    packaged = resources.files("geoaccess").joinpath("_data", "coastline", COASTLINE_FILE)
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "data" / "coastline" / COASTLINE_FILE
    if checkout.is_file():
        return checkout
    msg = (
        f"the coastline file {COASTLINE_FILE!r} is not installed (looked in {packaged} and "
        f"{checkout}); reinstall geoaccess"
    )
    raise FileNotFoundError(msg)


def land_tiles(
    bounds: Sequence[float], *, source: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The land tiles whose extent meets a lon/lat box, read through the spatial index.

    Parameters
    ----------
    bounds : sequence of float
        ``(lon_min, lat_min, lon_max, lat_max)`` in degrees (EPSG:4326).
    source : str or Path, optional
        A FlatGeobuf of land tiles with a ``tile`` column; by default the packaged one
        (:func:`coastline_path`).

    Returns
    -------
    tiles : ndarray of str
        Tile names (``N46E036`` is the tile of 36-38° E, 46-48° N), one per tile read.
    geometries : ndarray of shapely.Geometry
        Each tile's land (MultiPolygon), unclipped.

    Raises
    ------
    ValueError
        When ``bounds`` is not four finite lon/lat numbers in order.

    Examples
    --------
    Mariupol and the north of the Sea of Azov lie in two tiles:

    >>> from geoaccess.io import coastline
    >>> tiles, land = coastline.land_tiles((37.0, 46.6, 38.6, 47.4))
    >>> sorted(tiles.tolist())
    ['N46E036', 'N46E038']

    Open sea has no tile:

    >>> tiles, land = coastline.land_tiles((-30.0, 30.0, -29.0, 31.0))
    >>> len(land)
    0
    """
    box = _checked_bounds(bounds)
    path = coastline_path() if source is None else Path(source)
    _, _, wkb, fields = pyogrio.raw.read(path, columns=["tile"], bbox=box)
    return np.asarray(fields[0], dtype=str), shapely.from_wkb(wkb)


def land_within(bounds: Sequence[float], *, source: str | Path | None = None) -> shapely.Geometry:
    """The land inside a lon/lat box: the union of the land tiles meeting it, clipped to it.

    Parameters
    ----------
    bounds : sequence of float
        ``(lon_min, lat_min, lon_max, lat_max)`` in degrees (EPSG:4326).
    source : str or Path, optional
        A FlatGeobuf of land tiles; by default the packaged one (:func:`coastline_path`).

    Returns
    -------
    shapely.Geometry
        A valid Polygon or MultiPolygon in lon/lat, or an empty Polygon where the box
        holds no land.

    Raises
    ------
    ValueError
        When ``bounds`` is not four finite lon/lat numbers in order.

    Examples
    --------
    >>> import shapely
    >>> from geoaccess.io import coastline
    >>> land = coastline.land_within((37.0, 46.6, 38.6, 47.4))
    >>> land.is_valid, land.geom_type in ("Polygon", "MultiPolygon")
    (True, True)

    Mariupol is on land; the Sea of Azov south of it is not:

    >>> land.contains(shapely.Point(37.55, 47.10)), land.contains(shapely.Point(37.6, 46.9))
    (True, False)

    The box is the limit:

    >>> shapely.box(37.0, 46.6, 38.6, 47.4).covers(land)
    True

    Open sea gives an empty polygon, and so does a box of no area:

    >>> coastline.land_within((-30.0, 30.0, -29.0, 31.0))
    <POLYGON EMPTY>
    >>> coastline.land_within((37.0, 47.0, 37.0, 47.5))
    <POLYGON EMPTY>
    """
    lon_min, lat_min, lon_max, lat_max = _checked_bounds(bounds)
    if lon_min == lon_max or lat_min == lat_max:
        return shapely.Polygon()
    box = shapely.box(lon_min, lat_min, lon_max, lat_max)
    _, tiles = land_tiles(bounds, source=source)
    if len(tiles) == 0:
        return shapely.Polygon()
    whole = shapely.covers(tiles, box)
    if whole.any():  # inland: one tile holds all of the box
        return box
    return _polygonal(shapely.union_all(shapely.intersection(tiles, box)))


def sea_within(area: shapely.Geometry, *, source: str | Path | None = None) -> shapely.Geometry:
    """The part of a lon/lat polygon that is not land (sea, and the Caspian).

    Parameters
    ----------
    area : shapely.Geometry
        A valid Polygon or MultiPolygon in lon/lat (EPSG:4326), such as a scenario's frame.
    source : str or Path, optional
        A FlatGeobuf of land tiles; by default the packaged one (:func:`coastline_path`).

    Returns
    -------
    shapely.Geometry
        A valid Polygon or MultiPolygon, or an empty Polygon when the area is all land
        (or is empty).

    Raises
    ------
    ValueError
        When ``area`` is not a valid polygon, or lies outside lon/lat bounds.

    Examples
    --------
    >>> import shapely
    >>> from geoaccess.io import coastline

    Aleppo's frame is inland: no sea, exactly.

    >>> coastline.sea_within(shapely.box(36.95, 36.05, 37.35, 36.40))
    <POLYGON EMPTY>

    Gaza's frame holds the Mediterranean west of the city:

    >>> sea = coastline.sea_within(shapely.box(34.2, 31.2, 34.6, 31.6))
    >>> sea.contains(shapely.Point(34.38, 31.55)), sea.contains(shapely.Point(34.45, 31.51))
    (True, False)

    Open sea is all sea:

    >>> atlantic = shapely.box(-30.0, 30.0, -29.0, 31.0)
    >>> coastline.sea_within(atlantic).equals(atlantic)
    True
    """
    if not isinstance(area, shapely.Geometry) or shapely.get_type_id(area) not in _POLYGONAL:
        msg = f"area must be a shapely Polygon or MultiPolygon in lon/lat, found {area!r:.80}"
        raise ValueError(msg)
    if area.is_empty:
        return shapely.Polygon()
    if not area.is_valid:
        msg = (
            f"area is not a valid polygon ({shapely.is_valid_reason(area)}); "
            "repair it first, e.g. with shapely.make_valid"
        )
        raise ValueError(msg)
    land = land_within(area.bounds, source=source)
    if land.is_empty:
        return area
    if land.covers(area):
        return shapely.Polygon()
    return _polygonal(area.difference(land))


def _checked_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
    """Four finite lon/lat numbers, minimum before maximum, or a ValueError saying which."""
    try:
        lon_min, lat_min, lon_max, lat_max = (float(v) for v in bounds)
    except (TypeError, ValueError):
        msg = f"bounds must be four numbers (lon_min, lat_min, lon_max, lat_max), found {bounds!r}"
        raise ValueError(msg) from None
    values = (lon_min, lat_min, lon_max, lat_max)
    if not all(math.isfinite(v) for v in values):
        msg = f"bounds must be finite, found {values}"
        raise ValueError(msg)
    if not (-180.0 <= lon_min <= lon_max <= 180.0 and -90.0 <= lat_min <= lat_max <= 90.0):
        msg = (
            "bounds must be lon/lat degrees (EPSG:4326) with lon_min <= lon_max in "
            f"[-180, 180] and lat_min <= lat_max in [-90, 90], found {values}"
        )
        raise ValueError(msg)
    return values


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of an overlay result (dropping lines and points), or empty."""
    if shapely.get_type_id(geometry) in _POLYGONAL:
        return geometry
    parts = shapely.get_parts(geometry)
    polygons = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    if len(polygons) == 0:
        return shapely.Polygon()
    if len(polygons) == 1:
        return polygons[0]
    return shapely.multipolygons(polygons)
