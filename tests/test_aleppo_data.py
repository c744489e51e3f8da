"""The bundled Aleppo 2016 scenario: geometry checks read straight from the GeoJSON files.

These tests do not use the engine: they check, with plain shapely/geopandas in UTM 37N,
that the hand-drawn geometry has the properties the access rules depend on (tiling, who
holds the reference points, the widths of the Castello and Ramouseh links, the roads).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import tomllib
from shapely.geometry import Point, box

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "geo" / "aleppo_2016"
SCRIPT = ROOT / "scripts" / "make_aleppo_2016.py"
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

BUSTAN_AL_QASR = (37.1419, 36.1908)
AL_SAKHOUR = (37.1897, 36.2198)
SALAH_AD_DIN = (37.1231, 36.1810)
SHEIKH_MAQSOUD = (37.1525, 36.2361)
NEW_ALEPPO = (37.0936, 36.1993)
EAST_CORE = (37.190, 36.215)  # the middle of eastern Aleppo


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
FRAME = box(*MANIFEST["extent"])
FRAME_M = gpd.GeoSeries([FRAME.segmentize(0.001)], crs=4326).to_crs(UTM).iloc[0]


def _area_m2(geom: shapely.Geometry) -> float:
    """Area in square metres of a lon/lat geometry."""
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(UTM).area.iloc[0])


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
def test_manifest_labels_and_frame() -> None:
    assert MANIFEST["extent"] == [36.95, 36.05, 37.35, 36.40]
    assert "not for operational use" in MANIFEST["description"]
    assert "approximate" in MANIFEST["description"].lower()
    assert len(MANIFEST["sources"]) >= 4
    assert any("OCHA" in s for s in MANIFEST["sources"])
    assert any("Siege Watch" in s for s in MANIFEST["sources"])
    assert {p["side"] for p in MANIFEST["parties"]} == {"government", "opposition", "sdf"}
    assert {"saa", "ndf", "ahrar", "fsa", "jfs", "ypg"} <= set(SIDE)
    assert MANIFEST["relations"] == [{"sides": ["government", "sdf"], "relation": "neutral"}]
    for name in MANIFEST["layers"].values():
        assert (DATA / name).is_file()


# ---------------------------------------------------------------------- zones
def test_zone_columns() -> None:
    for column in ("party", "name", "valid_from", "valid_to", "source", "confidence"):
        assert column in ZONES
    assert set(ZONES["party"]) <= set(SIDE)
    starts = pd.to_datetime(ZONES["valid_from"])
    ends = pd.to_datetime(ZONES["valid_to"])
    assert ((ends.isna()) | (ends > starts)).all()


@pytest.mark.parametrize("day", _change_dates())
def test_zones_tile_the_frame(day: str) -> None:
    # compared in lon/lat, where the frame is exactly a box; overlaps measured in m²
    geoms = ZONES[_valid(ZONES, day)].geometry.values
    merged = shapely.union_all(geoms)
    assert abs(merged.area - FRAME.area) / FRAME.area < 1e-6
    assert abs(sum(g.area for g in geoms) - FRAME.area) / FRAME.area < 1e-6
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            assert _area_m2(geoms[i].intersection(geoms[j])) <= 1.0
    gaps = FRAME.difference(merged)
    if not gaps.is_empty:
        gaps_m = gpd.GeoSeries([gaps], crs=4326).to_crs(UTM).iloc[0]
        assert gaps_m.buffer(-SNAP_M / 2).is_empty


@pytest.mark.parametrize("day", ["2016-07-01", "2016-11-25"])
def test_opposition_holds_reference_points(day: str) -> None:
    for point in (BUSTAN_AL_QASR, AL_SAKHOUR, SALAH_AD_DIN):
        assert _holder(day, point) == "opposition"


@pytest.mark.parametrize("day", [*_change_dates(), "2016-12-31"])
def test_sheikh_maqsoud_and_new_aleppo_throughout(day: str) -> None:
    assert _holder(day, SHEIKH_MAQSOUD) == "sdf"
    assert _holder(day, NEW_ALEPPO) == "government"


def test_offensive_and_end_state() -> None:
    assert _holder("2016-12-06", BUSTAN_AL_QASR) == "opposition"
    assert _holder("2016-12-07", BUSTAN_AL_QASR) == "government"
    assert _holder("2016-11-28", AL_SAKHOUR) == "government"
    assert _holder("2016-12-21", SALAH_AD_DIN) == "opposition"
    assert _holder("2016-12-22", SALAH_AD_DIN) == "government"
    assert _ground("2016-12-22", ("opposition",)).intersection(_m(EAST_CORE).buffer(8000)).is_empty


# ---------------------------------------------------------------------- links
def test_castello_link_is_wide_before_7_july() -> None:
    # a link at least 4 km wide from hostile ground to hostile ground
    assert _connected("2016-07-05", 2000.0)
    assert _connected("2016-07-01", 2000.0)


def test_castello_link_is_under_fire_from_7_july() -> None:
    assert _connected("2016-07-10", 0.0)
    assert _connected("2016-07-10", 500.0)
    assert not _connected("2016-07-10", 1250.0)  # narrower than 2.5 km
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
    core = (37.190, 36.215)  # Sakhour roundabout node
    assert _reaches_frame("2016-07-05", "opposition", core, safe_only=True)
    assert not _reaches_frame("2016-07-05", "opposition", core, exclude=("Castello Road",))
    assert not _reaches_frame("2016-07-10", "opposition", core, safe_only=True)
    assert _reaches_frame("2016-07-10", "opposition", core)  # usable but exposed
    assert not _reaches_frame("2016-07-20", "opposition", core)


def test_ramouseh_road_crosses_the_gap_in_august() -> None:
    core = (37.190, 36.215)
    assert _reaches_frame("2016-08-20", "opposition", core, exclude=("Castello Road",))
    assert not _reaches_frame("2016-08-20", "opposition", core, safe_only=True)


def test_castello_road_exposure() -> None:
    road = ROADS_M[ROADS_M["name"] == "Castello Road"].geometry.union_all()
    assert road.distance(_ground("2016-07-05", HOSTILE["opposition"])) > FIRE_M
    assert road.distance(_ground("2016-07-10", ("government",))) < FIRE_M


@pytest.mark.parametrize("day", _change_dates())
def test_khanasser_road_stays_clear_of_the_opposition(day: str) -> None:
    road = ROADS_M[ROADS_M["name"].str.startswith("Khanasser")].geometry.union_all()
    assert road.distance(_ground(day, ("opposition",))) > FIRE_M
    assert road.intersection(FRAME_M.exterior.buffer(1.0)).length > 0 or (
        road.distance(FRAME_M.exterior) < 1.0
    )


@pytest.mark.parametrize("day", _change_dates())
def test_west_aleppo_keeps_a_safe_road_out(day: str) -> None:
    assert _reaches_frame(day, "government", (37.100, 36.212), safe_only=True)


# ---------------------------------------------------------------------- areas
def test_areas_count_names_and_population() -> None:
    assert 20 <= len(AREAS) <= 40
    assert AREAS["area_id"].is_unique
    for column in ("area_id", "name", "pcode", "population", "population_source"):
        assert column in AREAS
    east = AREAS[AREAS["area_id"].str.startswith("E")]
    assert abs(east["population"].sum() - 250_000) <= 0.05 * 250_000
    for name in (
        "Bustan Al-Qaser",
        "Al-Sakhour",
        "Hanano",
        "Salah Ad-Deen",
        "Seif Ad-Dawla",
        "As-Sukkari",
        "Al-Mashhad",
        "Masharqa",
        "New Aleppo",
        "Al-Hamdaniyeh",
        "Al-Ramouseh",
        "Ash-Sheikh Maqsoud",
    ):
        assert (AREAS["name"] == name).any(), name
    assert AREAS["population_source"].str.len().gt(0).all()


def test_areas_do_not_overlap() -> None:
    geoms = AREAS.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            assert _area_m2(geoms[i].intersection(geoms[j])) <= 1.0


def test_bustan_al_qasr_district() -> None:
    baq = AREAS[AREAS["name"] == "Bustan Al-Qaser"].geometry.iloc[0]
    assert baq.contains(Point(BUSTAN_AL_QASR))
    baq_m = AREAS_M[AREAS_M["name"] == "Bustan Al-Qaser"].geometry.iloc[0]
    # it reaches the safe interior of the pocket (>1.5 km from hostile ground on 5 July)
    hostile = _ground("2016-07-05", HOSTILE["opposition"])
    assert not baq_m.difference(hostile.buffer(FIRE_M)).is_empty


def test_east_districts_in_the_pocket_and_west_in_government_ground() -> None:
    pocket = _ground("2016-07-20", ("opposition",))
    core = [p for p in shapely.get_parts(pocket) if p.contains(_m(EAST_CORE))]
    assert len(core) == 1
    east = AREAS_M[AREAS_M["area_id"].str.startswith("E")]
    for geom in east.geometry.values:
        assert geom.difference(core[0]).area <= 10.0
    west = AREAS_M[AREAS_M["area_id"].str.startswith("W")]
    for day in _change_dates():
        government = _ground(day, ("government",))
        for geom in west.geometry.values:
            assert geom.difference(government).area <= 10.0
    assert _holder("2016-07-01", SHEIKH_MAQSOUD) == "sdf"


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
    baq = AREAS[AREAS["name"] == "Bustan Al-Qaser"].geometry.iloc[0]
    masharqa = AREAS[AREAS["name"] == "Masharqa"].geometry.iloc[0]
    assert baq.contains(Point(line.coords[0]))
    assert masharqa.contains(Point(line.coords[-1]))


def test_no_open_aid_corridor_serves_the_east_pocket() -> None:
    aid = CORRIDORS[CORRIDORS["kind"].isin(["aid", "mixed"]) & (CORRIDORS["status"] == "open")]
    pocket = _ground("2016-07-20", ("opposition",)).buffer(100)
    aid_m = aid.to_crs(UTM)
    for geom in aid_m.geometry.values:
        assert not pocket.contains(Point(geom.coords[0]))


def test_open_corridors_start_in_opposition_ground() -> None:
    opened = CORRIDORS[CORRIDORS["status"] == "open"]
    for row in opened.itertuples():
        day = row.valid_from
        assert _holder(day, row.geometry.coords[0]) == "opposition"
        assert _holder(day, row.geometry.coords[-1]) == "government"


def test_facilities_and_incidents() -> None:
    facilities = _layer("facilities")
    assert set(facilities["kind"]) <= {"hospital", "school", "market", "bakery", "water_point"}
    assert (facilities["position"] == "approximate").all()
    assert facilities["facility_id"].is_unique
    incidents = _layer("incidents")
    assert 20 <= len(incidents) <= 80
    dates = pd.to_datetime(incidents["date"])
    assert dates.min() >= pd.Timestamp("2016-07-01")
    assert dates.max() <= pd.Timestamp("2016-12-31")
    assert incidents["source"].str.contains("Illustrative").all()
    assert incidents.within(FRAME).all()


# ---------------------------------------------------------------------- script, loader
def test_script_regenerates_the_committed_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_aleppo_2016", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_all(tmp_path)
    for path in sorted(DATA.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


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


EXPECTED_BUSTAN_AL_QASR = {
    "2016-07-05": "accessible",  # Castello Road open, link about 5 km wide
    "2016-07-10": "hard_to_reach",  # Castello Road under fire control
    "2016-07-20": "besieged",  # road cut on 17 July
    "2016-08-20": "hard_to_reach",  # the narrow Ramouseh gap
    "2016-09-20": "besieged",  # gap closed on 4 September
    "2016-12-23": "accessible",  # government-held after the evacuation
}


@pytest.mark.parametrize(("day", "status"), sorted(EXPECTED_BUSTAN_AL_QASR.items()))
def test_engine_statuses_of_bustan_al_qasr(day: str, status: str) -> None:
    import geoaccess as ga

    scn = ga.datasets.aleppo_2016()
    areas = ga.assess(scn, day).areas.set_index("area_id")
    assert areas.loc["E13", "status"] == status
    assert areas.loc["W01", "status"] == "accessible"  # New Aleppo
    assert areas.loc["S01", "status"] != "besieged"  # Sheikh Maqsoud
