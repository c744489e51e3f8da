"""Validation: every fatal problem names layer, row and column; repairs warn; findings."""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from pyproj import CRS

import geoaccess as ga
from geoaccess.scenario.checks import check_zone_overlaps
from geoaccess.scenario.problems import Findings
from geoaccess.scenario.rest import rest_zones

PARTIES = [
    {"id": "saa", "side": "government"},
    {"id": "reb", "side": "opposition"},
]
WEST = shapely.box(37.0, 36.1, 37.15, 36.3)
EAST = shapely.box(37.15, 36.1, 37.3, 36.3)


def zones(**columns: Any) -> gpd.GeoDataFrame:
    """West held by saa, east by reb, both open-ended unless columns say otherwise."""
    data = {"party": ["saa", "reb"], **columns}
    return gpd.GeoDataFrame(data, geometry=[WEST, EAST], crs="EPSG:4326")


def lines(
    geoms: list[shapely.Geometry], crs: str = "EPSG:4326", **columns: Any
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


#: The theatre: the frame declared, as a real scenario declares it.
EXTENT = (37.0, 36.1, 37.3, 36.3)


def create(zone_frame: gpd.GeoDataFrame | None = None, **kwargs: Any) -> ga.Scenario:
    kwargs.setdefault("parties", PARTIES)
    kwargs.setdefault("extent", EXTENT)
    return ga.Scenario.create("T", zones=zones() if zone_frame is None else zone_frame, **kwargs)


def fatal(**kwargs: Any) -> list[ga.Problem]:
    with pytest.raises(ga.ScenarioError) as error:
        create(**kwargs)
    return list(error.value.problems)


def where(problems: list[ga.Problem]) -> set[tuple[str, object, str | None]]:
    return {(p.layer, p.row, p.column) for p in problems}


CORRIDOR = shapely.LineString([(37.2, 36.2), (37.1, 36.2)])


def corridors(n: int = 1, **columns: Any) -> gpd.GeoDataFrame:
    data = {"corridor_id": ["c1"] * n, "kind": ["aid"] * n, "status": ["open"] * n, **columns}
    return lines([CORRIDOR] * n, **data)


# ---------------------------------------------------------------------- fatal problems
def test_layer_without_crs() -> None:
    frame = zones().set_crs(None, allow_override=True)
    (problem,) = fatal(zone_frame=frame)
    assert problem.layer == "zones" and "no CRS" in problem.message


def test_missing_required_column() -> None:
    (problem,) = fatal(layers={"corridors": corridors().drop(columns="kind")})
    assert (problem.layer, problem.column) == ("corridors", "kind")
    assert "corridor_id, status" in problem.message  # the columns found


@pytest.mark.parametrize(
    ("layer", "column"),
    [("zones", "party"), ("siege_lines", "party"), ("corridors", "announced_by")],
)
def test_unknown_party(layer: str, column: str) -> None:
    frames = {
        "siege_lines": lines([CORRIDOR, CORRIDOR], party=["saa", "isis"]),
        "corridors": corridors(2, corridor_id=["a", "b"], announced_by=["saa", "isis"]),
    }
    if layer == "zones":
        problems = fatal(zone_frame=zones(party=["saa", "isis"]))
    else:
        problems = fatal(layers={layer: frames[layer]})
    (problem,) = problems
    assert (problem.layer, problem.row, problem.column, problem.value) == (layer, 1, column, "isis")
    assert "parties are reb, saa" in problem.message


def test_unknown_side_in_relations_and_rear() -> None:
    problems = fatal(
        relations=[{"sides": ["government", "kurds"], "relation": "neutral"}],
        rear={"rebels": [(36.9, 36.2)]},
    )
    assert where(problems) == {("relations", 0, "sides"), ("rear", 0, "sides")}
    assert {p.value for p in problems} == {"kurds", "rebels"}


def test_unparseable_date() -> None:
    (problem,) = fatal(zone_frame=zones(valid_from=["2016-07-17", "17/07/2016x"]))
    assert (problem.layer, problem.row, problem.column, problem.value) == (
        "zones",
        1,
        "valid_from",
        "17/07/2016x",
    )
    assert "YYYY-MM-DD" in problem.message


def test_valid_to_not_after_valid_from() -> None:
    frame = zones(valid_from=["2016-07-17", None], valid_to=["2016-07-17", None])
    (problem,) = fatal(zone_frame=frame)
    assert (problem.layer, problem.row, problem.column) == ("zones", 0, "valid_to")


def test_coordinates_outside_a_geographic_crs() -> None:
    frame = zones()
    frame.loc[1, "geometry"] = shapely.box(370.0, 36.1, 371.0, 36.3)
    (problem,) = fatal(zone_frame=frame)
    assert (problem.layer, problem.row, problem.column) == ("zones", 1, "geometry")
    assert "-180..180" in problem.message


def test_coordinates_outside_a_projected_crs() -> None:
    """Degrees mistaken for millimetres: coordinates far beyond the UTM zone's use area."""
    frame = zones().to_crs(32637)
    frame.loc[1, "geometry"] = shapely.box(5e8, 4e9, 5.1e8, 4.1e9)
    (problem,) = fatal(zone_frame=frame)
    assert (problem.layer, problem.row, problem.column) == ("zones", 1, "geometry")
    assert "EPSG:32637" in problem.message


def test_projected_crs_within_its_range_is_accepted() -> None:
    scn = create(zones().to_crs(32637))
    # stored in lon/lat, densified so that it follows the straight edges drawn in UTM
    drawn = zones().to_crs(32637).geometry.iloc[0]
    back = scn.zones.to_crs(32637).geometry.iloc[0]
    assert shapely.hausdorff_distance(back, drawn) < 0.01  # metres
    corners = shapely.get_coordinates(scn.zones.geometry.iloc[0])
    for corner in shapely.get_coordinates(WEST):
        assert np.isclose(corners, corner, rtol=0, atol=1e-9).all(axis=1).any()


def test_nan_and_infinite_coordinates() -> None:
    with np.errstate(invalid="ignore"):
        bad = [
            shapely.LineString([(37.0, np.nan), (37.1, 36.2)]),
            shapely.LineString([(np.inf, 36.1), (37.1, 36.2)]),
        ]
    frame = lines([CORRIDOR, *bad], party=["saa"] * 3)
    problems = fatal(layers={"siege_lines": frame})
    assert where(problems) == {("siege_lines", 1, "geometry"), ("siege_lines", 2, "geometry")}
    assert all("finite" in p.message for p in problems)


def test_wrong_geometry_type() -> None:
    frame = zones()
    frame.loc[1, "geometry"] = shapely.Point(37.2, 36.2)
    (problem,) = fatal(zone_frame=frame)
    assert (problem.row, problem.column, problem.value) == (1, "geometry", "Point")


@pytest.mark.parametrize(("column", "value"), [("kind", "medical"), ("status", "ajar")])
def test_unknown_corridor_kind_or_status(column: str, value: str) -> None:
    (problem,) = fatal(layers={"corridors": corridors(**{column: [value]})})
    assert (problem.layer, problem.row, problem.column, problem.value) == (
        "corridors",
        0,
        column,
        value,
    )
    allowed = "civilian, combatant, aid, mixed" if column == "kind" else "announced, open, closed"
    assert allowed in problem.message


def test_rows_of_one_corridor_overlapping_in_time() -> None:
    frame = corridors(
        3,
        status=["announced", "open", "closed"],
        valid_from=["2016-07-28", "2016-08-01", "2016-08-10"],
        valid_to=["2016-08-02", "2016-08-10", None],
    )
    (problem,) = fatal(layers={"corridors": frame})
    assert (problem.layer, problem.row, problem.column, problem.value) == (
        "corridors",
        1,
        "corridor_id",
        "c1",
    )
    assert "row 0" in problem.message
    assert "from 2016-08-01 until 2016-08-02" in problem.message


@pytest.mark.parametrize(("layer", "column"), [("areas", "area_id"), ("facilities", "facility_id")])
def test_duplicate_ids(layer: str, column: str) -> None:
    geoms = [WEST, EAST] if layer == "areas" else [shapely.Point(37.1, 36.2)] * 2
    frame = gpd.GeoDataFrame(
        {column: ["x1", "x1"], "kind": ["hospital"] * 2}, geometry=geoms, crs=4326
    )
    (problem,) = fatal(layers={layer: frame})
    assert (problem.layer, problem.row, problem.column, problem.value) == (layer, 1, column, "x1")


def overlapping_zones(shift_m: float, **columns: Any) -> gpd.GeoDataFrame:
    """Two 2 km squares in UTM 37N, the second shifted east by ``shift_m``."""
    return gpd.GeoDataFrame(
        {"party": ["saa", "reb"], **columns},
        geometry=[
            shapely.box(330_000, 4_000_000, 332_000, 4_002_000),
            shapely.box(330_000 + shift_m, 4_000_000, 332_000 + shift_m, 4_002_000),
        ],
        crs="EPSG:32637",
    )


def test_zones_of_different_parties_overlapping() -> None:
    frame = overlapping_zones(1000, valid_from=[None, "2016-07-17"], valid_to=["2016-08-06", None])
    (problem,) = fatal(zone_frame=frame)
    assert (problem.layer, problem.row, problem.column, problem.value) == (
        "zones",
        1,
        "geometry",
        "reb",
    )
    area = float(re.search(r"by ([\d,]+) m²", problem.message).group(1).replace(",", ""))
    assert area == pytest.approx(2_000_000, rel=1e-4)  # 1 km x 2 km
    assert "from 2016-07-17 until 2016-08-06" in problem.message


def test_zone_overlaps_tolerated_when_tiny_thin_or_apart_in_time() -> None:
    create(overlapping_zones(2000 - 1e-4))  # a 0.1 mm x 2 km sliver: 0.2 m²
    create(overlapping_zones(2000 - 0.3))  # 0.3 m x 2 km: 600 m², but a sliver
    with pytest.raises(ga.ScenarioError, match="by 3,000 m²"):
        create(overlapping_zones(2000 - 1.5))  # 1.5 m x 2 km: a real (thin) overlap
    create(overlapping_zones(1000, valid_to=["2016-07-17", None], valid_from=[None, "2016-07-17"]))
    create(overlapping_zones(1000, party=["saa", "saa"]))


def test_a_party_that_is_a_list_is_named_not_a_crash() -> None:
    """A GeoJSON property may hold a list: the row is reported by layer, row and column
    (found by ``make fuzz``; the overlap check used to raise a TypeError hashing it)."""
    frame = overlapping_zones(1000)
    frame["party"] = pd.Series([np.array([""], dtype=object), "reb"], dtype=object)
    problems = fatal(zone_frame=frame)
    assert ("zones", 0, "party") in where(problems)


def test_roads_noded_flags_are_read_and_other_values_named() -> None:
    road = shapely.LineString([(37.05, 36.2), (37.25, 36.2)])
    flags = [True, "yes", "False", 1, 0.0, None, " "]
    read = create(layers={"roads": lines([road] * len(flags), noded=flags)})
    assert read.roads["noded"].tolist() == [True, True, False, True, False, False, False]
    assert read.roads["noded"].dtype == bool
    problems = fatal(layers={"roads": lines([road] * 3, noded=[True, "maybe", 2])})
    assert {(p.layer, p.row, p.column, p.value) for p in problems} == {
        ("roads", 1, "noded", "maybe"),
        ("roads", 2, "noded", 2),
    }
    assert all(p.message == "noded must be true or false" for p in problems)


def test_roads_noded_column_of_booleans_is_taken_as_it_is() -> None:
    road = shapely.LineString([(37.05, 36.2), (37.25, 36.2)])
    flags = pd.array([True, None, False], dtype="boolean")
    read = create(layers={"roads": lines([road] * 3, noded=flags)})
    assert read.roads["noded"].tolist() == [True, False, False]
    assert read.roads["noded"].dtype == bool


def test_roads_noded_column_of_numbers_is_read_and_other_numbers_named() -> None:
    road = shapely.LineString([(37.05, 36.2), (37.25, 36.2)])
    read = create(layers={"roads": lines([road] * 3, noded=[1, 0, None])})
    assert read.roads["noded"].tolist() == [True, False, False]
    problems = fatal(layers={"roads": lines([road] * 3, noded=[1, 2, 0])})
    assert {(p.layer, p.row, p.column, p.value) for p in problems} == {("roads", 1, "noded", 2)}


def test_negative_non_numeric_and_missing_population() -> None:
    frame = gpd.GeoDataFrame(
        {"population": [100, -5, "many", None]}, geometry=[shapely.Point(37.1, 36.2)] * 4, crs=4326
    )
    problems = fatal(layers={"population": frame})
    assert {(p.row, p.column, p.value) for p in problems} == {
        (1, "population", -5),
        (2, "population", "many"),
        (3, "population", None),
    }


def test_population_of_areas_may_be_missing_but_not_negative() -> None:
    frame = gpd.GeoDataFrame(
        {"area_id": ["a", "b"], "population": [None, 250000]}, geometry=[WEST, EAST], crs=4326
    )
    assert create(layers={"areas": frame}).areas["population"].iloc[1] == 250000.0
    frame["population"] = [-1, 2]
    assert where(fatal(layers={"areas": frame})) == {("areas", 0, "population")}


# ---------------------------------------------------------------------- repairs
def test_invalid_ring_is_repaired_with_a_warning() -> None:
    bowtie = shapely.Polygon([(37.15, 36.1), (37.3, 36.3), (37.3, 36.1), (37.15, 36.3)])
    frame = zones()
    frame.loc[1, "geometry"] = bowtie
    with pytest.warns(ga.ScenarioWarning, match=r"invalid geometries made valid \(rows 1\)"):
        scn = create(frame)
    assert len(scn.zones) == 2
    assert scn.zones.is_valid.all()
    assert scn.zones.geometry.iloc[1].geom_type == "MultiPolygon"
    assert scn.zones.geometry.iloc[1].area == pytest.approx(bowtie.buffer(0).area * 2)


def test_3d_and_mixed_crs_are_repaired_in_one_warning() -> None:
    frame = zones()
    frame["geometry"] = shapely.force_3d(np.asarray(frame.geometry.values), z=10.0)
    with pytest.warns(ga.ScenarioWarning) as record:
        scn = create(frame, layers={"corridors": corridors().to_crs(32637)})
    (warning,) = record
    assert "3D coordinates reduced to 2D" in str(warning.message)
    assert "reprojected from EPSG:32637" in str(warning.message)
    assert not shapely.has_z(np.asarray(scn.zones.geometry.values)).any()
    assert len(scn.corridors) == 1


# ---------------------------------------------------------------------- findings
def messages(scn: ga.Scenario) -> list[str]:
    return [str(p) for p in ga.validate(scn)]


def test_clean_scenario_has_no_findings() -> None:
    assert ga.validate(create(rear={"opposition": [(37.35, 36.2)]})) == []


def test_gap_inside_the_frame_with_date_and_area() -> None:
    """The east zone starts on 17 July: before that half the frame is unmapped."""
    scn = create(zones(valid_from=[None, "2016-07-17"]))
    (problem,) = ga.validate(scn)
    assert problem.layer == "zones"
    assert "1 gap(s)" in problem.message and "50% of the frame" in problem.message
    assert "before 2016-07-17" in problem.message
    east_km2 = gpd.GeoSeries([EAST], crs=4326).to_crs(scn.metric_crs).area.iloc[0] / 1e6
    gap_km2 = float(re.search(r"([\d.]+) km²", problem.message).group(1))
    assert gap_km2 == pytest.approx(east_km2, rel=1e-3)


def test_small_gaps_are_ignored() -> None:
    west = shapely.box(37.0, 36.1, 37.1499, 36.3)  # 0.0001 degree sliver
    frame = gpd.GeoDataFrame({"party": ["saa", "reb"]}, geometry=[west, EAST], crs=4326)
    assert ga.validate(create(frame, rear={"opposition": [(37.35, 36.2)]})) == []


def test_corridor_entrance_outside_every_zone() -> None:
    frame = corridors(valid_from=["2016-07-28"])
    frame["geometry"] = [shapely.LineString([(37.5, 36.2), (37.1, 36.2)])]
    (problem,) = [
        p for p in ga.validate(create(layers={"corridors": frame})) if p.layer == "corridors"
    ]
    assert (problem.row, problem.column) == (0, "geometry")
    assert "2016-07-28" in problem.message


def test_corridor_entrance_outside_zones_valid_on_its_dates() -> None:
    scn = create(
        zones(valid_to=[None, "2016-08-01"]),
        layers={"corridors": corridors(valid_from=["2016-07-28"])},
    )
    (problem,) = [p for p in ga.validate(scn) if p.layer == "corridors"]
    assert "2016-08-01" in problem.message and "2016-07-28" not in problem.message


def test_zone_outside_the_declared_extent_and_empty_layer() -> None:
    scn = create(
        extent=(37.0, 36.0, 37.25, 36.4),
        layers={"roads": lines([])},
        rear={"opposition": [(37.35, 36.2)]},
    )
    found = {(p.layer, p.row): p.message for p in ga.validate(scn)}
    assert found[("roads", None)] == "the layer has no rows"
    assert "outside the declared extent" in found[("zones", 1)]
    assert ("zones", 0) not in found


def test_side_without_rear_or_zone_on_the_frame_and_idle_party() -> None:
    inner = gpd.GeoDataFrame(
        {"party": ["saa", "reb"]},
        geometry=[
            shapely.box(37.0, 36.1, 37.3, 36.3).difference(shapely.box(37.1, 36.15, 37.2, 36.25)),
            shapely.box(37.1, 36.15, 37.2, 36.25),
        ],
        crs=4326,
    )
    scn = create(inner, parties=[*PARTIES, {"id": "ypg", "side": "sdf"}])
    found = [(p.layer, p.row, p.column, p.value) for p in ga.validate(scn)]
    assert found == [("parties", "ypg", "id", "ypg"), ("zones", None, "party", "opposition")]
    assert not [
        p
        for p in ga.validate(
            ga.Scenario.create(
                "T",
                parties=PARTIES,
                zones=inner,
                rear={"opposition": [(36.9, 36.2)]},
                extent=EXTENT,
            )
        )
    ]


def test_validate_works_on_a_dated_scenario() -> None:
    scn = create(zones(valid_from=[None, "2016-07-17"]), rear={"opposition": [(37.4, 36.2)]})
    assert ga.validate(scn.at("2016-07-20")) == []
    assert list(scn.at("2016-07-01").zones.index) == [0]


def test_neutral_ground_on_the_frame_counts_for_a_side_without_rear() -> None:
    """Sheikh Maqsoud: a pocket of a side neutral to the one holding the frame's edge."""
    inner = gpd.GeoDataFrame(
        {"party": ["saa", "ypg"]},
        geometry=[
            shapely.box(37.0, 36.1, 37.3, 36.3).difference(shapely.box(37.1, 36.15, 37.2, 36.25)),
            shapely.box(37.1, 36.15, 37.2, 36.25),
        ],
        crs=4326,
    )
    parties = [{"id": "saa", "side": "government"}, {"id": "ypg", "side": "sdf"}]
    hostile = ga.Scenario.create("T", parties=parties, zones=inner, extent=EXTENT)
    assert [p.value for p in ga.validate(hostile)] == ["sdf"]
    neutral = ga.Scenario.create(
        "T",
        parties=parties,
        zones=inner,
        relations=[{"sides": ["sdf", "government"], "relation": "neutral"}],
        extent=EXTENT,
    )
    assert ga.validate(neutral) == []


def test_a_frame_taken_from_the_zones_is_a_finding() -> None:
    """An opposition-only map: its own zones make the frame, whose edge passes for a rear."""
    one_sided = gpd.GeoDataFrame(
        {"party": ["reb"]}, geometry=[shapely.box(37.1, 36.15, 37.2, 36.25)], crs=4326
    )
    scn = ga.Scenario.create("T", parties=PARTIES, zones=one_sided)
    frame_findings = [p for p in ga.validate(scn) if p.column == "extent"]
    assert [(p.layer, p.value) for p in frame_findings] == [("manifest", ["opposition"])]
    assert "bounding box" in frame_findings[0].message
    declared = ga.Scenario.create("T", parties=PARTIES, zones=one_sided, extent=EXTENT)
    assert not [p for p in ga.validate(declared) if p.column == "extent"]
    anchored = ga.Scenario.create(
        "T", parties=PARTIES, zones=one_sided, rear={"opposition": [(37.15, 36.2)]}
    )
    assert not [p for p in ga.validate(anchored) if p.column == "extent"]


def test_population_beyond_float_range_is_a_row_error():
    # found by the CSV fuzzer: a 1,000-digit count overflowed pandas' numeric parsing
    zones = gpd.GeoDataFrame(
        {"party": ["a"]}, geometry=[shapely.box(37.0, 36.0, 37.3, 36.3)], crs="EPSG:4326"
    )
    population = gpd.GeoDataFrame(
        {"population": pd.Series([10, 10**1000], dtype=object)},
        geometry=[shapely.Point(37.1, 36.1), shapely.Point(37.2, 36.2)],
        crs="EPSG:4326",
    )
    with pytest.raises(ga.ScenarioError) as caught:
        ga.Scenario.create(
            "huge",
            parties=[{"id": "a", "side": "A"}],
            zones=zones,
            layers={"population": population},
        )
    (problem,) = caught.value.problems
    assert (problem.layer, problem.row, problem.column) == ("population", 1, "population")


# ---------------------------------------------------------------------- overlaps, any rows
SIDE_OF = {"a": "north", "a2": "north", "b": "south", "c": "east"}
#: Boxes on a 0.01° grid: many share edges or corners exactly, others overlap.
GRID_DEG = 0.01


@st.composite
def dated_boxes(draw: st.DrawFn) -> gpd.GeoDataFrame:
    """2 to 12 zones of four parties (two of one side), on the grid, with any validity."""
    rows = []
    for _ in range(draw(st.integers(2, 12))):
        x, y = draw(st.integers(0, 8)), draw(st.integers(0, 8))
        w, h = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        # few days: rows often end on the day others start, or share just one
        start = draw(st.none() | st.integers(0, 6))
        length = draw(st.none() | st.integers(1, 6))
        end = None if length is None else (start or 0) + length
        rows.append((draw(st.sampled_from(sorted(SIDE_OF))), (x, y, x + w, y + h), start, end))

    def day(offset: int | None) -> pd.Timestamp:
        return pd.NaT if offset is None else pd.Timestamp("2016-07-01") + pd.Timedelta(days=offset)

    return gpd.GeoDataFrame(
        {
            "party": [r[0] for r in rows],
            "valid_from": pd.to_datetime([day(r[2]) for r in rows]),
            "valid_to": pd.to_datetime([day(r[3]) for r in rows]),
        },
        geometry=[shapely.box(*(36.9 + GRID_DEG * np.array(r[1]))) for r in rows],
        index=[f"z{k}" for k in range(len(rows))],
        crs="EPSG:4326",
    )


def overlaps_by_every_pair(frame: gpd.GeoDataFrame) -> set[tuple[str, str]]:
    """The pairs of rows of two sides sharing a day and some ground, each pair tested."""
    metric = frame.to_crs("EPSG:32637").geometry.to_numpy()
    start = frame["valid_from"].to_numpy()
    end = frame["valid_to"].to_numpy()
    found = set()
    for i in range(len(frame)):
        for j in range(i + 1, len(frame)):
            if SIDE_OF[frame["party"].iloc[i]] == SIDE_OF[frame["party"].iloc[j]]:
                continue
            starts = [d for d in (start[i], start[j]) if not pd.isna(d)]
            ends = [d for d in (end[i], end[j]) if not pd.isna(d)]
            if starts and ends and max(starts) >= min(ends):
                continue  # no day in common
            ground = shapely.intersection(metric[i], metric[j])
            if ground.area >= 1.0 and 2 * ground.area / ground.length >= 1.0:
                found.add((frame.index[i], frame.index[j]))
    return found


@given(dated_boxes())
def test_zone_overlaps_found_are_those_of_every_pair_tested(frame: gpd.GeoDataFrame) -> None:
    """The check looks only at pairs of two sides that share a day: the same overlaps as
    intersecting every pair of rows, whatever their dates and shared edges."""
    found = Findings()
    check_zone_overlaps(frame, CRS("EPSG:32637"), found, side_of=SIDE_OF)
    reported = {
        (re.search(r"overlaps row '(z\d+)'", p.message).group(1), p.row) for p in found.fatal
    }
    assert reported == overlaps_by_every_pair(frame)
    assert len(reported) == len(found.fatal)  # each pair once


@given(dated_boxes(), st.integers(0, 6), st.integers(0, 6))
def test_rest_zones_need_no_check_against_the_zones_they_are_cut_from(
    frame: gpd.GeoDataFrame, x: int, y: int
) -> None:
    """The rest of a ``holds_rest`` boundary meets the other sides' zones of its days
    along edges only: checking those pairs finds nothing that checking the rest zones
    against each other (two boundaries over the same unmapped ground) does not."""
    north = shapely.box(*(36.9 + GRID_DEG * np.array([x, y, x + 6, y + 6])))
    east = shapely.box(*(36.9 + GRID_DEG * np.array([3, 3, 12, 12])))
    rest = pd.concat(
        [
            rest_zones(frame, north, party="a", side_of=SIDE_OF),
            rest_zones(frame, east, party="c", side_of=SIDE_OF),
        ],
        ignore_index=True,
    )
    rest.index = [f"rest {k}" for k in range(len(rest))]
    zones = gpd.GeoDataFrame(pd.concat([frame, rest]), crs="EPSG:4326")
    derived = np.arange(len(zones)) >= len(frame)
    every_pair, derived_apart = Findings(), Findings()
    check_zone_overlaps(zones, CRS("EPSG:32637"), every_pair, side_of=SIDE_OF)
    check_zone_overlaps(zones, CRS("EPSG:32637"), derived_apart, side_of=SIDE_OF, derived=derived)
    assert derived_apart.fatal == every_pair.fatal
