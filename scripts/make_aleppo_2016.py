"""Build the bundled scenario ``data/geo/aleppo_2016`` on OCHA's Aleppo neighbourhoods.

Run ``python scripts/make_aleppo_2016.py`` from the repository root; the output is
deterministic (the same files byte for byte on every run, with or without the shared data).
The scenario's README says what is reported and what is drawn; this script makes the rest.

What it is made of
------------------
- **Areas**: the 109 Aleppo city neighbourhoods of OCHA's Common Operational Dataset
  (COD-AB v02, dated 2016-09-05; CC BY-IGO 3.0, attribute UN OCHA). They are read from
  ``../shared/data/derived_geojson/aleppo_city_neighborhoods_ocha_cod_ab.geojson`` when it
  sits beside the project, otherwise from the copy shipped in the scenario folder
  (``neighbourhoods_ocha.geojson``), so the scenario regenerates either way. The copy keeps
  OCHA's columns for the English name, the Arabic name, the neighbourhood code and the
  parent p-codes; its geometry is simplified by 5 m in UTM 37N with
  ``shapely.coverage_simplify`` (neighbours keep shared edges) and rounded to 1e-5 degrees;
  one Arabic name written three times on three lines (N0164) is kept once.
- **Control**: ``labels.csv`` says which party held each neighbourhood from which date,
  naming the report behind each change (the history is ``scripts/aleppo_2016_labels.py``);
  ``geoaccess.zones_from_labels`` turns the labels into zones.
- **Countryside**: coarse sectors drawn around the city (Castello Road north of Sheikh
  Maqsoud, the Mallah farms, Handarat, Ard al-Hamra and Jandoul, the edges of eastern
  Aleppo, Layramoun, the western countryside, the Ramouseh gap), each with its own dated
  history and source; the rest of the frame is government ground. They carry the Castello
  Road and Ramouseh story: the Castello link is about 5 km wide until 6 July and about
  2 km wide (under fire) from 7 July, cut on 17 July; the Ramouseh gap of 6 August to
  3 September is about 1 km wide. Their overlays run on a 1e-7 degree grid and are written
  with 7 decimals, so that they tile with the neighbourhoods without slivers.
- **Population** (illustrative): the 250,000 people of eastern Aleppo (the UN's 2016
  estimate) are split over the neighbourhoods besieged on 20 July in proportion to their
  area; the 1.2 million of western Aleppo (OCHA's low estimate, August 2016) likewise over
  the other neighbourhoods; Sheikh Maqsoud 30,000; none in the industrial districts and in
  Handarat camp, reported empty.
- **Roads** are coarse and illustrative (no OpenStreetMap extract was used); facilities are
  generic and placed approximately; incidents are illustrative, not real events.

It is an example for learning the library, not a record of events and not for
operational use.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "geo" / "aleppo_2016"
SHARED = ROOT.parent / "shared" / "data" / "derived_geojson"
OCHA_FILE = "aleppo_city_neighborhoods_ocha_cod_ab.geojson"
COPY_FILE = "neighbourhoods_ocha.geojson"

for folder in (ROOT, ROOT / "scripts"):  # this checkout's geoaccess, and the label history
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from aleppo_2016_labels import NORTH_WEST_AT_START, SRC, START, label_table  # noqa: E402

GRID = 1e-5
FINE_GRID = 1e-7
EXTENT = (36.95, 36.05, 37.35, 36.40)
FRAME = box(*EXTENT)
SIMPLIFY_M = 5.0
UTM = "EPSG:32637"

TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True).transform
TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True).transform

#: OCHA's columns kept in the shipped copy, in this order.
OCHA_COLUMNS = [
    "neighbor_2",
    "neighborho",
    "neighbor_1",
    "adm4_pcode",
    "adm3_pcode",
    "adm2_pcode",
    "adm1_pcode",
    "adm0_pcode",
]
OCHA_CREDIT = (
    "Neighbourhoods: OCHA COD-AB Syria, Aleppo city neighbourhoods v02 (2016-09-05), "
    "© UN OCHA, CC BY-IGO 3.0, simplified by the geoaccess authors"
)


# ---------------------------------------------------------------------- neighbourhoods
def grid(geom):
    """Snap a geometry to the 1e-5 degree grid."""
    return shapely.set_precision(geom, GRID)


def _round(coords, decimals: int = 5):
    if isinstance(coords[0], (int, float)):
        return [round(float(c), decimals) for c in coords]
    return [_round(c, decimals) for c in coords]


def _rounded(geom) -> shapely.Geometry:
    """The geometry exactly as written to GeoJSON (coordinates rounded to 5 decimals)."""
    gj = json.loads(shapely.to_geojson(geom))
    gj["coordinates"] = _round(gj["coordinates"])
    return shapely.from_geojson(json.dumps(gj))


def _to_utm(xy):
    return np.column_stack(TO_UTM(xy[:, 0], xy[:, 1]))


def _to_lonlat(xy):
    return np.column_stack(TO_LONLAT(xy[:, 0], xy[:, 1]))


def read_geojson(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoJSON written by :func:`write_geojson` without GDAL (exact coordinates)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    props = [f["properties"] for f in doc["features"]]
    geoms = [shapely.from_geojson(json.dumps(f["geometry"])) for f in doc["features"]]
    return gpd.GeoDataFrame(pd.DataFrame(props), geometry=geoms, crs="EPSG:4326")


def ocha_neighbourhoods(shared: Path | None = SHARED / OCHA_FILE) -> gpd.GeoDataFrame:
    """OCHA's 109 Aleppo neighbourhoods as shipped: the shared file when present, cleaned
    and simplified; otherwise the copy already shipped in the scenario folder."""
    if shared is None or not shared.exists():
        copy = read_geojson(OUT / COPY_FILE)
        return copy[[*OCHA_COLUMNS, "geometry"]]
    raw = gpd.read_file(shared)
    raw = raw.sort_values("neighbor_2", kind="stable").reset_index(drop=True)
    frame = raw[OCHA_COLUMNS].astype(object).copy()
    for column in OCHA_COLUMNS:  # N0164's Arabic name is repeated on three lines
        frame[column] = frame[column].map(lambda v: str(v).splitlines()[0].strip())
    metric = raw.geometry.to_crs(UTM).values
    simple = shapely.coverage_simplify(metric, SIMPLIFY_M)
    lonlat = gpd.GeoSeries(simple, crs=UTM).to_crs("EPSG:4326").values
    geoms = [_rounded(g) for g in lonlat]
    if not (shapely.is_valid(geoms).all() and shapely.coverage_is_valid(geoms)):
        raise ValueError("the simplified neighbourhoods are no longer a valid coverage")
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


# ---------------------------------------------------------------------- countryside
def polygonal(geom):
    """The polygons of a geometry (overlays on the grid can leave lines and points)."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 0]
    return shapely.union_all(parts, grid_size=FINE_GRID) if parts else Polygon()


def poly(coords):
    return grid(Polygon(coords))


def band(coords, half_width_m):
    """A flat-ended band of ``2 * half_width_m`` around a lon/lat line, in lon/lat."""
    line = shapely.transform(LineString(coords), _to_utm)
    return grid(shapely.transform(line.buffer(half_width_m, cap_style="flat"), _to_lonlat))


# The channel north of Sheikh Maqsoud that Castello Road runs through; cut on 17 July.
CHANNEL = box(37.128, 36.236, 37.172, 36.2675)
# Mallah farms, north of the road: taken on 7 July (Castello Road under fire control).
MALLAH = box(37.115, 36.2675, 37.172, 36.296)
# Around Handarat camp (the camp itself is a neighbourhood): until 29 September.
HANDARAT = poly([(37.172, 36.2675), (37.232, 36.2675), (37.222, 36.281), (37.200, 36.296),
                 (37.172, 36.296)])  # fmt: skip
# Ard al-Hamra, east of Hanano, where the army came in from: until 26 November.
EAST_OF_HANANO = box(37.205, 36.215, 37.232, 36.2675)
# Jandoul, north of Ayn al-Tal and Haydariyeh: until 28 November.
JANDOUL = box(37.172, 36.215, 37.232, 36.2675)
# The south-eastern edge of eastern Aleppo, beyond the built-up neighbourhoods (Sheikh Lutfi,
# Bab al-Nairab, Karm al-Tarab towards the airport road): the airport road part until
# 3 December, the southern part until 12 December.
EAST_EDGE = poly(
    [
        (37.232, 36.215),
        (37.228, 36.200),
        (37.225, 36.193),
        (37.215, 36.185),
        (37.195, 36.175),
        (37.175, 36.162),
        (37.160, 36.1585),
        (37.150, 36.1585),
        (37.150, 36.215),
    ]
)
# Western and north-western countryside (opposition throughout), the frame's west edge.
WEST_COUNTRY = poly(
    [
        (36.95, 36.05),
        (37.030, 36.05),
        (37.035, 36.090),
        (37.042, 36.120),
        (37.046, 36.150),
        (37.048, 36.180),
        (37.050, 36.200),
        (37.050, 36.235),
        (37.052, 36.260),
        (37.055, 36.290),
        (37.055, 36.310),
        (37.055, 36.350),
        (37.050, 36.40),
        (36.95, 36.40),
    ]
)
# Layramoun, Kafr Hamra's approach and the ground north of Bani Zeid: until 28 July.
LAYRAMOUN = poly(
    [
        (37.050, 36.240),
        (37.128, 36.240),
        (37.128, 36.2675),
        (37.115, 36.2675),
        (37.115, 36.296),
        (37.067, 36.298),
        (37.050, 36.298),
    ]
)
# The Ramouseh gap opened on 6 August and closed on 4 September: about 1 km wide, through
# the military colleges south of the city into Sheikh Said.
RAMOUSEH_GAP_LINE = [
    (37.035, 36.1250),
    (37.110, 36.1280),
    (37.140, 36.1340),
    (37.158, 36.1450),
    (37.162, 36.1620),
]
RAMOUSEH_GAP = band(RAMOUSEH_GAP_LINE, 500.0)

#: Pieces of government ground smaller than this (about 0.1 km²) closed off between the
#: city and the sectors join the sector they border most, so no sliver becomes a pocket.
NOTCH_DEG2 = 1e-5

COUNTRY_SOURCES = {
    "castello": "OCHA Syria Crisis Bi-Weekly Situation Report No. 11, 19 Aug 2016 "
    "(Castello Road closed on 7 July); Reuters, 17 Jul 2016 (road cut)",
    "mallah": "OCHA Syria Crisis Bi-Weekly Situation Report No. 11, 19 Aug 2016 "
    "(Castello Road closed to access on 7 July)",
    "handarat": SRC["handarat"],
    "jandoul": SRC["baaiedin"] + "; " + SRC["north"],
    "airport_road": SRC["tariq"] + "; drawn coarsely",
    "hanano": SRC["hanano"] + "; " + SRC["baaiedin"],
    "east_edge": "AP, 12 Dec 2016 (government troops seized a wide strip on the southern "
    "edge of Aleppo); drawn coarsely",
    "west": "OCHA Flash Update No. 1, Aleppo, 10-11 Aug 2016 (opposition-held western "
    "countryside); drawn coarsely",
    "layramoun": SRC["bani_zeid"],
    "gap": "Reuters, 6 Aug 2016 (rebels broke through at the Ramousah military colleges); "
    "SOHR via press, Sep 2016 (the colleges retaken on 4 Sep)",
    "government": "Government-held countryside (OCHA situation reports, 2016); drawn coarsely",
}


def countryside(city: shapely.Geometry) -> list[dict]:
    """The coarse sectors around the city, each with its control history."""
    painted = city
    sectors: list[dict] = []

    def paint(name, outline, history, source, confidence="low"):
        nonlocal painted
        geom = polygonal(
            shapely.difference(
                shapely.intersection(outline, FRAME, grid_size=FINE_GRID),
                painted,
                grid_size=FINE_GRID,
            )
        )
        if geom.is_empty:
            raise ValueError(f"sector {name} is empty")
        painted = shapely.union(painted, geom, grid_size=FINE_GRID)
        sectors.append(
            {
                "name": name,
                "geometry": geom,
                "history": history,
                "source": COUNTRY_SOURCES[source],
                "confidence": confidence,
            }
        )

    paint(
        "Castello Road north of Sheikh Maqsoud (cut 17 July)",
        CHANNEL,
        [("fsa", None, "2016-07-17"), ("saa", "2016-07-17", None)],
        "castello",
        "medium",
    )
    paint(
        "Mallah farms",
        MALLAH,
        [("fsa", None, "2016-07-07"), ("saa", "2016-07-07", None)],
        "mallah",
        "medium",
    )
    paint(
        "Around Handarat camp",
        HANDARAT,
        [("jfs", None, "2016-09-29"), ("saa", "2016-09-29", None)],
        "handarat",
    )
    paint(
        "Ard al-Hamra (east of Hanano)",
        EAST_OF_HANANO,
        [("ahrar", None, "2016-11-26"), ("saa", "2016-11-26", None)],
        "hanano",
    )
    paint(
        "Jandoul",
        JANDOUL,
        [("ahrar", None, "2016-11-28"), ("saa", "2016-11-28", None)],
        "jandoul",
    )
    paint(
        "Eastern edge of eastern Aleppo (the airport road)",
        shapely.intersection(EAST_EDGE, box(37.19, 36.18, 37.24, 36.22)),
        [("fsa", None, "2016-12-03"), ("saa", "2016-12-03", None)],
        "airport_road",
    )
    paint(
        "South-eastern edge of eastern Aleppo (towards Sheikh Said)",
        EAST_EDGE,
        [("fsa", None, "2016-12-12"), ("saa", "2016-12-12", None)],
        "east_edge",
    )
    paint(
        "Western countryside (Kafr Hamra, Rashideen, Khan Touman)",
        WEST_COUNTRY,
        [("fsa", None, None)],
        "west",
    )
    paint(
        "Layramoun and the approach to Kafr Hamra",
        LAYRAMOUN,
        [("fsa", None, "2016-07-28"), ("ndf", "2016-07-28", None)],
        "layramoun",
    )
    paint(
        "Ramouseh gap (military colleges)",
        RAMOUSEH_GAP,
        [
            ("saa", None, "2016-08-06"),
            ("jfs", "2016-08-06", "2016-09-04"),
            ("saa", "2016-09-04", None),
        ],
        "gap",
        "medium",
    )
    rest = polygonal(shapely.difference(FRAME, painted, grid_size=FINE_GRID))
    parts = sorted(shapely.get_parts(rest), key=lambda g: -g.area)
    government = []
    for part in parts:
        if part.area >= NOTCH_DEG2 or part.distance(FRAME.exterior) < GRID:
            government.append(part)
            continue
        # a small notch closed off by the sectors goes to the sector it borders most
        shared = [shapely.intersection(part.boundary, s["geometry"]).length for s in sectors]
        target = sectors[int(np.argmax(shared))]
        target["geometry"] = polygonal(shapely.union(target["geometry"], part, grid_size=FINE_GRID))
    government = shapely.union_all(government, grid_size=FINE_GRID)
    north = polygonal(
        shapely.intersection(government, box(36.95, 36.25, 37.35, 36.40), grid_size=FINE_GRID)
    )
    sectors.append(
        {
            "name": "North and north-east (Handarat hills, Sheikh Najjar)",
            "geometry": north,
            "history": [("saa", None, None)],
            "source": COUNTRY_SOURCES["government"],
            "confidence": "medium",
        }
    )
    sectors.append(
        {
            "name": "South, east and west (airport, Khanasser road, western suburbs)",
            "geometry": polygonal(shapely.difference(government, north, grid_size=FINE_GRID)),
            "history": [("saa", None, None)],
            "source": COUNTRY_SOURCES["government"],
            "confidence": "medium",
        }
    )
    return sectors


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
    "haydariyeh": (37.187, 36.2350),
    "sakhour": (37.192, 36.2180),
    "shaar": (37.187, 36.2060),
    "karm_homed": (37.181, 36.1940),
    "salheen": (37.166, 36.1835),
    "daadaa": (37.152, 36.1840),
    "baq_inner": (37.1430, 36.1870),
    "baq_cross": (37.1440, 36.1965),
    "kallaseh": (37.1490, 36.1935),
    "hanano": (37.203, 36.2400),
    "old_city": (37.163, 36.1990),
    "tariq_bab": (37.200, 36.2070),
    "sheikh_said": (37.155, 36.1660),
    "sukkari": (37.143, 36.1760),
    "amiriyah": (37.1265, 36.1700),
    # western Aleppo (government)
    "masharqa": (37.1435, 36.2010),
    "mohafaza": (37.1330, 36.2110),
    "univ": (37.108, 36.2120),
    "new_aleppo": (37.092, 36.2000),
    "rashideen": (37.045, 36.1950),
    "rashideen_w": (36.95, 36.1950),
    "hamdaniyeh": (37.111, 36.1810),
    "tishrine": (37.088, 36.1750),
    "ramouseh_w": (37.100, 36.1500),
    "ramouseh": (37.120, 36.1550),
    "gap_x": (37.123, 36.1300),
    "ramouseh_s": (37.145, 36.1100),
    "khanasser_jct": (37.170, 36.1000),
    "khanasser_1": (37.230, 36.0880),
    "khanasser_se": (37.35, 36.0700),
    "shahba": (37.115, 36.2220),
    "layramoun": (37.100, 36.2450),
    "mallah_n": (37.120, 36.3000),
    "nubl_road": (37.130, 36.3500),
    "nubl_n": (37.140, 36.40),
    "jamiliyeh": (37.145, 36.2095),
    "sabil": (37.128, 36.2200),
    "bab_faraj": (37.1560, 36.2080),
    # opposition south-west countryside and the M5
    "khan_touman": (37.030, 36.1200),
    "zerbeh_s": (36.985, 36.05),
    "m5_1": (37.070, 36.1265),
    "gap_e": (37.158, 36.1480),
    "khan_touman_w": (36.95, 36.1150),
    # government east and north
    "airport": (37.232, 36.1700),
    "nayrab": (37.250, 36.1650),
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
        ["sakhour", "shaar", "karm_homed", "salheen", "daadaa", "baq_inner"],
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
    ("Ramouseh road", "primary", ["univ", "hamdaniyeh", "ramouseh", "gap_x", "ramouseh_s"]),
    ("Sabil road", "secondary", ["mohafaza", "sabil", "shahba"]),
    ("Hamdaniyeh - Tishrine road", "secondary", ["hamdaniyeh", "tishrine"]),
    (
        "Western ring road (New Aleppo - Tishrine)",
        "secondary",
        ["new_aleppo", "tishrine", "ramouseh_w", "gap_x"],
    ),
    (
        "Khanasser road (government supply route)",
        "primary",
        ["ramouseh_s", "khanasser_jct", "khanasser_1", "khanasser_se"],
    ),
    (
        "M5 highway (Khan Touman - Ramouseh - Sheikh Said)",
        "primary",
        ["zerbeh_s", "khan_touman", "m5_1", "gap_x", "gap_e", "sheikh_said", "sukkari"],
    ),
    ("Sukkari - Bustan al-Qasr road", "secondary", ["sukkari", "baq_inner"]),
    ("Amiriyah road", "secondary", ["sukkari", "amiriyah"]),
    ("Khan Touman road west", "secondary", ["khan_touman", "khan_touman_w"]),
    ("Layramoun road", "primary", ["univ", "shahba", "layramoun", "layramoun_jct"]),
    ("Mallah - Nubl road", "secondary", ["layramoun_jct", "mallah_n", "nubl_road", "nubl_n"]),
    (
        "Jamiliyeh - Old City road (Bab al-Faraj)",
        "secondary",
        ["mohafaza", "jamiliyeh", "bab_faraj", "old_city", "karm_homed"],
    ),
    ("Bustan al-Qasr - Kallaseh road", "secondary", ["baq_inner", "kallaseh", "old_city"]),
    ("Airport road", "primary", ["shaar", "tariq_bab", "airport", "nayrab", "kuweires_e"]),
    ("Airport - Khanasser link", "secondary", ["airport", "airport_s", "khanasser_1"]),
    (
        "Hanano - Sheikh Najjar road (Aleppo - al-Bab)",
        "primary",
        ["haydariyeh", "hanano", "sheikh_najjar", "al_bab_e"],
    ),
    ("Handarat road", "secondary", ["sheikh_najjar", "handarat_hills", "mallah_n"]),
    ("Eastern ring road", "secondary", ["sheikh_najjar", "east_ring", "airport"]),
    ("Sheikh Said road", "secondary", ["sheikh_said", "airport_s"]),
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
                    "position": "illustrative",
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
SIDE = {pid: side for pid, _name, side, _color in PARTIES}


def city_zones(areas: gpd.GeoDataFrame, labels: pd.DataFrame) -> gpd.GeoDataFrame:
    """The labels as zones, with ``geoaccess.zones_from_labels``."""
    import geoaccess as ga

    zones = ga.zones_from_labels(areas, labels[["pcode", "date", "party", "source"]])
    sides = zones["party"].map(SIDE)
    return gpd.GeoDataFrame(
        {
            "party": zones["party"],
            "name": [
                f"Aleppo city: {n} neighbourhood{'s' if n > 1 else ''} ({side})"
                for n, side in zip(zones["areas"], sides, strict=True)
            ],
            "valid_from": zones["valid_from"].dt.strftime("%Y-%m-%d"),
            "valid_to": zones["valid_to"].dt.strftime("%Y-%m-%d").fillna(""),
            "source": zones["source"],
            "confidence": "see labels.csv",
        },
        geometry=zones.geometry.values,
        crs="EPSG:4326",
    )


def country_zones(sectors: list[dict]) -> gpd.GeoDataFrame:
    rows = []
    for sector in sectors:
        for party, start, end in sector["history"]:
            rows.append(
                {
                    "party": party,
                    "name": sector["name"],
                    "valid_from": start or START,
                    "valid_to": end or "",
                    "source": sector["source"],
                    "confidence": sector["confidence"],
                    "geometry": sector["geometry"],
                }
            )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


EAST_TOTAL = 250_000
WEST_TOTAL = 1_200_000
SDF_POPULATION = 30_000
#: No residents counted: Handarat camp, reported almost entirely empty (The New Arab,
#: 24 Sep 2016), and the three industrial districts.
EMPTY = {"N0227", "N0121", "N0206", "N0226"}
POPULATION_SOURCE = {
    "east": "Illustrative: the UN estimate of about 250,000 people in eastern Aleppo (2016) "
    "split over the neighbourhoods besieged on 20 July in proportion to their area",
    "west": "Illustrative: OCHA's 1.2 million people in western Aleppo (Bi-Weekly "
    "Situation Report No. 11, 19 Aug 2016, low end) split over the other neighbourhoods in "
    "proportion to their area",
    "sdf": "Illustrative figure (estimates in 2016 varied)",
    "empty": "Illustrative: none counted (an industrial district, or Handarat camp, reported "
    "almost entirely empty by The New Arab, 24 Sep 2016)",
}


def split_by_area(weights: np.ndarray, total: int, step: int = 10) -> np.ndarray:
    """Integers in multiples of ``step`` proportional to ``weights`` summing to ``total``
    (largest remainder)."""
    exact = weights / weights.sum() * (total // step)
    base = np.floor(exact).astype(np.int64)
    short = total // step - int(base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:short]] += 1
    return base * step


def areas_frame(hoods: gpd.GeoDataFrame, labels: pd.DataFrame) -> gpd.GeoDataFrame:
    """The neighbourhoods as the areas layer: p-codes, both names, illustrative people."""
    on_20_july = labels[labels["date"] <= "2016-07-20"].drop_duplicates("pcode", keep="last")
    held = dict(zip(on_20_july["pcode"], on_20_july["party"], strict=True))
    codes = hoods["neighbor_2"].tolist()
    side = [
        "sdf"
        if SIDE[held[c]] == "sdf"
        else "east"
        if SIDE[held[c]] == "opposition" and c not in NORTH_WEST_AT_START
        else "west"
        for c in codes
    ]
    area_m2 = hoods.geometry.to_crs(UTM).area.to_numpy()
    population = np.zeros(len(codes), dtype=np.int64)
    source = [POPULATION_SOURCE[s] for s in side]
    for group, total in (("east", EAST_TOTAL), ("west", WEST_TOTAL)):
        members = np.array([s == group for s in side]) & ~np.isin(codes, list(EMPTY))
        population[members] = split_by_area(area_m2[members], total)
    for k, code in enumerate(codes):
        if side[k] == "sdf":
            population[k] = SDF_POPULATION
        if code in EMPTY:
            source[k] = POPULATION_SOURCE["empty"]
    frame = pd.DataFrame(
        {
            "area_id": codes,
            "pcode": codes,
            "name": hoods["neighborho"].tolist(),
            "name_local": hoods["neighbor_1"].tolist(),
            "adm4_pcode": hoods["adm4_pcode"].tolist(),
            "adm3_pcode": hoods["adm3_pcode"].tolist(),
            "adm2_pcode": hoods["adm2_pcode"].tolist(),
            "adm1_pcode": hoods["adm1_pcode"].tolist(),
            "population": population,
            "population_source": source,
            "side_2016": side,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=hoods.geometry.values, crs="EPSG:4326")


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
        [(37.1440, 36.1960), (37.1435, 36.2005)],
        civ,
        "saa",
        mee,
    )
    rows += corridor_rows(
        "C2",
        "civilian",
        "Salah ad-Din crossing",
        "Salah ad-Din",
        "Hamadaniyeh",
        [(37.1215, 36.1820), (37.1120, 36.1830)],
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
        [(37.2080, 36.2450), (37.2380, 36.2550)],
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
        "Ramouseh bridge and the western countryside",
        [(37.1265, 36.1700), (37.1200, 36.1550), (37.1000, 36.1250)],
        [
            ("announced", "2016-12-13", "2016-12-15"),
            ("open", "2016-12-15", "2016-12-22"),
            ("closed", "2016-12-22", ""),
        ],
        "saa",
        "OCHA Aleppo Situation Reports No. 7 (14 Dec 2016) and No. 9 (20 Dec 2016, the "
        "Ramoussah Bridge): evacuation 15-22 December 2016",
    )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


FACILITIES = [
    ("F01", "hospital", "Field hospital (east, approximate)", (37.1850, 36.2090)),
    ("F02", "hospital", "Field hospital (south-east, approximate)", (37.1700, 36.1880)),
    ("F03", "hospital", "Field hospital (Sheikh Said area, approximate)", (37.1520, 36.1700)),
    ("F04", "hospital", "University hospital (west, approximate)", (37.1160, 36.2120)),
    ("F05", "school", "School (east, approximate)", (37.1950, 36.2300)),
    ("F06", "school", "School (west, approximate)", (37.0940, 36.2050)),
    ("F07", "market", "Market (east, approximate)", (37.1780, 36.2050)),
    ("F08", "market", "Market (Old City edge, approximate)", (37.1600, 36.1980)),
    ("F09", "bakery", "Bakery (Bustan al-Qasr, approximate)", (37.1420, 36.1900)),
    ("F10", "bakery", "Bakery (Al-Sakhour, approximate)", (37.1900, 36.2220)),
    ("F11", "water_point", "Water point (east, approximate)", (37.2000, 36.2000)),
    ("F12", "water_point", "Water point (Sheikh Maqsoud, approximate)", (37.1500, 36.2360)),
    ("F13", "bakery", "Bakery (west, approximate)", (37.1200, 36.2200)),
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
    """A few dozen illustrative incidents, drawn with a fixed seed inside the neighbourhoods."""
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
            pt = Point(round(rng.uniform(minx, maxx), 5), round(rng.uniform(miny, maxy), 5))
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
                "admin_pcode": area["pcode"],
                "source": "Illustrative incident (not a real event), generated for the example",
                "geometry": pt,
            }
        )
    frame = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    return frame.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------- writing
SOURCES = [
    OCHA_CREDIT,
    "OCHA Syria Crisis Bi-Weekly Situation Report No. 11, 19 August 2016",
    "OCHA Flash Update No. 1: Syria Crisis - Aleppo, 10-11 August 2016",
    "OCHA Syria: Aleppo Situation Report No. 1, 1 December 2016",
    "OCHA Syria: Aleppo Situation Report No. 7, 14 December 2016",
    "OCHA Syria: Aleppo Situation Report No. 9, 20 December 2016",
    "OCHA Syria: Aleppo Situation Report No. 12, 4 January 2017",
    "Siege Watch (PAX / The Syria Institute) quarterly reports, 2016",
    "Syrian Observatory for Human Rights, as reported by AFP, AP and Reuters, July-December 2016",
    "Reuters, AFP, AP, BBC, Xinhua (SANA) and other press reporting, July-December 2016; "
    "each change is cited in labels.csv",
    "Middle East Eye, 29 July 2016 (humanitarian corridors)",
]

MANIFEST = '''\
name = "Aleppo, July-December 2016"
description = """Illustrative reconstruction of Aleppo from 1 July to 31 December 2016 on \
OCHA's 109 city neighbourhoods: the encirclement of eastern Aleppo (Castello Road under fire \
from 7 July, cut on 17 July), the Ramouseh gap (6 August - 3 September), the \
November-December offensive and the evacuation that ended on 22 December. Control by \
neighbourhood is labelled from public reporting (labels.csv names the source of each change); \
the countryside and roads are drawn coarsely and approximately; populations are illustrative \
splits of the UN's estimates; facilities are generic and placed approximately; incidents are \
illustrative, not real events. For learning geoaccess; not for operational use."""
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


def write_geojson(
    frame: gpd.GeoDataFrame, path: Path, *, snap: bool = True, decimals: int = 5
) -> None:
    """Write a layer as compact, deterministic GeoJSON (coordinates rounded to ``decimals``;
    with ``snap``, snapped to the 1e-5 degree grid first)."""
    features = []
    for row in frame.itertuples(index=False):
        record = row._asdict()
        geom = record.pop("geometry")
        props = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in record.items()}
        props = {k: (None if v == "" else v) for k, v in props.items()}
        gj = json.loads(shapely.to_geojson(grid(geom) if snap else geom))
        gj["coordinates"] = _round(gj["coordinates"], decimals)
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


def write_labels(labels: pd.DataFrame, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(labels.columns)
    writer.writerows(labels.itertuples(index=False))
    path.write_text(buffer.getvalue(), encoding="utf-8")


def build(shared: Path | None = SHARED / OCHA_FILE) -> dict[str, pd.DataFrame]:
    hoods = ocha_neighbourhoods(shared)
    codes = hoods["neighbor_2"].tolist()
    labels = label_table(codes, dict(zip(codes, hoods["neighborho"], strict=True)))
    areas = areas_frame(hoods, labels)
    city = shapely.union_all(areas.geometry.values, grid_size=FINE_GRID)
    zones = pd.concat([city_zones(areas, labels), country_zones(countryside(city))])
    # one geometry type, so that the layer round-trips through a GeoPackage unchanged
    zones["geometry"] = [
        MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in zones.geometry
    ]
    return {
        "neighbourhoods_ocha": hoods,
        "labels": labels,
        "zones": gpd.GeoDataFrame(zones.reset_index(drop=True), crs="EPSG:4326"),
        "roads": road_segments(),
        "corridors": corridors_frame(),
        "areas": areas,
        "facilities": facilities_frame(),
        "incidents": incidents_frame(areas),
    }


def write_all(out: Path, shared: Path | None = SHARED / OCHA_FILE) -> dict[str, pd.DataFrame]:
    """Write the manifest, the labels and every layer into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    layers = build(shared)
    for name, frame in layers.items():
        if name == "labels":
            write_labels(frame, out / "labels.csv")
        elif name == "neighbourhoods_ocha":
            write_geojson(frame, out / COPY_FILE, snap=False)
        elif name == "zones":
            # the neighbourhoods' vertices are on the 1e-5 grid already; where a countryside
            # sector's edge crosses a neighbourhood's, the crossing keeps 7 decimals (1 cm),
            # so zones and areas still tile without slivers
            write_geojson(frame, out / "zones.geojson", snap=False, decimals=7)
        else:
            write_geojson(frame, out / f"{name}.geojson", snap=name != "areas")
    (out / "scenario.toml").write_text(manifest_text(), encoding="utf-8")
    return layers


def main() -> None:
    for name, frame in write_all(OUT).items():
        print(f"{name}: {len(frame)} rows")


if __name__ == "__main__":
    main()
