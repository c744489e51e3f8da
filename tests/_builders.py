"""Scenarios built in code whose answers can be computed on paper.

The "disc" family: side A holds a disc of radius 2 km centred in a 30 km square frame;
side B (or C) holds the annulus from 2 to 6 km; A holds the countryside beyond 6 km,
which reaches the frame. Optionally a straight link of A (or of nobody) crosses the
annulus northwards; everything is drawn in UTM zone 37N (northern Syria, on land).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

import geoaccess as ga
from geoaccess.engine import safe_ground
from geoaccess.engine.cache import Cache
from geoaccess.engine.sides import SideView

UTM = "EPSG:32637"
CX, CY = 500_000.0, 4_000_000.0
HALF = 15_000.0
START = "2020-01-01"
_TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
_TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)


def at(x: float, y: float) -> tuple[float, float]:
    """Absolute UTM coordinates of a point given relative to the disc centre."""
    return CX + x, CY + y


def disc(radius: float) -> shapely.Polygon:
    return shapely.Point(CX, CY).buffer(radius, quad_segs=64)


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(CX + x0, CY + y0, CX + x1, CY + y1)


def frame_extent() -> tuple[float, float, float, float]:
    """The 30 km square frame as a lon/lat extent.

    Its south-west and north-east corners are the UTM square's; its edges, along
    parallels and meridians, part from the square's by up to 52 m (east) and 13 m
    (south).
    """
    xs = np.array([CX - HALF, CX + HALF])
    ys = np.array([CY - HALF, CY + HALF])
    lon, lat = _TO_LONLAT.transform(xs, ys)
    return (float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1]))


def frame_utm() -> shapely.Polygon:
    """The frame (:func:`frame_extent`) in UTM, within a millimetre of its edges."""
    edge = shapely.segmentize(shapely.box(*frame_extent()), 1e-4)
    lon, lat = shapely.get_coordinates(edge).T
    return shapely.Polygon(np.column_stack(_TO_UTM.transform(lon, lat)))


def lonlat_point(x: float, y: float) -> tuple[float, float]:
    lon, lat = _TO_LONLAT.transform(CX + x, CY + y)
    return float(lon), float(lat)


def zones_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    for column in ("valid_from", "valid_to"):
        if column not in frame:
            frame[column] = None
    return gpd.GeoDataFrame(
        frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs=UTM
    )


def disc_scenario(
    *,
    link_m: float | None = None,
    link_holder: str | None = "a",
    link_until: str | None = None,
    ring_party: str = "b",
    relations: list[dict] | None = None,
    link_gap_m: float | None = None,
    link_strip_m: float | None = None,
    siege_line: bool = False,
    road_block: bool = False,
    corridors: list[tuple[str, str]] = (),
    roads: bool = False,
    rules: ga.Rules | None = None,
    crs: str = UTM,
    split_outer: bool = False,
    outer_inset_m: float | None = None,
    link_split_m: float | None = None,
) -> ga.Scenario:
    """The disc scenario and its variants.

    Parameters
    ----------
    link_m : float, optional
        Width of the northward link across the annulus (no link when ``None``).
    link_holder : str or None
        Party holding the link; ``None`` leaves it unmapped.
    link_until : str, optional
        Day the link falls to the ring's party (``valid_to`` of the link).
    ring_party : str
        Party holding the annulus (``b`` of side B, ``c`` of side C).
    link_gap_m, link_strip_m : float, optional
        Split the link across at y = 4 km by an unmapped gap, or by a strip of the ring
        party, of this width.
    siege_line : bool
        Party ``b`` draws a siege line across the link at y = 4 km.
    road_block : bool
        Party ``b`` draws a 600 m siege line across the north road only, at y = 4 km.
    corridors : list of (kind, status)
        Corridors from the disc centre northwards to y = 8 km.
    roads : bool
        A road from the disc centre north to the frame edge, and a ring road in the
        countryside.
    split_outer : bool
        Give A's countryside as four zones instead of one.
    outer_inset_m : float, optional
        A's countryside is the frame (not the UTM square) shrunk by this much: a band
        of unmapped ground of this width lines the frame's edge.
    link_split_m : float, optional
        Also split the link along its axis (x = 0) by an unmapped gap of this width:
        with ``link_gap_m``, the two gaps cross.
    """
    link = box(-link_m / 2, 0, link_m / 2, 6_500) if link_m else None
    annulus = shapely.difference(disc(6_000), disc(2_000))
    countryside = box(-HALF, -HALF, HALF, HALF)
    if outer_inset_m is not None:
        countryside = shapely.buffer(frame_utm(), -outer_inset_m, join_style="mitre")
    outer = shapely.difference(countryside, disc(6_000))
    ring = shapely.difference(annulus, link) if link is not None else annulus
    rows = [
        {"party": "a", "name": "disc", "geometry": disc(2_000)},
        {"party": ring_party, "name": "ring", "geometry": ring},
    ]
    if split_outer:
        quads = [box(x0, y0, x0 + HALF, y0 + HALF) for x0 in (-HALF, 0) for y0 in (-HALF, 0)]
        rows += [
            {"party": "a", "name": f"outer{k}", "geometry": shapely.intersection(outer, q)}
            for k, q in enumerate(quads)
        ]
    else:
        rows.append({"party": "a", "name": "outer", "geometry": outer})
    if link is not None:
        piece = shapely.intersection(link, annulus)
        if link_holder is not None:
            parts = [piece]
            if link_gap_m or link_strip_m:
                cut = (link_gap_m or link_strip_m) / 2
                parts = [shapely.difference(piece, box(-HALF, 4_000 - cut, HALF, 4_000 + cut))]
            if link_split_m:
                half = link_split_m / 2
                parts = [shapely.difference(part, box(-half, 0, half, 6_500)) for part in parts]
                if link_strip_m:
                    rows.append(
                        {
                            "party": ring_party,
                            "name": "strip",
                            "geometry": shapely.intersection(
                                piece, box(-HALF, 4_000 - cut, HALF, 4_000 + cut)
                            ),
                        }
                    )
            for part in parts:
                rows.append(
                    {"party": link_holder, "name": "link", "geometry": part, "valid_to": link_until}
                )
        if link_until is not None:
            rows.append(
                {
                    "party": ring_party,
                    "name": "link taken",
                    "geometry": piece,
                    "valid_from": link_until,
                }
            )
    for row in rows:
        row.setdefault("valid_from", START)
    zones = zones_frame(rows)
    layers: dict[str, gpd.GeoDataFrame] = {
        "areas": gpd.GeoDataFrame(
            {
                "area_id": ["disc", "rim", "edge"],
                "name": ["Disc", "Rim", "Edge"],
                "population": [10_000.0, 5_000.0, 3_000.0],
            },
            geometry=[disc(2_000), box(8_000, -2_000, 12_000, 2_000), box(1_000, -500, 3_000, 500)],
            crs=UTM,
        ),
    }
    if siege_line:
        layers["siege_lines"] = gpd.GeoDataFrame(
            {"party": ["b"], "name": ["northern siege line"], "valid_from": [START]},
            geometry=[shapely.LineString([at(-HALF / 3, 4_000), at(HALF / 3, 4_000)])],
            crs=UTM,
        )
    if road_block:
        layers["siege_lines"] = gpd.GeoDataFrame(
            {"party": ["b"], "name": ["road block"], "valid_from": [START]},
            geometry=[shapely.LineString([at(-300, 4_000), at(300, 4_000)])],
            crs=UTM,
        )
    if corridors:
        layers["corridors"] = gpd.GeoDataFrame(
            {
                "corridor_id": [f"c{k}" for k in range(len(corridors))],
                "kind": [k for k, _ in corridors],
                "status": [s for _, s in corridors],
                "name": [f"corridor {k}" for k in range(len(corridors))],
            },
            geometry=[shapely.LineString([at(0, 0), at(0, 8_000)])] * len(corridors),
            crs=UTM,
        )
    if roads:
        layers["roads"] = gpd.GeoDataFrame(
            {"name": ["North road", "Ring road"], "kind": ["primary", "secondary"]},
            geometry=[
                shapely.LineString([at(0, 0), at(0, HALF)]),
                shapely.LineString(
                    [at(x, y) for x, y in ((-9_000, 9_000), (9_000, 9_000), (9_000, -9_000))]
                ),
            ],
            crs=UTM,
        )
    parties = [{"id": "a", "side": "A"}, {"id": "b", "side": "B"}, {"id": "c", "side": "C"}]
    if crs != UTM:
        zones = zones.to_crs(crs)
        layers = {k: v.to_crs(crs) for k, v in layers.items()}
    return ga.Scenario.create(
        "disc",
        parties=parties,
        zones=zones,
        relations=relations or [],
        layers=layers,
        rules=rules,
        extent=frame_extent(),
    )


def tips_scenario(*, half_gap_m: float, tip_angle_deg: float) -> ga.Scenario:
    """Two hostile wedges whose tips face each other across a gap; the way north is between.

    Side B holds two wedges reaching in from the west and east frame edges, with tips of
    ``tip_angle_deg`` at ``(±half_gap_m, 0)``; side A holds the rest of the frame and
    declares its rear at ``(0, 12 km)``. The area "south" (a 1 km box at ``y = -12.5 km``)
    reaches it only through the gap, whose narrowest cross-section runs tip to tip: its
    route clearance is ``half_gap_m``.
    """
    import math

    spread = math.tan(math.radians(tip_angle_deg / 2))
    reach = 3 * HALF  # the wedges run past the frame, which clips them
    frame = box(-HALF, -HALF, HALF, HALF)
    wedges = [
        shapely.Polygon(
            [
                at(side * half_gap_m, 0.0),
                at(side * (half_gap_m + reach), reach * spread),
                at(side * (half_gap_m + reach), -reach * spread),
            ]
        )
        for side in (-1, 1)
    ]
    hostile = shapely.intersection(shapely.union_all(wedges), frame)
    zones = zones_frame(
        [
            {"party": "b", "name": "wedges", "geometry": hostile, "valid_from": START},
            {
                "party": "a",
                "name": "rest",
                "geometry": shapely.difference(frame, hostile),
                "valid_from": START,
            },
        ]
    )
    areas = gpd.GeoDataFrame(
        {"area_id": ["south"], "name": ["South"], "population": [1_000.0]},
        geometry=[box(-500, -13_000, 500, -12_000)],
        crs=UTM,
    )
    return ga.Scenario.create(
        "tips",
        parties=[{"id": "a", "side": "A"}, {"id": "b", "side": "B"}],
        zones=zones,
        rear={"A": [lonlat_point(0, 12_000)]},
        layers={"areas": areas},
        extent=frame_extent(),
    )


def one_fine_buffer(view: SideView, c: float, base: float, cache: Cache) -> shapely.Geometry:
    """The ground a clearance keeps from as one buffer of the obstacles (no ladder).

    With ``safe_ground.ARC_SEGMENTS`` patched to 256, the reference route clearances
    are measured against: discs of 256 segments per quarter circle.
    """
    return safe_ground._grown(view, c, cache)
