"""Build the bundled scenario ``data/geo/aleppo_2016`` (illustrative, approximate).

Run ``python scripts/make_aleppo_2016.py`` from the repository root; the output is
deterministic (same files byte for byte on every run).

How the geometry is built
-------------------------
The frame is cut into *sectors* by painting hand-drawn outlines in a fixed order (each
sector is its outline minus everything painted before it, clipped to the frame; the rest
of the frame is government ground). The sector and district boundaries are then noded
together on a 1e-5 degree grid and polygonised (:func:`on_grid`), so the sectors tile the
frame exactly and neighbours share their vertices. Each sector carries a control history
``[(party, valid_from, valid_to), ...]`` and becomes one zone feature per interval, so the
zones tile the frame with no gap and no overlap on every day.

The geometry is coarse and drawn by hand from public reporting (OCHA Syria situation
reports 2016, OCHA Aleppo Situation Report No. 7 of 14 December 2016, Siege Watch reports,
press such as Reuters and Middle East Eye). It is an example for learning the library and
is not for operational use. Facilities are generic and placed approximately; incidents are
illustrative, not real events.

The widths that the access rules depend on (fire control 1,500 m) are designed in:
the Castello link is about 5 km wide until 6 July 2016, about 2.3 km wide from 7 July
(government at the Mallah farms), severed on 17 July; the Ramouseh gap of 6 August to
3 September is about 1 km wide. Bustan al-Qasr takes the north-east of the Kallaseh and
Old City cells (``BUSTAN_NE``), so that once it falls on 7 December its road to Bab al-Faraj
leaves the district, and joins the Jamiliyeh road, more than 1,500 m from the opposition
ground still held (it is accessible from that day, not hard to reach).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "geo" / "aleppo_2016"

GRID = 1e-5
EXTENT = (36.95, 36.05, 37.35, 36.40)
FRAME = box(*EXTENT)
START, END = "2016-07-01", "2017-01-01"

TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True).transform
TO_LONLAT = Transformer.from_crs("EPSG:32637", "EPSG:4326", always_xy=True).transform

SOURCES = [
    "OCHA Syria situation reports and humanitarian bulletins, July-December 2016",
    "OCHA Syria Crisis: Aleppo Situation Report No. 7, 14 December 2016",
    "Siege Watch (PAX / The Syria Institute) quarterly reports, 2016",
    "Reuters reporting on Aleppo, July-December 2016",
    "Middle East Eye, 29 July 2016 (humanitarian corridors)",
    "OCHA Common Operational Dataset: Aleppo city neighbourhoods (names and codes)",
]
SRC_ZONE = "Illustrative reconstruction from OCHA sitreps, Siege Watch and press; approximate"


# ---------------------------------------------------------------------- helpers
def grid(geom):
    """Snap a geometry to the 1e-5 degree grid."""
    return shapely.set_precision(geom, GRID)


def diff(a, b):
    return shapely.difference(a, b)


def inter(a, b):
    return shapely.intersection(a, b)


def union(geoms):
    return shapely.union_all(list(geoms))


def on_grid(pieces: list, *others: list) -> tuple[list, ...]:
    """Put polygon coverages on the 1e-5 grid so that they still tile exactly.

    All boundaries are noded together, snap-rounded once as one linework and polygonised;
    each face goes to the piece of every coverage that holds its interior point (or the
    nearest one, for rounding slivers). Pieces are then unions of whole faces, so
    neighbours share their vertices exactly.
    """
    coverages = [pieces, *others]
    rings = [shapely.boundary(g) for cov in coverages for g in cov] + [FRAME.exterior]
    lines = shapely.union_all(rings, grid_size=GRID)
    faces = [
        f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))) if f.area > 0
    ]
    result = []
    for cov in coverages:
        tree = shapely.STRtree(cov)
        members: list[list] = [[] for _ in cov]
        for face in faces:
            point = face.point_on_surface()
            hits = [i for i in tree.query(point, predicate="intersects")]
            if hits:
                members[min(hits)].append(face)
            elif cov is pieces:
                members[int(tree.query_nearest(point)[0])].append(face)
        result.append([shapely.union_all(m) if m else shapely.Polygon() for m in members])
    return tuple(result)


def poly(coords):
    return grid(Polygon(coords))


def band(coords, half_width_m):
    """A flat-ended band of ``2 * half_width_m`` around a lon/lat line, in lon/lat."""
    line = shapely.transform(LineString(coords), _to_utm)
    return grid(shapely.transform(line.buffer(half_width_m, cap_style="flat"), _to_lonlat))


def _to_utm(xy):
    return np.column_stack(TO_UTM(xy[:, 0], xy[:, 1]))


def _to_lonlat(xy):
    return np.column_stack(TO_LONLAT(xy[:, 0], xy[:, 1]))


# ---------------------------------------------------------------------- outlines
# Sheikh Maqsoud (YPG/SDF) throughout.
SDF = poly(
    [
        (37.139, 36.236),
        (37.141, 36.228),
        (37.148, 36.2245),
        (37.158, 36.2255),
        (37.1635, 36.231),
        (37.163, 36.240),
        (37.158, 36.2465),
        (37.148, 36.2465),
        (37.140, 36.243),
    ]
)
# The channel north of Sheikh Maqsoud that Castello Road runs through; cut on 17 July.
CUT = poly([(37.133, 36.244), (37.166, 36.244), (37.166, 36.2675), (37.133, 36.2675)])
# Mallah farms, north of the road: taken 7 July (Castello Road under fire control).
MALLAH = poly([(37.120, 36.2675), (37.172, 36.2675), (37.172, 36.296), (37.120, 36.296)])
# Eastern Aleppo and its northern approach (Jandoul, Handarat camp) on 1 July.
EAST = poly(
    [
        (37.1180, 36.1700),
        (37.1178, 36.1800),
        (37.1190, 36.1880),
        (37.1208, 36.1950),
        (37.1300, 36.1978),
        (37.1380, 36.1962),
        (37.1480, 36.1975),
        (37.1530, 36.2015),
        (37.1580, 36.2090),
        (37.1620, 36.2180),
        (37.1645, 36.2270),
        (37.1500, 36.2400),
        (37.1500, 36.2620),
        (37.1500, 36.2850),
        (37.1700, 36.2960),
        (37.2000, 36.2960),
        (37.2220, 36.2780),
        (37.2320, 36.2550),
        (37.2300, 36.2350),
        (37.2280, 36.2000),
        (37.2250, 36.1930),
        (37.2150, 36.1850),
        (37.1950, 36.1750),
        (37.1750, 36.1620),
        (37.1600, 36.1585),
        (37.1450, 36.1620),
        (37.1300, 36.1640),
    ]
)
# North of the city proper (Jandoul, Ard al-Hamra, Handarat camp): the approach to the road.
EAST_APPROACH = poly([(37.14, 36.2480), (37.25, 36.2480), (37.25, 36.30), (37.14, 36.30)])
HANDARAT = poly([(37.172, 36.2700), (37.25, 36.2700), (37.25, 36.30), (37.172, 36.30)])
# Western and north-western countryside (opposition throughout), the frame's west edge.
WEST_COUNTRY = poly(
    [
        (36.95, 36.05),
        (37.045, 36.05),
        (37.050, 36.090),
        (37.060, 36.120),
        (37.066, 36.150),
        (37.070, 36.180),
        (37.072, 36.200),
        (37.072, 36.235),
        (37.070, 36.260),
        (37.068, 36.290),
        (37.065, 36.310),
        (37.062, 36.350),
        (37.055, 36.40),
        (36.95, 36.40),
    ]
)
# Layramoun, Bani Zeid and the road north of them up to Kafr Hamra: taken 28 July.
LAYRAMOUN = poly(
    [
        (37.060, 36.233),
        (37.100, 36.235),
        (37.125, 36.233),
        (37.139, 36.236),
        (37.145, 36.245),
        (37.140, 36.260),
        (37.125, 36.285),
        (37.120, 36.296),
        (37.067, 36.298),
        (37.050, 36.298),
        (37.050, 36.233),
    ]
)
# The Ramouseh gap opened by the opposition on 6 August and closed on 4 September: 1 km.
RAMOUSEH_GAP = band([(37.050, 36.1445), (37.098, 36.1565), (37.130, 36.1720)], 500.0)

# Districts of eastern Aleppo: (name, pcode, seed lon/lat, population, fall date).
EAST_DISTRICTS = [
    ("Hanano", "N0129", (37.214, 36.240), 18000, "2016-11-26"),
    ("Haydariyeh", "N0122", (37.193, 36.238), 9000, "2016-11-28"),
    ("Ayn At-Tal and Bostan Bash", "N0120", (37.172, 36.236), 8000, "2016-11-28"),
    ("Sheikh Kheder", "N0134", (37.181, 36.224), 9000, "2016-11-28"),
    ("Al-Sakhour", "N0139", (37.193, 36.221), 20000, "2016-11-28"),
    ("Jabal Badro", "N0146", (37.210, 36.218), 9000, "2016-11-28"),
    ("Al-Sha'aar", "N0156", (37.185, 36.207), 20000, "2016-12-05"),
    ("Karm Al-Jabal and Qadi Askar", "N0152", (37.172, 36.210), 10000, "2016-12-05"),
    ("Tariq Al-Bab", "N0157", (37.202, 36.202), 17000, "2016-12-05"),
    ("Karm Al-Jazmati and Maasaraniyeh", "N0187", (37.215, 36.193), 9000, "2016-12-05"),
    ("Old City", "N0185", (37.162, 36.200), 8000, "2016-12-07"),
    ("Kallaseh", "N0197", (37.153, 36.1950), 9000, "2016-12-07"),
    ("Bustan Al-Qaser", "N0204", (37.145, 36.187), 16000, "2016-12-07"),
    ("Al-Fardous and Bab Al-Maqam", "N0209", (37.160, 36.190), 12000, "2016-12-07"),
    ("Al-Marjeh and Karm Homed", "N0213", (37.183, 36.185), 11000, "2016-12-12"),
    ("Al-Salheen", "N0211", (37.168, 36.178), 8000, "2016-12-12"),
    ("Sheikh Said", "N0225", (37.157, 36.166), 5000, "2016-12-12"),
    ("Seif Ad-Dawla", "N0203", (37.126, 36.191), 10000, "2016-12-22"),
    ("Salah Ad-Deen", "N0214", (37.124, 36.180), 9000, "2016-12-22"),
    ("Al-Ansari and Az-Zebdiyeh", "N0195", (37.135, 36.188), 10000, "2016-12-22"),
    ("As-Sukkari", "N0219", (37.143, 36.175), 10000, "2016-12-22"),
    ("Al-Mashhad", "N0218", (37.134, 36.177), 8000, "2016-12-22"),
    ("Al-Amerriyah and Tal Az-Zarazir", "N0222", (37.127, 36.168), 5000, "2016-12-22"),
]
# Districts of western Aleppo (government throughout): (name, pcode, seed, population).
WEST_DISTRICTS = [
    ("New Aleppo", "N0184", (37.088, 36.200), 150000),
    ("Al-Hamdaniyeh", "N0216", (37.098, 36.180), 120000),
    ("Al-Azamiyeh and Al-Furqan", "N0202", (37.110, 36.200), 110000),
    ("Masharqa", "N0182", (37.133, 36.207), 60000),
    ("Al-Jamiliyeh", "N0161", (37.148, 36.213), 90000),
    ("Al-Mohafaza and As-Sabil", "N0151", (37.124, 36.214), 100000),
    ("Ash-Shahbaa and Al-Khalidiyeh", "N0144", (37.110, 36.224), 120000),
    ("Az-Zahraa", "N0135", (37.088, 36.224), 70000),
    ("Al-Aziziyeh and As-Suleimaniyeh", "N0160", (37.154, 36.221), 90000),
    ("Al-Ashrafiyeh", "N0128", (37.136, 36.229), 50000),
]
SDF_POPULATION = 30000
# Bustan al-Qasr's north-eastern quarter, towards Bab Qinnasrin and Bab al-Faraj: taken from
# the Voronoi cells of Kallaseh and the Old City. After the district fell on 7 December its
# exit to the north-east (the Bab al-Faraj road) lies more than 1,500 m from the opposition
# ground left on every later day (Marjeh, Salheen and Sheikh Said until 12 December; the last
# enclave of Seif ad-Dawla, Salah ad-Din, Ansari, Sukkari, Mashhad and Amiriyah until
# 22 December), so the district keeps an unexposed road to the government's rear.
BUSTAN_NE = poly(
    [
        (37.1470, 36.1915),
        (37.1520, 36.1860),
        (37.15864, 36.19545),
        (37.1610, 36.2000),
        (37.1600, 36.2050),
        (37.1560, 36.2045),
    ]
)
BUSTAN_NE_DONORS = ("Kallaseh", "Old City")
RAMOUSEH_DISTRICT = poly([(37.075, 36.100), (37.160, 36.100), (37.160, 36.158), (37.075, 36.150)])
RAMOUSEH_POPULATION = 20000


# ---------------------------------------------------------------------- sectors
def build_sectors() -> list[dict]:
    """Paint the sectors and give each one its control history."""
    painted = shapely.Polygon()
    sectors: list[dict] = []

    def paint(name, outline, history, confidence="medium"):
        nonlocal painted
        geom = diff(inter(outline, FRAME), painted)
        if geom.is_empty:
            raise ValueError(f"sector {name} is empty")
        painted = union([painted, geom])
        sectors.append(
            {"name": name, "geometry": geom, "history": history, "confidence": confidence}
        )
        return geom

    paint("Sheikh Maqsoud", SDF, [("ypg", None, None)], "high")
    paint(
        "Castello Road at Sheikh Maqsoud (cut 17 July)",
        CUT,
        [("fsa", None, "2016-07-17"), ("saa", "2016-07-17", None)],
    )
    paint("Mallah farms", MALLAH, [("fsa", None, "2016-07-07"), ("saa", "2016-07-07", None)])
    paint(
        "Handarat camp",
        inter(HANDARAT, EAST),
        [("jfs", None, "2016-09-29"), ("saa", "2016-09-29", None)],
        "low",
    )
    paint(
        "Jandoul and Ard al-Hamra",
        inter(EAST_APPROACH, EAST),
        [("ahrar", None, "2016-11-28"), ("saa", "2016-11-28", None)],
        "low",
    )
    city = diff(inter(EAST, FRAME), painted)
    cells = district_cells(city, [d[2] for d in EAST_DISTRICTS])
    names = [d[0] for d in EAST_DISTRICTS]
    bustan = names.index("Bustan Al-Qaser")
    for donor in BUSTAN_NE_DONORS:
        k = names.index(donor)
        taken = inter(cells[k], BUSTAN_NE)
        cells[k] = diff(cells[k], BUSTAN_NE)
        cells[bustan] = union([cells[bustan], taken])
    for (name, _pcode, _seed, _pop, fall), cell in zip(EAST_DISTRICTS, cells, strict=True):
        party = "ahrar" if name in ("Salah Ad-Deen", "Seif Ad-Dawla") else "fsa"
        if name in ("Hanano", "Al-Sha'aar", "Al-Sakhour"):
            party = "jfs"
        history = [(party, None, fall), ("saa", fall, None)]
        paint(f"East Aleppo: {name}", cell, history)
    paint(
        "Western countryside (Kafr Hamra, Rashideen, Khan Touman)",
        WEST_COUNTRY,
        [("fsa", None, None)],
    )
    paint(
        "Layramoun and Bani Zeid",
        LAYRAMOUN,
        [("fsa", None, "2016-07-28"), ("ndf", "2016-07-28", None)],
    )
    paint(
        "Ramouseh gap (artillery academy)",
        RAMOUSEH_GAP,
        [
            ("saa", None, "2016-08-06"),
            ("jfs", "2016-08-06", "2016-09-04"),
            ("saa", "2016-09-04", None),
        ],
    )
    rest = diff(FRAME, painted)
    parts = sorted((g for g in shapely.get_parts(rest) if g.area > 1e-8), key=lambda g: -g.area)
    if len(parts) != 2:
        raise ValueError(f"government ground should be two parts, got {len(parts)}")
    west, outer = parts if parts[0].contains(Point(37.0936, 36.1993)) else parts[::-1]
    sectors.append(
        {
            "name": "West Aleppo city",
            "geometry": west,
            "history": [("saa", None, None)],
            "confidence": "high",
        }
    )
    north = inter(outer, box(36.95, 36.235, 37.35, 36.40))
    south = diff(outer, north)
    sectors.append(
        {
            "name": "North and north-east (Handarat hills, Sheikh Najjar)",
            "geometry": north,
            "history": [("saa", None, None)],
            "confidence": "medium",
        }
    )
    sectors.append(
        {
            "name": "South and east (Ramouseh, airport, Khanasser road)",
            "geometry": south,
            "history": [("saa", None, None)],
            "confidence": "medium",
        }
    )
    return sectors


def district_cells(region, seeds):
    """Voronoi cells of the seeds clipped to a region, in seed order."""
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=FRAME.buffer(1.0))
    out = []
    for seed in seeds:
        cell = next(c for c in shapely.get_parts(cells) if c.contains(Point(seed)))
        out.append(inter(grid(cell.buffer(2e-5, join_style="mitre")), region))
    return out


# ---------------------------------------------------------------------- roads
# Road nodes (lon, lat). Roads are split at every node they share, so the layer is noded.
N = {
    # opposition north-west: Castello Road and the countryside
    "castello_w": (36.95, 36.2950),
    "anadan": (37.0100, 36.40),
    "kafr_hamra": (37.040, 36.2860),
    "castello_1": (37.000, 36.2920),
    "castello_2": (37.085, 36.2760),
    "layramoun_jct": (37.110, 36.2665),
    "castello_3": (37.135, 36.2630),
    "castello_4": (37.150, 36.2625),
    "castello_5": (37.165, 36.2625),
    "jandoul": (37.185, 36.2580),
    "anadan_1": (37.020, 36.3400),
    # eastern Aleppo
    "haydariyeh": (37.188, 36.2350),
    "sakhour": (37.190, 36.2150),
    "shaar": (37.178, 36.1950),
    "fardous_e": (37.165, 36.1860),
    "baq_inner": (37.152, 36.1800),
    "baq_cross": (37.1422, 36.1925),
    "baq_n": (37.1515, 36.1895),
    "bab_qinnasrin": (37.1585, 36.2030),
    "hanano": (37.212, 36.2380),
    "old_city": (37.161, 36.2005),
    "tariq_bab": (37.203, 36.1900),
    "sheikh_said": (37.158, 36.1670),
    "sukkari": (37.142, 36.1780),
    "amiriyah": (37.1255, 36.1690),
    # western Aleppo (government)
    "masharqa": (37.1435, 36.2015),
    "mohafaza": (37.128, 36.2130),
    "univ": (37.100, 36.2120),
    "new_aleppo": (37.086, 36.2000),
    "rashideen": (37.060, 36.1950),
    "rashideen_w": (36.95, 36.1950),
    "hamdaniyeh": (37.097, 36.1870),
    "gap_x": (37.098, 36.1565),
    "ramouseh_s": (37.105, 36.1350),
    "khanasser_jct": (37.140, 36.1200),
    "khanasser_1": (37.200, 36.1080),
    "khanasser_se": (37.35, 36.0750),
    "shahba": (37.104, 36.2280),
    "layramoun": (37.108, 36.2480),
    "mallah_n": (37.120, 36.3000),
    "nubl_road": (37.130, 36.3500),
    "nubl_n": (37.140, 36.40),
    "jamiliyeh": (37.145, 36.2115),
    "bab_faraj": (37.157, 36.2080),
    # opposition south-west countryside and the M5
    "khan_touman": (37.030, 36.1200),
    "zerbeh_s": (36.985, 36.05),
    "m5_1": (37.055, 36.1457),
    "khan_touman_w": (36.95, 36.1150),
    # government east and north
    "airport": (37.225, 36.1780),
    "nayrab": (37.250, 36.1700),
    "kuweires_e": (37.35, 36.1500),
    "airport_s": (37.215, 36.1400),
    "sheikh_najjar": (37.250, 36.2640),
    "al_bab_e": (37.35, 36.2850),
    "handarat_hills": (37.190, 36.3150),
    "east_ring": (37.262, 36.2200),
}

# (name, kind, node sequence); every consecutive pair of nodes is one road segment.
ROADS = [
    (
        "Castello Road",
        "primary",
        [
            "castello_w",
            "castello_1",
            "kafr_hamra",
            "castello_2",
            "layramoun_jct",
            "castello_3",
            "castello_4",
            "castello_5",
            "jandoul",
        ],
    ),
    ("Kafr Hamra - Anadan road", "secondary", ["kafr_hamra", "anadan_1", "anadan"]),
    ("Jandoul - Haydariyeh - Sakhour road", "primary", ["jandoul", "haydariyeh", "sakhour"]),
    (
        "East Aleppo artery (Sakhour - Shaar - Bustan al-Qasr)",
        "primary",
        ["sakhour", "shaar", "fardous_e", "baq_inner"],
    ),
    (
        "Bustan al-Qasr crossing road",
        "secondary",
        ["baq_inner", "baq_cross", "masharqa", "mohafaza"],
    ),
    ("West Aleppo artery (Mohafaza - University)", "primary", ["mohafaza", "univ"]),
    (
        "New Aleppo - Rashideen road",
        "secondary",
        ["univ", "new_aleppo", "rashideen", "rashideen_w"],
    ),
    ("Ramouseh road", "primary", ["univ", "hamdaniyeh", "gap_x", "ramouseh_s", "khanasser_jct"]),
    (
        "Khanasser road (government supply route)",
        "primary",
        ["khanasser_jct", "khanasser_1", "khanasser_se"],
    ),
    (
        "M5 highway (Khan Touman - Ramouseh)",
        "primary",
        ["zerbeh_s", "khan_touman", "m5_1", "gap_x", "amiriyah", "sukkari", "baq_inner"],
    ),
    ("Khan Touman road west", "secondary", ["khan_touman", "khan_touman_w"]),
    ("Layramoun road", "primary", ["univ", "shahba", "layramoun", "layramoun_jct"]),
    ("Mallah - Nubl road", "secondary", ["layramoun_jct", "mallah_n", "nubl_road", "nubl_n"]),
    (
        "Jamiliyeh - Old City road (Bab al-Faraj)",
        "secondary",
        ["mohafaza", "jamiliyeh", "bab_faraj", "old_city", "shaar"],
    ),
    (
        "Bustan al-Qasr - Bab al-Faraj road",
        "secondary",
        ["baq_inner", "baq_n", "bab_qinnasrin", "bab_faraj"],
    ),
    ("Airport road", "primary", ["shaar", "tariq_bab", "airport", "nayrab", "kuweires_e"]),
    ("Airport - Khanasser link", "secondary", ["airport", "airport_s", "khanasser_1"]),
    (
        "Hanano - Sheikh Najjar road (Aleppo - al-Bab)",
        "primary",
        ["haydariyeh", "hanano", "sheikh_najjar", "al_bab_e"],
    ),
    ("Handarat road", "secondary", ["sheikh_najjar", "handarat_hills", "mallah_n"]),
    ("Eastern ring road", "secondary", ["sheikh_najjar", "east_ring", "airport"]),
    ("Sheikh Said road", "secondary", ["baq_inner", "sheikh_said", "khanasser_jct"]),
]


def road_segments() -> gpd.GeoDataFrame:
    rows = []
    for name, kind, nodes in ROADS:
        for a, b in itertools.pairwise(nodes):
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "from_node": a,
                    "to_node": b,
                    "geometry": LineString([N[a], N[b]]),
                }
            )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


# ---------------------------------------------------------------------- layers
PARTIES = [
    ("saa", "Syrian Arab Army and allied forces", "government", "#c0392b"),
    ("ndf", "National Defence Forces", "government", "#e74c3c"),
    ("ahrar", "Ahrar al-Sham", "opposition", "#27ae60"),
    ("fsa", "Free Syrian Army groups (Fastaqim Kama Umirt and others)", "opposition", "#2ecc71"),
    ("jfs", "Jabhat Fateh al-Sham", "opposition", "#1e8449"),
    ("ypg", "YPG / Syrian Democratic Forces", "sdf", "#f1c40f"),
]


def zones_frame(sectors) -> gpd.GeoDataFrame:
    rows = []
    for sector in sectors:
        for party, start, end in sector["history"]:
            rows.append(
                {
                    "party": party,
                    "name": sector["name"],
                    "valid_from": start or START,
                    "valid_to": end or "",
                    "source": SRC_ZONE,
                    "confidence": sector["confidence"],
                    "geometry": sector["geometry"],
                }
            )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def areas_frame(sectors) -> gpd.GeoDataFrame:
    by_name = {s["name"]: s["geometry"] for s in sectors}
    rows = []
    east_total = sum(d[3] for d in EAST_DISTRICTS)
    for i, (name, pcode, _seed, pop, _fall) in enumerate(EAST_DISTRICTS, start=1):
        rows.append(
            {
                "area_id": f"E{i:02d}",
                "name": name,
                "pcode": pcode,
                "population": pop,
                "side_2016": "east",
                "population_source": "UN OCHA estimate of about 250,000 people in "
                "eastern Aleppo (2016), illustrative split by district",
                "geometry": by_name[f"East Aleppo: {name}"],
            }
        )
    assert abs(east_total - 250000) <= 12500, east_total
    west = by_name["West Aleppo city"]
    cells = district_cells(west, [d[2] for d in WEST_DISTRICTS])
    painted = shapely.Polygon()
    for i, ((name, pcode, _seed, pop), cell) in enumerate(
        zip(WEST_DISTRICTS, cells, strict=True), start=1
    ):
        cell = diff(inter(cell.buffer(2e-5, join_style="mitre"), west), painted)
        painted = union([painted, cell])
        rows.append(
            {
                "area_id": f"W{i:02d}",
                "name": name,
                "pcode": pcode,
                "population": pop,
                "side_2016": "west",
                "population_source": "Illustrative figure (western Aleppo, 2016)",
                "geometry": cell,
            }
        )
    rows.append(
        {
            "area_id": "W11",
            "name": "Al-Ramouseh",
            "pcode": "N0226",
            "population": RAMOUSEH_POPULATION,
            "side_2016": "west",
            "population_source": "Illustrative figure",
            "geometry": inter(
                RAMOUSEH_DISTRICT, by_name["South and east (Ramouseh, airport, Khanasser road)"]
            ),
        }
    )
    rows.append(
        {
            "area_id": "S01",
            "name": "Ash-Sheikh Maqsoud",
            "pcode": "N0123",
            "population": SDF_POPULATION,
            "side_2016": "sdf",
            "population_source": "Illustrative figure (estimates in 2016 varied)",
            "geometry": by_name["Sheikh Maqsoud"],
        }
    )
    frame = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    frame["population"] = frame["population"].astype("int64")
    return frame


def corridor_rows(cid, kind, name, entrance, exit_, coords, statuses, announced_by, source):
    rows = []
    for status, start, end in statuses:
        rows.append(
            {
                "corridor_id": cid,
                "kind": kind,
                "status": status,
                "name": name,
                "entrance_name": entrance,
                "exit_name": exit_,
                "announced_by": announced_by,
                "valid_from": start,
                "valid_to": end,
                "source": source,
                "geometry": LineString(coords),
            }
        )
    return rows


def corridors_frame() -> gpd.GeoDataFrame:
    mee = "Russian Ministry of Defence announcement, 28 July 2016 (Middle East Eye, Reuters)"
    civ = [
        ("announced", "2016-07-28", "2016-07-30"),
        ("open", "2016-07-30", "2016-08-06"),
        ("closed", "2016-08-06", ""),
    ]
    rows = []
    rows += corridor_rows(
        "C1",
        "civilian",
        "Bustan al-Qasr crossing",
        "Bustan al-Qasr",
        "Masharqa",
        [(37.1425, 36.1920), (37.1432, 36.1990)],
        civ,
        "saa",
        mee,
    )
    rows += corridor_rows(
        "C2",
        "civilian",
        "Salah ad-Din crossing",
        "Salah ad-Din",
        "Al-Hamdaniyeh",
        [(37.1215, 36.1830), (37.1120, 36.1840)],
        civ,
        "saa",
        mee,
    )
    rows += corridor_rows(
        "C3",
        "civilian",
        "Masaken Hanano crossing",
        "Hanano",
        "Sheikh Najjar road",
        [(37.2180, 36.2400), (37.2380, 36.2500)],
        [("announced", "2016-07-28", "2016-08-06"), ("closed", "2016-08-06", "")],
        "saa",
        mee,
    )
    rows += corridor_rows(
        "C4",
        "combatant",
        "Castello Road exit for fighters",
        "Jandoul",
        "Castello Road (government-held)",
        [(37.1800, 36.2600), (37.1500, 36.2640), (37.1300, 36.2640)],
        [
            ("announced", "2016-07-28", "2016-07-30"),
            ("open", "2016-07-30", "2016-08-03"),
            ("closed", "2016-08-03", ""),
        ],
        "saa",
        mee,
    )
    rows += corridor_rows(
        "C5",
        "aid",
        "Castello Road aid route (US-Russia arrangement)",
        "Jandoul",
        "Castello Road (government-held)",
        [(37.1800, 36.2600), (37.1500, 36.2640), (37.1300, 36.2640)],
        [("announced", "2016-09-12", "2016-09-19"), ("closed", "2016-09-19", "2016-10-01")],
        "saa",
        "Reuters, September 2016: aid convoys never entered",
    )
    rows += corridor_rows(
        "C6",
        "civilian",
        "Evacuation route (civilians and fighters)",
        "Al-Amerriyah",
        "Ar-Ramouseh",
        [(37.1270, 36.1700), (37.1230, 36.1580), (37.1100, 36.1300)],
        [
            ("announced", "2016-12-13", "2016-12-15"),
            ("open", "2016-12-15", "2016-12-22"),
            ("closed", "2016-12-22", ""),
        ],
        "saa",
        "OCHA Aleppo Situation Report No. 7 (14 Dec 2016) and later "
        "OCHA updates: evacuation 15-22 December 2016",
    )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


FACILITIES = [
    ("F01", "hospital", "Field hospital (east, approximate)", (37.183, 36.214)),
    ("F02", "hospital", "Field hospital (south-east, approximate)", (37.170, 36.190)),
    ("F03", "hospital", "Field hospital (Sheikh Said area, approximate)", (37.152, 36.172)),
    ("F04", "hospital", "University hospital (west, approximate)", (37.112, 36.212)),
    ("F05", "school", "School (east, approximate)", (37.196, 36.230)),
    ("F06", "school", "School (west, approximate)", (37.094, 36.205)),
    ("F07", "market", "Market (east, approximate)", (37.176, 36.205)),
    ("F08", "market", "Market (Old City edge, approximate)", (37.158, 36.198)),
    ("F09", "bakery", "Bakery (Bustan al-Qasr, approximate)", (37.146, 36.188)),
    ("F10", "bakery", "Bakery (Al-Sakhour, approximate)", (37.191, 36.222)),
    ("F11", "water_point", "Water point (east, approximate)", (37.200, 36.205)),
    ("F12", "water_point", "Water point (Sheikh Maqsoud, approximate)", (37.150, 36.236)),
    ("F13", "bakery", "Bakery (west, approximate)", (37.120, 36.220)),
]


def facilities_frame() -> gpd.GeoDataFrame:
    rows = [
        {
            "facility_id": fid,
            "kind": kind,
            "name": name,
            "position": "approximate",
            "valid_from": START,
            "valid_to": "",
            "source": "Illustrative: generic facility, position approximate",
            "geometry": Point(xy),
        }
        for fid, kind, name, xy in FACILITIES
    ]
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def incidents_frame(areas) -> gpd.GeoDataFrame:
    """A few dozen illustrative incidents, drawn with a fixed seed inside the districts."""
    rng = np.random.default_rng(2016)
    east = areas[areas["side_2016"] == "east"].reset_index(drop=True)
    west = areas[areas["side_2016"] == "west"].reset_index(drop=True)
    days = pd.date_range("2016-07-01", "2016-12-21", freq="D")
    rows = []
    kinds = [
        ("Explosions/Remote violence", "Air/drone strike", "airstrike", "saa"),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack", "shelling", "saa"),
        ("Battles", "Armed clash", "armed_clash", "saa"),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack", "shelling", "fsa"),
    ]
    for i in range(36):
        event_type, sub, kind, actor = kinds[i % len(kinds)]
        pool = west if actor == "fsa" else east
        area = pool.iloc[int(rng.integers(len(pool)))]
        geom = area.geometry
        minx, miny, maxx, maxy = geom.bounds
        while True:
            pt = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if geom.contains(pt):
                break
        day = days[int(rng.integers(len(days)))]
        rows.append(
            {
                "date": day.strftime("%Y-%m-%d"),
                "kind": kind,
                "event_type": event_type,
                "sub_event_type": sub,
                "fatalities": int(rng.integers(0, 12)),
                "actor": actor,
                "admin_area": area["name"],
                "source": "Illustrative incident (not a real event), generated for the example",
                "geometry": Point(round(pt.x, 5), round(pt.y, 5)),
            }
        )
    frame = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    return frame.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------- writing
MANIFEST = '''\
name = "Aleppo, July-December 2016"
description = """Illustrative reconstruction of Aleppo from 1 July to 31 December 2016: \
the encirclement of eastern Aleppo (Castello Road under fire from 7 July, cut on 17 July), \
the Ramouseh gap (6 August - 3 September), the November-December offensive and the \
evacuation that ended on 22 December. Coarse, approximate geometry drawn by hand from public \
reporting; facilities are generic and placed approximately; incidents are illustrative, not \
real events. For learning geoaccess; not for operational use."""
sources = {sources}
extent = [36.95, 36.05, 37.35, 36.40]
{parties}
[[relations]]
sides = ["government", "sdf"]
relation = "neutral"

[rules]
fire_control_m = 1500
snap_m = 50

[layers]
zones = "zones.geojson"
roads = "roads.geojson"
corridors = "corridors.geojson"
areas = "areas.geojson"
facilities = "facilities.geojson"
incidents = "incidents.geojson"
'''


def manifest_text() -> str:
    parties = "".join(
        f'\n[[parties]]\nid = "{pid}"\nname = "{name}"\nside = "{side}"\ncolor = "{color}"\n'
        for pid, name, side, color in PARTIES
    )
    sources = "[\n" + "".join(f'    "{s}",\n' for s in SOURCES) + "]"
    return MANIFEST.format(sources=sources, parties=parties)


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write a layer as compact, deterministic GeoJSON (coordinates on the 1e-5 grid)."""
    features = []
    for row in frame.itertuples(index=False):
        record = row._asdict()
        geom = record.pop("geometry")
        props = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in record.items()}
        props = {k: (None if v == "" else v) for k, v in props.items()}
        gj = json.loads(shapely.to_geojson(grid(geom)))
        gj["coordinates"] = _round(gj["coordinates"])
        features.append({"type": "Feature", "properties": props, "geometry": gj})
    doc = {
        "type": "FeatureCollection",
        "name": path.stem,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(
        text.replace('{"type":"Feature"', '\n{"type":"Feature"') + "\n", encoding="utf-8"
    )


def _round(coords):
    if isinstance(coords[0], (int, float)):
        return [round(float(c), 5) for c in coords]
    return [_round(c) for c in coords]


def build() -> dict[str, gpd.GeoDataFrame]:
    sectors = build_sectors()
    areas = areas_frame(sectors)
    sector_geoms, area_geoms = on_grid(
        [s["geometry"] for s in sectors], list(areas.geometry.values)
    )
    for sector, geom in zip(sectors, sector_geoms, strict=True):
        sector["geometry"] = geom
    areas = areas.set_geometry(area_geoms, crs="EPSG:4326")
    return {
        "zones": zones_frame(sectors),
        "roads": road_segments(),
        "corridors": corridors_frame(),
        "areas": areas.drop(columns="side_2016").assign(side_2016=areas["side_2016"]),
        "facilities": facilities_frame(),
        "incidents": incidents_frame(areas),
    }


def write_all(out: Path) -> dict[str, gpd.GeoDataFrame]:
    """Write the manifest and every layer into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    layers = build()
    for name, frame in layers.items():
        write_geojson(frame, out / f"{name}.geojson")
    (out / "scenario.toml").write_text(manifest_text(), encoding="utf-8")
    return layers


def main() -> None:
    for name, frame in write_all(OUT).items():
        print(f"{name}: {len(frame)} features")


if __name__ == "__main__":
    main()
