"""The bundled Aleppo 2016 scenario: its data, read straight from the files.

Most of these tests do not use the engine: they check, with plain shapely/geopandas in UTM
37N, what the scenario says and the properties the access rules depend on. Dated facts are
checked at points and by neighbourhood code (who holds Bustan al-Qasr on a date), not by
the ids of drawn sectors: the areas are OCHA's 109 Aleppo neighbourhoods, control is
labelled by neighbourhood (``labels.csv``, each change naming its source) and turned into
zones by ``ga.zones_from_labels``, with coarse countryside sectors around the city.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import tomllib
from conftest import shared_file
from shapely.geometry import Point, box

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "geo" / "aleppo_2016"
SCRIPT = ROOT / "scripts" / "make_aleppo_2016.py"
OCHA = "derived_geojson/aleppo_city_neighborhoods_ocha_cod_ab.geojson"
UTM = "EPSG:32637"
FIRE_M = 1500.0
SNAP_M = 50.0

MANIFEST = tomllib.loads((DATA / "scenario.toml").read_text(encoding="utf-8"))
SIDE = {p["id"]: p["side"] for p in MANIFEST["parties"]}
HOSTILE = {
    "opposition": ("government", "sdf"),
    "government": ("opposition",),
    "sdf": ("opposition",),
}

# Points inside OCHA neighbourhoods (checked against their codes below).
BUSTAN_AL_QASR = (37.1419, 36.1908)  # N0204 Bustan Al-Qaser
AL_SAKHOUR = (37.1897, 36.2198)  # N0139
SALAH_AD_DIN = (37.1231, 36.1810)  # N0214 Salah Ad-Deen
SHEIKH_MAQSOUD = (37.1525, 36.2361)  # N0123 Ash-Sheikh Maqsoud
NEW_ALEPPO = (37.0936, 36.1993)  # N0184
HANANO = (37.2056, 36.2337)  # N0129
SHEIKH_FARES = (37.1753, 36.2244)  # N0132
OLD_CITY = (37.1602, 36.1985)  # N0185 Al-Madina Old Souq
EAST_CORE = (37.192, 36.218)  # Sakhour, the middle of eastern Aleppo
POINTS = {
    "N0204": BUSTAN_AL_QASR,
    "N0139": AL_SAKHOUR,
    "N0214": SALAH_AD_DIN,
    "N0123": SHEIKH_MAQSOUD,
    "N0184": NEW_ALEPPO,
    "N0129": HANANO,
    "N0132": SHEIKH_FARES,
    "N0185": OLD_CITY,
}
#: OCHA Aleppo Situation Report No. 7 (14 Dec 2016): as of 13 December only Seif Dawleh,
#: Salah Eddin and pockets of Al Sokari, Mashad and Al Amriyeh remained under NSAG control.
LAST_ENCLAVE = {"N0203", "N0214", "N0218", "N0219", "N0222"}


def _layer(name: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(DATA / f"{name}.geojson")
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    for column in ("valid_from", "valid_to", "date"):
        if column in frame:  # ISO text, None when open-ended
            days = pd.to_datetime(frame[column])
            frame[column] = [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in days]
    return frame


ZONES = _layer("zones")
ZONES_M = ZONES.to_crs(UTM)
ROADS = _layer("roads")
ROADS_M = ROADS.to_crs(UTM)
AREAS = _layer("areas")
AREAS_M = AREAS.to_crs(UTM)
CORRIDORS = _layer("corridors")
LABELS = pd.read_csv(DATA / "labels.csv", dtype=str, keep_default_na=False)
FRAME = box(*MANIFEST["extent"])
FRAME_M = gpd.GeoSeries([FRAME.segmentize(0.001)], crs=4326).to_crs(UTM).iloc[0]


def _m(lonlat: tuple[float, float]) -> Point:
    return gpd.GeoSeries([Point(lonlat)], crs=4326).to_crs(UTM).iloc[0]


def _valid(frame: pd.DataFrame, day: str) -> np.ndarray:
    d = pd.Timestamp(day)
    start = pd.to_datetime(frame["valid_from"])
    end = pd.to_datetime(frame["valid_to"])
    return ((start.isna() | (start <= d)) & (end.isna() | (end > d))).to_numpy()


def _change_dates() -> list[str]:
    days = set(ZONES["valid_from"].dropna()) | set(ZONES["valid_to"].dropna())
    return sorted(d for d in days if "2016-07-01" <= d <= "2016-12-31")


def _ground(day: str, sides: tuple[str, ...]) -> shapely.Geometry:
    rows = ZONES_M[_valid(ZONES_M, day) & ZONES_M["party"].map(SIDE).isin(sides).to_numpy()]
    return shapely.union_all(rows.geometry.values)


def _holder(day: str, lonlat: tuple[float, float]) -> str:
    rows = ZONES[_valid(ZONES, day)]
    hits = rows[rows.contains(Point(lonlat))]
    assert len(hits) == 1, f"{lonlat} is held by {len(hits)} zones on {day}"
    return SIDE[hits["party"].iloc[0]]


def _area(code: str) -> shapely.Geometry:
    return AREAS.loc[AREAS["area_id"] == code].geometry.iloc[0]


def _connected(day: str, clearance_m: float, start=EAST_CORE) -> bool:
    """Whether opposition ground at ``clearance_m`` from hostile ground links ``start`` to
    the frame edge (the safe-ground rule; clearance 0 is plain passability)."""
    hostile = _ground(day, HOSTILE["opposition"])
    passable = FRAME_M.difference(hostile)
    safe = passable.difference(hostile.buffer(clearance_m)) if clearance_m else passable
    origin = _m(start)
    for part in shapely.get_parts(safe):
        if part.distance(origin) <= clearance_m + 1.0:
            if part.distance(FRAME_M.exterior) < 1.0:
                return True
    return False


# ---------------------------------------------------------------------- manifest
def test_manifest_labels_credit_and_frame() -> None:
    assert MANIFEST["extent"] == [36.95, 36.05, 37.35, 36.40]
    description = MANIFEST["description"]
    assert "not for operational use" in description
    assert "illustrative" in description.lower() and "approximate" in description.lower()
    assert "neighbourhoods" in description and "labels.csv" in description
    sources = MANIFEST["sources"]
    credit = sources[0]  # the CC BY-IGO 3.0 attribution comes first, shown in every map
    assert "OCHA" in credit and "COD-AB" in credit and "CC BY-IGO 3.0" in credit
    assert any("Situation Report No. 7" in s for s in sources)
    assert any("Siege Watch" in s for s in sources)
    assert {p["side"] for p in MANIFEST["parties"]} == {"government", "opposition", "sdf"}
    assert {"saa", "ndf", "ahrar", "fsa", "jfs", "ypg"} <= set(SIDE)
    assert MANIFEST["relations"] == [{"sides": ["government", "sdf"], "relation": "neutral"}]
    for name in MANIFEST["layers"].values():
        assert (DATA / name).is_file()


def test_readme_attributes_the_ocha_data() -> None:
    readme = " ".join((DATA / "README.md").read_text(encoding="utf-8").split())
    for text in ("CC BY-IGO 3.0", "UN OCHA", "COD-AB", "coverage_simplify", "illustrative"):
        assert text in readme, text
    assert "not for operational use" in readme


# ---------------------------------------------------------------------- areas
def test_areas_are_the_ocha_neighbourhoods() -> None:
    assert len(AREAS) == 109
    assert AREAS["area_id"].is_unique
    assert (AREAS["area_id"] == AREAS["pcode"]).all()
    assert AREAS["area_id"].str.fullmatch(r"N0\d{3}").all()
    assert (AREAS["adm4_pcode"] == "C1007").all() and (AREAS["adm1_pcode"] == "SY02").all()
    assert (AREAS["adm3_pcode"] == "SY020000").all() and (AREAS["adm2_pcode"] == "SY0200").all()
    arabic = re.compile("[\u0600-\u06ff]")
    assert AREAS["name_local"].map(lambda s: bool(arabic.search(s)) and "\n" not in s).all()
    for code, name in {
        "N0204": "Bustan Al-Qaser",
        "N0123": "Ash-Sheikh Maqsoud",
        "N0129": "Hanano",
        "N0214": "Salah Ad-Deen",
        "N0226": "Ar-Ramouseh Indusrtial District",  # OCHA's spelling, kept
        "N0182": "Masharqa",
        "N0184": "New Aleppo",
        "N0203": "Sayf Ad-Dauleh",
    }.items():
        assert AREAS.loc[AREAS["area_id"] == code, "name"].item() == name
    assert AREAS.loc[AREAS["area_id"] == "N0204", "name_local"].item() == "بستان القصر"


def test_areas_tile_the_city_and_match_the_shipped_copy() -> None:
    geoms = AREAS.geometry.values
    assert shapely.is_valid(geoms).all() and shapely.coverage_is_valid(geoms)
    copy = gpd.read_file(DATA / "neighbourhoods_ocha.geojson")
    assert list(copy.columns) == [
        "neighbor_2",
        "neighborho",
        "neighbor_1",
        "adm4_pcode",
        "adm3_pcode",
        "adm2_pcode",
        "adm1_pcode",
        "adm0_pcode",
        "geometry",
    ]
    assert copy["neighbor_2"].tolist() == AREAS["area_id"].tolist()
    assert copy["neighborho"].tolist() == AREAS["name"].tolist()
    assert copy["neighbor_1"].tolist() == AREAS["name_local"].tolist()
    assert shapely.equals(copy.geometry.values, geoms).all()


@pytest.mark.parametrize("code", sorted(POINTS))
def test_reference_points_lie_in_their_neighbourhoods(code: str) -> None:
    assert _area(code).contains(Point(POINTS[code]))


def test_the_shipped_copy_is_ochas_data_slightly_simplified() -> None:
    original = gpd.read_file(shared_file(OCHA)).sort_values("neighbor_2")
    copy = gpd.read_file(DATA / "neighbourhoods_ocha.geojson")
    assert copy["neighbor_2"].tolist() == original["neighbor_2"].tolist()
    assert copy["neighborho"].tolist() == original["neighborho"].tolist()
    first_line = original["neighbor_1"].map(lambda s: s.splitlines()[0].strip())
    assert copy["neighbor_1"].tolist() == first_line.tolist()
    for column in ("adm4_pcode", "adm3_pcode", "adm2_pcode", "adm1_pcode", "adm0_pcode"):
        assert copy[column].tolist() == original[column].tolist()
    a = copy.to_crs(UTM).geometry.values
    b = original.to_crs(UTM).geometry.values
    assert (shapely.hausdorff_distance(a, b) < 6.0).all()  # 5 m simplification, rounding
    assert abs(shapely.area(a).sum() / shapely.area(b).sum() - 1) < 1e-4


def test_population_is_illustrative_and_adds_up() -> None:
    assert AREAS["population"].dtype.kind == "i"
    assert AREAS["population_source"].str.contains("Illustrative").all()
    by_side = AREAS.groupby("side_2016")["population"].sum()
    assert by_side.to_dict() == {"east": 250_000, "west": 1_200_000, "sdf": 30_000}
    sheikh = AREAS.loc[AREAS["area_id"] == "N0123"]
    assert sheikh["side_2016"].item() == "sdf" and sheikh["population"].item() == 30_000
    empty = set(AREAS.loc[AREAS["population"] == 0, "area_id"])
    assert empty == {"N0121", "N0206", "N0226", "N0227"}  # industrial districts, Handarat
    # the stated rule: people in proportion to area within each group, in tens
    east = AREAS_M[(AREAS_M["side_2016"] == "east") & (AREAS_M["population"] > 0)]
    expected = east.area / east.area.sum() * 250_000
    assert (np.abs(east["population"] - expected) <= 10).all()
    assert (AREAS["population"] % 10 == 0).all()


# ---------------------------------------------------------------------- labels
def test_labels_name_a_source_for_every_change() -> None:
    assert list(LABELS.columns) == [
        "pcode",
        "name",
        "date",
        "party",
        "source",
        "confidence",
        "note",
    ]
    assert set(LABELS["pcode"]) == set(AREAS["area_id"])
    first = LABELS[LABELS["date"] == "2016-07-01"]
    assert first["pcode"].is_unique and len(first) == 109
    assert LABELS["date"].str.fullmatch(r"2016-\d\d-\d\d").all()
    assert LABELS["date"].between("2016-07-01", "2016-12-31").all()
    assert set(LABELS["party"]) <= set(SIDE)
    assert (LABELS["source"].str.len() > 20).all()
    assert set(LABELS["confidence"]) <= {"low", "medium", "high"}
    names = dict(zip(AREAS["area_id"], AREAS["name"], strict=True))
    assert (LABELS["name"] == LABELS["pcode"].map(names)).all()
    changes = LABELS[LABELS["date"] > "2016-07-01"]
    assert changes["source"].str.contains(r"\d{4}").all()  # each dated, by name and date
    silent = changes[changes["source"].str.startswith("reporting silent")]
    assert len(silent) and silent["source"].str.contains("Situation Report No. 7").all()
    assert (silent["confidence"] == "low").all()


def _held_on(day: str) -> dict[str, str]:
    upto = LABELS[LABELS["date"] <= day].drop_duplicates("pcode", keep="last")
    return dict(zip(upto["pcode"], upto["party"].map(SIDE), strict=True))


def test_labels_follow_the_reports() -> None:
    assert [c for c, s in _held_on("2016-07-01").items() if s == "sdf"] == ["N0123"]
    after_sitrep7 = {c for c, s in _held_on("2016-12-13").items() if s == "opposition"}
    assert after_sitrep7 == LAST_ENCLAVE
    assert not [c for c, s in _held_on("2016-12-22").items() if s == "opposition"]
    assert _held_on("2016-11-28")["N0132"] == "sdf"  # Sheikh Fares, taken by Kurdish forces
    bustan = LABELS[LABELS["pcode"] == "N0204"]
    assert bustan[["date", "party"]].values.tolist() == [
        ["2016-07-01", "fsa"],
        ["2016-12-12", "saa"],
    ]
    assert "SOHR, 12 Dec 2016" in bustan["source"].iloc[-1]


def test_zones_are_the_labels_dissolved_plus_the_countryside() -> None:
    import geoaccess as ga

    city = ga.zones_from_labels(AREAS, LABELS[["pcode", "date", "party", "source"]])
    drawn = ZONES[ZONES["name"].str.startswith("Aleppo city")].reset_index(drop=True)
    assert len(city) == len(drawn)
    assert (city["party"] == drawn["party"]).all()
    assert (city["valid_from"].dt.strftime("%Y-%m-%d") == drawn["valid_from"]).all()
    assert (city["source"] == drawn["source"]).all()
    assert shapely.equals(city.geometry.values, drawn.geometry.values).all()
    country = ZONES[~ZONES["name"].str.startswith("Aleppo city")]
    city_union = shapely.union_all(AREAS.geometry.values)
    assert shapely.intersection(shapely.union_all(country.geometry.values), city_union).area < 1e-9


# ---------------------------------------------------------------------- zones
def test_zone_columns() -> None:
    for column in ("party", "name", "valid_from", "valid_to", "source", "confidence"):
        assert column in ZONES
    assert set(ZONES["party"]) <= set(SIDE)
    starts = pd.to_datetime(ZONES["valid_from"])
    ends = pd.to_datetime(ZONES["valid_to"])
    assert ((ends.isna()) | (ends > starts)).all()
    assert ZONES["source"].str.len().gt(0).all()


@pytest.mark.parametrize("day", _change_dates())
def test_zones_tile_the_frame(day: str) -> None:
    # compared in lon/lat, where the frame is exactly a box; slivers (where a countryside
    # edge crosses a neighbourhood's, rounded to 1e-7 degrees) are checked in metres
    rows = ZONES_M[_valid(ZONES_M, day)]
    geoms = rows.geometry.values
    merged = shapely.union_all(ZONES[_valid(ZONES, day)].geometry.values)
    assert abs(merged.area - FRAME.area) / FRAME.area < 1e-7
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    overlaps = [geoms[i].intersection(geoms[j]) for i, j in zip(left, right, strict=True) if i < j]
    assert sum(o.area for o in overlaps) < 200.0  # square metres, in a 1,400 km² frame
    assert all(o.buffer(-0.05).is_empty for o in overlaps)  # slivers under 10 cm wide
    gaps = FRAME.difference(merged)  # in lon/lat, then measured in metres
    if not gaps.is_empty:
        gaps_m = gpd.GeoSeries([gaps], crs=4326).to_crs(UTM).iloc[0]
        assert gaps_m.area < 50.0 and gaps_m.buffer(-0.05).is_empty


@pytest.mark.parametrize("day", ["2016-07-01", "2016-09-20", "2016-11-25"])
def test_opposition_holds_reference_points(day: str) -> None:
    for point in (BUSTAN_AL_QASR, AL_SAKHOUR, SALAH_AD_DIN, HANANO, OLD_CITY):
        assert _holder(day, point) == "opposition"


@pytest.mark.parametrize("day", [*_change_dates(), "2016-12-31"])
def test_sheikh_maqsoud_and_new_aleppo_throughout(day: str) -> None:
    assert _holder(day, SHEIKH_MAQSOUD) == "sdf"
    assert _holder(day, NEW_ALEPPO) == "government"


@pytest.mark.parametrize(
    ("point", "last_day_held", "fell_on", "to_side"),
    [
        (HANANO, "2016-11-25", "2016-11-26", "government"),
        (AL_SAKHOUR, "2016-11-27", "2016-11-28", "government"),
        (SHEIKH_FARES, "2016-11-27", "2016-11-28", "sdf"),
        (OLD_CITY, "2016-12-06", "2016-12-07", "government"),
        (BUSTAN_AL_QASR, "2016-12-11", "2016-12-12", "government"),
        (SALAH_AD_DIN, "2016-12-21", "2016-12-22", "government"),
    ],
)
def test_the_offensive_point_by_point(point, last_day_held, fell_on, to_side) -> None:
    assert _holder(last_day_held, point) == "opposition"
    assert _holder(fell_on, point) == to_side


def test_end_state() -> None:
    assert _ground("2016-12-22", ("opposition",)).intersection(_m(EAST_CORE).buffer(8000)).is_empty


# ---------------------------------------------------------------------- links
def test_castello_link_is_wide_before_7_july() -> None:
    # a link at least 4 km wide from hostile ground to hostile ground
    assert _connected("2016-07-05", 2000.0)
    assert _connected("2016-07-01", 2000.0)


def test_castello_link_is_under_fire_from_7_july() -> None:
    assert _connected("2016-07-10", 0.0)
    assert _connected("2016-07-10", 900.0)
    assert not _connected("2016-07-10", 1250.0)  # about 2 km wide
    assert not _connected("2016-07-10", FIRE_M)


@pytest.mark.parametrize(
    "day", ["2016-07-17", "2016-07-20", "2016-08-05", "2016-09-04", "2016-09-20", "2016-11-25"]
)
def test_east_aleppo_is_encircled(day: str) -> None:
    assert not _connected(day, 0.0)


def test_ramouseh_gap_is_about_one_km() -> None:
    assert _connected("2016-08-06", 0.0)
    assert _connected("2016-08-20", 400.0)
    assert not _connected("2016-08-20", 600.0)
    assert not _connected("2016-08-20", FIRE_M)


def test_sheikh_maqsoud_keeps_clear_of_the_castello_road() -> None:
    road = ROADS_M[ROADS_M["name"] == "Castello Road"].geometry.union_all()
    sdf = _ground("2016-07-05", ("sdf",))
    assert road.distance(sdf) > FIRE_M


# ---------------------------------------------------------------------- roads
def _ends(geom: shapely.LineString) -> list[tuple[float, float]]:
    return [tuple(np.round(geom.coords[0], 6)), tuple(np.round(geom.coords[-1], 6))]


def test_roads_are_many_simple_segments() -> None:
    assert len(ROADS) >= 30
    assert (ROADS.geom_type == "LineString").all()
    assert (ROADS["position"] == "illustrative").all()
    for name in ("Castello Road", "Ramouseh road", "Khanasser road (government supply route)"):
        assert (ROADS["name"] == name).any()


def test_roads_are_noded() -> None:
    geoms = ROADS.geometry.values
    for i, j in itertools.combinations(range(len(geoms)), 2):
        meet = geoms[i].intersection(geoms[j])
        if meet.is_empty:
            continue
        shared = set(_ends(geoms[i])) & set(_ends(geoms[j]))
        points = [tuple(np.round(p.coords[0], 6)) for p in shapely.get_parts(meet)]
        assert meet.geom_type in ("Point", "MultiPoint"), (i, j, meet.wkt)
        assert set(points) <= shared, (ROADS["name"].iloc[i], ROADS["name"].iloc[j], points)


def test_roads_leaving_the_map_end_on_the_frame() -> None:
    degree: dict[tuple[float, float], int] = {}
    for geom in ROADS.geometry.values:
        for end in _ends(geom):
            degree[end] = degree.get(end, 0) + 1
    dead_ends = [Point(p) for p, n in degree.items() if n == 1]
    on_edge = [p for p in dead_ends if FRAME.exterior.distance(p) < 1e-9]
    assert len(on_edge) >= 8
    for p in dead_ends:
        assert FRAME.exterior.distance(p) < 1e-9 or FRAME.contains(p)


def _usable(day: str, side: str) -> np.ndarray:
    hostile = _ground(day, HOSTILE[side])
    return np.array([g.intersection(hostile).length < 1.0 for g in ROADS_M.geometry.values])


def _reaches_frame(
    day: str, side: str, start: tuple[float, float], *, exclude=(), safe_only: bool = False
) -> bool:
    hostile = _ground(day, HOSTILE[side])
    usable = _usable(day, side)
    adj: dict[tuple, list[tuple]] = {}
    for k, (geom, geom_m) in enumerate(
        zip(ROADS.geometry.values, ROADS_M.geometry.values, strict=True)
    ):
        if not usable[k] or ROADS["name"].iloc[k] in exclude:
            continue
        if safe_only and geom_m.distance(hostile) < FIRE_M:
            continue
        a, b = _ends(geom)
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    origin = min(adj, key=lambda n: Point(n).distance(Point(start)), default=None)
    if origin is None or Point(origin).distance(Point(start)) > 0.01:
        return False
    seen, stack = {origin}, [origin]
    while stack:
        node = stack.pop()
        if FRAME.exterior.distance(Point(node)) < 1e-9:
            return True
        for nxt in adj.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def test_castello_road_is_the_lifeline_on_5_july() -> None:
    assert _reaches_frame("2016-07-05", "opposition", EAST_CORE, safe_only=True)
    assert not _reaches_frame("2016-07-05", "opposition", EAST_CORE, exclude=("Castello Road",))
    assert not _reaches_frame("2016-07-10", "opposition", EAST_CORE, safe_only=True)
    assert _reaches_frame("2016-07-10", "opposition", EAST_CORE)  # usable but exposed
    assert not _reaches_frame("2016-07-20", "opposition", EAST_CORE)


def test_the_m5_crosses_the_ramouseh_gap_in_august() -> None:
    assert _reaches_frame("2016-08-20", "opposition", EAST_CORE, exclude=("Castello Road",))
    assert not _reaches_frame("2016-08-20", "opposition", EAST_CORE, safe_only=True)
    assert not _reaches_frame("2016-09-20", "opposition", EAST_CORE)


def test_castello_road_exposure() -> None:
    road = ROADS_M[ROADS_M["name"] == "Castello Road"].geometry.union_all()
    assert road.distance(_ground("2016-07-05", HOSTILE["opposition"])) > FIRE_M
    assert road.distance(_ground("2016-07-10", ("government",))) < FIRE_M


@pytest.mark.parametrize("day", _change_dates())
def test_khanasser_road_stays_clear_of_the_opposition(day: str) -> None:
    road = ROADS_M[ROADS_M["name"].str.startswith("Khanasser")].geometry.union_all()
    assert road.distance(_ground(day, ("opposition",))) > FIRE_M
    assert road.distance(FRAME_M.exterior) < 1.0


@pytest.mark.parametrize("day", _change_dates())
def test_new_aleppo_keeps_a_safe_road_out(day: str) -> None:
    assert _reaches_frame(day, "government", (37.092, 36.200), safe_only=True)


# ---------------------------------------------------------------------- corridors etc.
def test_corridor_rows_do_not_overlap_in_time() -> None:
    for _cid, rows in CORRIDORS.groupby("corridor_id"):
        rows = rows.sort_values("valid_from")
        ends = pd.to_datetime(rows["valid_to"]).tolist()
        starts = pd.to_datetime(rows["valid_from"]).tolist()
        for end, nxt in zip(ends[:-1], starts[1:], strict=True):
            assert not pd.isna(end) and end <= nxt
    assert set(CORRIDORS["kind"]) <= {"civilian", "combatant", "aid", "mixed"}
    assert set(CORRIDORS["status"]) <= {"announced", "open", "closed"}


def test_bustan_al_qasr_crossing() -> None:
    rows = CORRIDORS[CORRIDORS["name"] == "Bustan al-Qasr crossing"]
    assert (rows["valid_from"] == "2016-07-28").any()
    line = rows.geometry.iloc[0]
    assert _area("N0204").contains(Point(line.coords[0]))  # Bustan Al-Qaser
    assert _area("N0182").contains(Point(line.coords[-1]))  # Masharqa


def test_no_open_aid_corridor_serves_the_east_pocket() -> None:
    aid = CORRIDORS[CORRIDORS["kind"].isin(["aid", "mixed"]) & (CORRIDORS["status"] == "open")]
    pocket = _ground("2016-07-20", ("opposition",)).buffer(100)
    for geom in aid.to_crs(UTM).geometry.values:
        assert not pocket.contains(Point(geom.coords[0]))


def test_open_corridors_start_in_opposition_ground() -> None:
    opened = CORRIDORS[CORRIDORS["status"] == "open"]
    for row in opened.itertuples():
        day = row.valid_from
        assert _holder(day, row.geometry.coords[0]) == "opposition"
        assert _holder(day, row.geometry.coords[-1]) == "government"


def test_facilities_and_incidents_are_illustrative() -> None:
    facilities = _layer("facilities")
    assert set(facilities["kind"]) <= {"hospital", "school", "market", "bakery", "water_point"}
    assert (facilities["position"] == "approximate").all()
    assert facilities["name"].str.contains("approximate").all()
    assert facilities["facility_id"].is_unique
    incidents = _layer("incidents")
    assert 20 <= len(incidents) <= 80
    dates = pd.to_datetime(incidents["date"])
    assert dates.min() >= pd.Timestamp("2016-07-01")
    assert dates.max() <= pd.Timestamp("2016-12-31")
    assert incidents["source"].str.contains("Illustrative").all()
    assert incidents.within(FRAME).all()
    where = AREAS.set_index("area_id").geometry.loc[incidents["admin_pcode"]].values
    assert shapely.contains(where, incidents.geometry.values).all()


# ---------------------------------------------------------------------- script, loader
def _script():
    spec = importlib.util.spec_from_file_location("make_aleppo_2016", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED = sorted(p.name for p in DATA.iterdir() if p.name != "README.md")


def test_script_regenerates_the_committed_files_from_the_shipped_copy(tmp_path: Path) -> None:
    _script().write_all(tmp_path, shared=None)
    assert sorted(p.name for p in tmp_path.iterdir()) == GENERATED
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_script_regenerates_the_committed_files_from_the_ocha_file(tmp_path: Path) -> None:
    _script().write_all(tmp_path, shared=shared_file(OCHA))
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_bundled_dataset_loads_cleanly() -> None:
    import geoaccess as ga

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scn = ga.datasets.aleppo_2016()
        problems = ga.validate(scn)
    assert problems == []
    assert set(scn.sides) == {"government", "opposition", "sdf"}
    assert scn.extent == (36.95, 36.05, 37.35, 36.40)
    assert scn.at(dt.date(2016, 7, 20)).zones.shape[0] > 0
