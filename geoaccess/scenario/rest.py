"""``holds_rest``: a side that holds all ground inside a boundary that other sides do not.

Public control maps often show one side only (the occupied ground). With
``[sides.<side>] holds_rest = "boundary.geojson"``, the side holds, on every date, the
ground inside the boundary that no zone of another side holds that day: zones are made
for it here, one per stretch of dates over which the other sides' zones do not change
(consecutive identical ones merged). Digitising residue between the boundary and the
other zones is handled by the territory rules like any zone's.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import WGS84, to_wgs84
from ..polygons import polygonal
from .days import valid_days
from .problems import Findings

__all__ = ["rest_zones", "with_rest_zones"]

_OPEN_START, _OPEN_END = np.iinfo(np.int64).min, np.iinfo(np.int64).max


def rest_zones(
    zones: gpd.GeoDataFrame, boundary: shapely.Geometry, *, party: str, side_of: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """Zones of ``party`` covering ``boundary`` wherever other sides' zones do not.

    Parameters
    ----------
    zones : GeoDataFrame
        The other zones, EPSG:4326, with ``party`` and ``valid_from``/``valid_to`` as days.
    boundary : shapely.Geometry
        The ground the side holds unless another side does (lon/lat). When every zone of
        the other sides starts on a date (dated maps), the rest starts with the first of
        them: nothing is known of the ground before.
    party : str
        The party the new zones belong to.
    side_of : mapping
        Side of each party (zones of the party's own side are not subtracted).

    Returns
    -------
    GeoDataFrame
        ``party``, ``valid_from``, ``valid_to``, ``source`` and the geometry, EPSG:4326,
        one row per stretch of dates over which the rest does not change.

    Examples
    --------
    >>> import shapely
    >>> occupied = gpd.GeoDataFrame(
    ...     {"party": ["ru"], "valid_from": pd.to_datetime(["2024-01-01"]),
    ...      "valid_to": pd.to_datetime([None])},
    ...     geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    >>> rest = rest_zones(occupied, shapely.box(0, 0, 2, 1), party="ua",
    ...                   side_of={"ru": "russia", "ua": "ukraine"})
    >>> [(str(r.valid_from)[:10], str(r.valid_to)[:10], round(r.geometry.area, 3))
    ...  for r in rest.itertuples()]
    [('2024-01-01', 'NaT', 1.0)]
    """
    own = side_of.get(party, party)
    others = zones[[side_of.get(p, p) != own for p in zones["party"]]]
    start, end = valid_days(others)
    geoms = np.asarray(others.geometry.array, dtype=object)
    cuts = np.unique(np.concatenate([start, end]))
    cuts = cuts[(cuts != _OPEN_START) & (cuts != _OPEN_END)]
    # the other sides' maps start on a date (snapshots do): nothing is known before it,
    # so the rest starts there too rather than holding the whole boundary before
    opening = [] if len(start) and (start != _OPEN_START).all() else [_OPEN_START]
    bounds = [*opening, *cuts.tolist(), _OPEN_END]
    rows: list[list[Any]] = []  # [from, to, geometry]
    for lo, hi in itertools.pairwise(bounds):
        day = hi - 1 if lo == _OPEN_START else lo
        held = geoms[(start <= day) & (end > day)]
        rest = polygonal(shapely.difference(boundary, shapely.union_all(held)))
        if rest.is_empty:
            continue
        if rows and rows[-1][1] == lo and shapely.equals_exact(rows[-1][2], rest, 0.0):
            rows[-1][1] = hi
        else:
            rows.append([lo, hi, rest])

    def day_of(value: int) -> pd.Timestamp:
        if value in (_OPEN_START, _OPEN_END):
            return pd.NaT
        return pd.Timestamp(np.datetime64(int(value), "D"))

    return gpd.GeoDataFrame(
        {
            "party": pd.Series([party] * len(rows), dtype=object),
            "valid_from": pd.to_datetime([day_of(r[0]) for r in rows]).astype("datetime64[ns]"),
            "valid_to": pd.to_datetime([day_of(r[1]) for r in rows]).astype("datetime64[ns]"),
            "source": pd.Series(
                ["the rest of the boundary (holds_rest)"] * len(rows), dtype=object
            ),
        },
        geometry=gpd.GeoSeries([r[2] for r in rows], crs=WGS84),
    )


def with_rest_zones(
    zones: gpd.GeoDataFrame,
    holds_rest: Mapping[str, Any],
    parties: pd.DataFrame,
    found: Findings,
    *,
    extent: tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """The zones followed by each ``holds_rest`` side's rest zones (problems to ``found``).

    A side's zones go to its first party. A boundary is a GeoDataFrame or GeoSeries
    with a CRS (reprojected to EPSG:4326); it is clipped to the declared ``extent``
    (the frame), beyond which nothing is assessed.
    """
    side_of = dict(zip(parties["id"], parties["side"], strict=True))
    added = []
    for side, boundary in holds_rest.items():
        layer = f"sides.{side}.holds_rest"
        members = [p for p, s in side_of.items() if s == side]
        if not members:
            found.error(layer, "no party belongs to this side", side, "holds_rest", side)
            continue
        if not isinstance(boundary, (gpd.GeoDataFrame, gpd.GeoSeries)):
            msg = "the boundary must be a GeoDataFrame or GeoSeries with a CRS"
            found.error(layer, msg, side, "holds_rest", type(boundary).__name__)
            continue
        if boundary.crs is None:
            found.error(
                layer,
                "the boundary has no CRS; set one in the file (e.g. EPSG:4326)",
                side,
                "crs",
            )
            continue
        geoms = np.asarray(to_wgs84(boundary).geometry.array, dtype=object)
        polygons = polygonal(shapely.union_all(shapely.make_valid(geoms)))
        if extent is not None:
            polygons = polygonal(shapely.intersection(polygons, shapely.box(*extent)))
        if polygons.is_empty:
            found.error(layer, "the boundary holds no polygon", side, "geometry")
            continue
        added.append(rest_zones(zones, polygons, party=members[0], side_of=side_of))
    if not added:
        return zones
    rest = pd.concat(added, ignore_index=True)
    if pd.api.types.is_integer_dtype(zones.index) and len(zones):
        rest.index = pd.RangeIndex(
            int(zones.index.max()) + 1, int(zones.index.max()) + 1 + len(rest)
        )
    else:
        rest.index = pd.Index([f"rest {k}" for k in range(len(rest))], dtype=object)
    return gpd.GeoDataFrame(pd.concat([zones, rest]), geometry="geometry", crs=zones.crs)
