"""Real control maps in, right answers out (DESIGN §8), on geometries drawn in code.

The disc scenario (tests/_builders.py): side A's disc of radius 2 km inside B's ring
(2-6 km), A's countryside around it, everything in UTM 37N. Each rule of §8 is checked
where its answer can be computed on paper; the real Avdiivka maps are
tests/test_real_control.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _builders import CX, CY, HALF, UTM, at, box, disc, disc_scenario, frame_extent

import geoaccess as ga
from geoaccess.crs import to_metric
from geoaccess.engine.pieces import cut_areas

DAY = "2020-02-01"
PARTIES = [{"id": "a", "side": "A"}, {"id": "b", "side": "B"}, {"id": "g", "side": "grey"}]


def zones(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(
        frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs=UTM
    )


def areas(**geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"area_id": list(geoms), "population": [1_000.0] * len(geoms)},
        geometry=list(geoms.values()),
        crs=UTM,
    )


def text(frame: pd.DataFrame) -> list[list[str]]:
    """Rows as texts, days as YYYY-MM-DD and open ends as NaT."""
    out = frame.copy()
    for column in ("valid_from", "valid_to"):
        if column in out:
            out[column] = out[column].dt.strftime("%Y-%m-%d").fillna("NaT")
    return out.astype(str).values.tolist()


def status(res: ga.Assessment, area_id: str) -> str:
    return res.areas.set_index("area_id").loc[area_id, "status"]


# ---------------------------------------------------------------------- impassable ground
def lake_scenario(*, bridge: bool) -> ga.Scenario:
    """A's disc cut off from its countryside by a lake ring (2-6 km): no hostile ground."""
    lake = shapely.difference(disc(6_000), disc(2_000))
    layers = {
        "impassable": gpd.GeoDataFrame({"kind": ["lake"]}, geometry=[lake], crs=UTM),
        "areas": areas(disc=disc(2_000)),
    }
    if bridge:
        layers["roads"] = gpd.GeoDataFrame(
            {"name": ["causeway"]}, geometry=[shapely.LineString([at(0, 0), at(0, HALF)])], crs=UTM
        )
    frame = zones([{"party": "a", "geometry": box(-HALF, -HALF, HALF, HALF)}])
    return ga.Scenario.create(
        "lake", parties=PARTIES[:2], zones=frame, layers=layers, extent=frame_extent()
    )


def test_ground_cut_off_by_a_lake_is_encircled_and_a_causeway_links_it() -> None:
    # nobody passes the lake: the disc reaches no rear (there is no hostile ground at all,
    # so it is "besieged" by the lake alone: the rule is only about reaching the rear)
    cut_off = ga.assess(lake_scenario(bridge=False), DAY)
    assert cut_off.areas.set_index("area_id").loc["disc", "encircled"]
    # a road across the lake is a causeway: passable along the road for its side
    linked = ga.assess(lake_scenario(bridge=True), DAY)
    row = linked.areas.set_index("area_id").loc["disc"]
    assert not row["encircled"]
    assert row["status"] == "accessible"


def test_impassable_ground_is_nobodys_territory() -> None:
    res = ga.assess(lake_scenario(bridge=False), DAY)
    lake_km2 = np.pi * (6**2 - 2**2)
    whole_km2 = (2 * HALF / 1000) ** 2
    assert res.pockets["area_km2"].sum() == pytest.approx(whole_km2 - lake_km2, rel=0.01)


def test_a_river_line_cuts_and_a_bridge_crosses_it() -> None:
    river = shapely.LineString([at(-HALF, 3_000), at(HALF, 3_000)])
    south = shapely.LineString([at(-HALF, -3_000), at(HALF, -3_000)])
    frame = zones([{"party": "a", "geometry": box(-HALF, -HALF, HALF, HALF)}])
    layers = {
        "impassable": gpd.GeoDataFrame(
            {"kind": ["river", "river"]}, geometry=[river, south], crs=UTM
        ),
        "areas": areas(town=disc(1_000)),
    }
    # rivers north and south of the town, running off the frame east and west: the town
    # still reaches the frame's east and west edges between the rivers
    scn = ga.Scenario.create(
        "rivers", parties=PARTIES[:2], zones=frame, layers=layers, extent=frame_extent()
    )
    assert not ga.assess(scn, DAY).areas.iloc[0]["encircled"]


def test_points_are_no_impassable_ground() -> None:
    frame = zones([{"party": "a", "geometry": box(-HALF, -HALF, HALF, HALF)}])
    points = gpd.GeoDataFrame({"kind": ["mine"]}, geometry=[shapely.Point(CX, CY)], crs=UTM)
    with pytest.raises(ga.ScenarioError) as caught:
        ga.Scenario.create("x", parties=PARTIES[:2], zones=frame, layers={"impassable": points})
    (problem,) = caught.value.problems
    assert (problem.layer, problem.row, problem.column) == ("impassable", 0, "geometry")


def coastal_scenario(sea: str, *, shore_gap_m: float | None = None) -> ga.Scenario:
    """A Ukrainian town on the Azov coast (Mariupol's shore), all land around it Russian.

    With ``shore_gap_m``, the Russian ground stops that far short of the shipped
    coastline (and of the frame's land edges), leaving an unmapped strip along the shore.
    """
    frame = (37.30, 46.90, 37.90, 47.30)
    town = shapely.Point(37.55, 47.11).buffer(0.04)
    land = ga.io.coastline.land_within(frame)
    occupied = shapely.difference(land, town)
    if shore_gap_m is not None:
        land_m, occupied_m = gpd.GeoSeries([land, occupied], crs=4326).to_crs(UTM)
        inland = shapely.intersection(occupied_m, shapely.buffer(land_m, -shore_gap_m))
        occupied = gpd.GeoSeries([inland], crs=UTM).to_crs(4326).iloc[0]
    zone_frame = gpd.GeoDataFrame(
        {"party": ["ru", "ua"]}, geometry=[occupied, town], crs="EPSG:4326"
    )
    return ga.Scenario.create(
        "coast",
        parties=[{"id": "ru", "side": "russia"}, {"id": "ua", "side": "ukraine"}],
        zones=zone_frame,
        layers={"areas": gpd.GeoDataFrame({"area_id": ["town"]}, geometry=[town], crs=4326)},
        rules={"sea": sea},
        extent=frame,
    )


def test_the_sea_is_impassable_by_default() -> None:
    """The besieged port of the issue: linked to the frame through the sea, unless the
    shipped coastline makes the sea impassable."""
    assert status(ga.assess(coastal_scenario("impassable"), DAY), "town") == "besieged"
    assert status(ga.assess(coastal_scenario("ignore"), DAY), "town") != "besieged"


def test_an_unmapped_strip_along_the_shore_is_hostile_when_unmapped_ground_is() -> None:
    """Russian ground drawn 40 m short of the coastline leaves an unmapped strip along the
    shore from the town to the frame, narrower than snap_m. Taken as hostile, it is no
    way out: only slivers along the frame's edge are left out of hostile ground."""
    scn = coastal_scenario("impassable", shore_gap_m=40.0)
    rules = dataclasses.replace(scn.rules, unmapped="hostile")
    row = ga.assess(scn, DAY, rules).areas.set_index("area_id").loc["town"]
    assert (row["status"], row["encircled"]) == ("besieged", True)


def test_coastal_pockets_do_not_count_the_coast_as_front() -> None:
    res = ga.assess(coastal_scenario("impassable"), DAY)
    ua = res.pockets[res.pockets["side"] == "ukraine"].iloc[0]
    # the town's land border is all front line; its coast is no front and is left out
    assert ua["hostile_perimeter_share"] == pytest.approx(1.0, abs=0.05)


# ---------------------------------------------------------------------- contested sides
def grey_ring_scenario(kind: str = "contested") -> ga.Scenario:
    annulus = shapely.difference(disc(6_000), disc(2_000))
    outer = shapely.difference(box(-HALF, -HALF, HALF, HALF), disc(6_000))
    rows = [
        {"party": "a", "geometry": disc(2_000)},
        {"party": "g", "geometry": annulus},
        {"party": "a", "geometry": outer},
    ]
    # the grey zone is declared neutral to A: a contested side is hostile all the same
    return ga.Scenario.create(
        "grey",
        parties=PARTIES,
        zones=zones(rows),
        relations=[{"sides": ["A", "grey"], "relation": "neutral"}],
        contested=["grey"] if kind == "contested" else [],
        layers={"areas": areas(disc=disc(2_000), ring=box(3_000, -500, 5_000, 500))},
        extent=frame_extent(),
    )


def test_a_contested_ring_encircles_holds_no_pocket_and_gets_no_status() -> None:
    res = ga.assess(grey_ring_scenario(), DAY)
    assert status(res, "disc") == "besieged"
    assert "grey" not in set(res.pockets["side"])
    ring = res.areas.set_index("area_id").loc["ring"]
    assert ring["status"] == "no_data" and pd.isna(ring["side"])
    # declared neutral and not contested: the same ring lets the disc out
    neutral = ga.assess(grey_ring_scenario("holding"), DAY)
    assert status(neutral, "disc") == "accessible"
    assert ga.Scenario.relation(grey_ring_scenario(), "A", "grey") == "hostile"
    finding = [p for p in ga.validate(grey_ring_scenario()) if p.layer == "relations"]
    assert finding and "contested" in finding[0].message


# ---------------------------------------------------------------------- holds_rest
def test_holds_rest_gives_a_side_the_rest_of_its_boundary_on_every_date() -> None:
    occupied = zones(
        [
            {"party": "b", "geometry": box(0, -HALF, HALF, HALF), "valid_from": "2020-01-01"},
            {"party": "b", "geometry": box(-5_000, -HALF, HALF, HALF), "valid_from": "2020-03-01"},
        ]
    )
    occupied.loc[0, "valid_to"] = "2020-03-01"
    boundary = gpd.GeoDataFrame(geometry=[box(-HALF, -HALF, HALF, HALF)], crs=UTM)
    scn = ga.Scenario.create(
        "rest",
        parties=PARTIES[:2],
        zones=occupied,
        holds_rest={"A": boundary},
        extent=frame_extent(),
    )
    rest = scn.zones[scn.zones["party"] == "a"]
    # from the first map on only (nothing is known before it), one zone per change
    assert rest["valid_from"].dt.strftime("%Y-%m-%d").tolist() == ["2020-01-01", "2020-03-01"]
    assert rest["valid_to"].dt.strftime("%Y-%m-%d").fillna("open").tolist() == [
        "2020-03-01",
        "open",
    ]
    metric = rest.to_crs(UTM).area.to_numpy() / 1e6
    np.testing.assert_allclose(metric, [15 * 30, 10 * 30], rtol=0.01)


def test_holds_rest_beside_a_long_straight_edge_in_lon_lat_is_no_overlap() -> None:
    """A map drawn coarsely: its 2.5° straight north edge is cut by the boundary's edge.

    The rest shares only part of that edge; projected vertex by vertex, the long edge and
    its cut piece would be different curves ~150 m apart, and the zones would overlap by
    tens of km². Long lon/lat edges are densified before projecting, so they do not.
    """
    occupied = gpd.GeoDataFrame(
        {"party": ["b"], "valid_from": ["2022-01-01"]},
        geometry=[shapely.Polygon([(38, 46.0), (38, 46.8), (40.5, 46.8), (40.5, 46.0)])],
        crs="EPSG:4326",
    )
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(35.9, 46.4, 39.9, 49.1)], crs="EPSG:4326")
    scn = ga.Scenario.create(
        "coarse", parties=PARTIES[:2], zones=occupied, holds_rest={"A": boundary}
    )
    held = to_metric(scn.zones.set_index("party"), scn.metric_crs).geometry
    assert shapely.intersection(held["a"], held["b"]).area < 1.0  # m²
    res = ga.assess(scn, "2022-01-02")
    assert set(res.pockets["side"]) == {"A", "B"}


def test_two_sides_holding_the_rest_of_overlapping_boundaries_is_an_error() -> None:
    """The rest zones are checked against each other: where no zone lies, both
    boundaries would hand the same ground to two sides."""
    occupied = zones([{"party": "g", "geometry": box(-2_000, -HALF, 2_000, HALF)}])
    west = gpd.GeoDataFrame(geometry=[box(-HALF, -HALF, 5_000, HALF)], crs=UTM)
    east = gpd.GeoDataFrame(geometry=[box(-5_000, -HALF, HALF, HALF)], crs=UTM)
    with pytest.raises(ga.ScenarioError) as caught:
        ga.Scenario.create(
            "two rests",
            parties=PARTIES,
            zones=occupied,
            holds_rest={"A": west, "B": east},
            contested=["grey"],
            extent=frame_extent(),
        )
    (problem,) = caught.value.problems
    assert (problem.layer, problem.column, problem.value) == ("zones", "geometry", "b")
    assert problem.row == 2 and "overlaps row 1 (party 'a')" in problem.message  # after row 0
    area = float(problem.message.split(" by ")[1].split(" m²")[0].replace(",", ""))
    assert area == pytest.approx(2 * 3_000 * 2 * HALF, rel=0.02)  # 3 km each side of g


def test_a_holds_rest_boundary_without_crs_is_an_error() -> None:
    occupied = zones([{"party": "b", "geometry": box(0, -HALF, HALF, HALF)}])
    boundary = gpd.GeoDataFrame(geometry=[box(-HALF, -HALF, HALF, HALF)])
    with pytest.raises(ga.ScenarioError) as caught:
        ga.Scenario.create("rest", parties=PARTIES[:2], zones=occupied, holds_rest={"A": boundary})
    (problem,) = caught.value.problems
    assert (problem.layer, problem.row, problem.column) == ("sides.A.holds_rest", "A", "crs")


# ---------------------------------------------------------------------- snapshots
def snapshot(geom: shapely.Geometry, party: str = "b") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"party": [party]}, geometry=[geom], crs=UTM)


def test_snapshots_become_intervals_and_identical_maps_merge() -> None:
    maps = {
        "2020-01-01": snapshot(box(0, -HALF, HALF, HALF)),
        "2020-02-01": snapshot(box(0, -HALF, HALF, HALF)),
        "2020-03-01": snapshot(box(-5_000, -HALF, HALF, HALF)),
    }
    out = ga.zones_from_snapshots(maps)
    assert out["valid_from"].dt.strftime("%Y-%m-%d").tolist() == ["2020-01-01", "2020-03-01"]
    assert out["valid_to"].dt.strftime("%Y-%m-%d").fillna("open").tolist() == [
        "2020-03-01",
        "open",
    ]
    assert out["snapshots"].tolist() == [2, 1]
    # one frame with a date column gives the same zones
    stacked = pd.concat([m.assign(date=d) for d, m in maps.items()], ignore_index=True)
    same = ga.zones_from_snapshots(gpd.GeoDataFrame(stacked, crs=UTM))
    pd.testing.assert_frame_equal(pd.DataFrame(same), pd.DataFrame(out))


def test_a_party_missing_from_a_map_ends_its_zone() -> None:
    maps = {
        "2020-01-01": snapshot(box(0, 0, 1_000, 1_000)),
        "2020-02-01": snapshot(box(0, 0, 1_000, 1_000), party="a"),
        "2020-03-01": snapshot(box(0, 0, 1_000, 1_000)),
    }
    out = ga.zones_from_snapshots(maps)
    b = out[out["party"] == "b"]
    assert b["valid_to"].dt.strftime("%Y-%m-%d").fillna("open").tolist() == ["2020-02-01", "open"]


def test_snapshot_dates_are_strict() -> None:
    with pytest.raises(ga.ScenarioError) as caught:
        ga.zones_from_snapshots({"01/02/2020": snapshot(box(0, 0, 1, 1))})
    (problem,) = caught.value.problems
    assert (problem.layer, problem.row, problem.column) == ("zones", "01/02/2020", "date")


def write_snapshot_folder(folder: Path, names: list[str]) -> None:
    (folder / "maps").mkdir(parents=True)
    for k, name in enumerate(names):
        geom = box(0, -HALF, HALF, HALF) if k < 1 else box(-5_000, -HALF, HALF, HALF)
        snapshot(geom).to_crs(4326).to_file(folder / "maps" / name)
    gpd.GeoDataFrame(geometry=[box(-HALF, -HALF, HALF, HALF)], crs=UTM).to_crs(4326).to_file(
        folder / "boundary.geojson"
    )
    lon0, lat0, lon1, lat1 = frame_extent()
    (folder / "scenario.toml").write_text(
        f"""
name = "snapshots"
extent = [{lon0}, {lat0}, {lon1}, {lat1}]

[[parties]]
id = "a"
side = "A"

[[parties]]
id = "b"
side = "B"

[sides.A]
holds_rest = "boundary.geojson"

[layers]
zones = {{ snapshots = "maps/*.geojson", party = "b" }}
""",
        encoding="utf-8",
    )


def test_a_folder_of_snapshots_is_read_as_published(tmp_path: Path) -> None:
    write_snapshot_folder(tmp_path, ["2020-01-01.geojson", "occupied_20200301.geojson"])
    scn = ga.read_scenario(tmp_path)
    got = text(scn.zones[["party", "valid_from", "valid_to"]])
    assert got == [
        ["b", "2020-01-01", "2020-03-01"],
        ["b", "2020-03-01", "NaT"],
        ["a", "2020-01-01", "2020-03-01"],
        ["a", "2020-03-01", "NaT"],
    ]


def test_a_snapshot_file_whose_name_carries_no_date(tmp_path: Path) -> None:
    write_snapshot_folder(tmp_path, ["2020-01-01.geojson", "latest.geojson"])
    with pytest.raises(ga.ScenarioError) as caught:
        ga.read_scenario(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.layer, problem.row, problem.column) == ("zones", "latest.geojson", "date")


# ---------------------------------------------------------------------- labels
def test_labels_by_area_dissolve_into_zones() -> None:
    cells = {
        f"c{k}": box(-HALF + k * 10_000, -HALF, -HALF + (k + 1) * 10_000, HALF) for k in range(3)
    }
    frame = gpd.GeoDataFrame({"area_id": list(cells)}, geometry=list(cells.values()), crs=UTM)
    labels = pd.DataFrame(
        {
            "area_id": ["c0", "c1", "c2", "c1"],
            "date": ["2020-01-01", "2020-01-01", "2020-01-01", "2020-02-01"],
            "party": ["a", "b", "b", "a"],
            "source": ["report 1", "report 1", "report 1", "report 2"],
        }
    )
    out = ga.zones_from_labels(frame, labels)
    got = text(out[["party", "valid_from", "valid_to", "areas"]])
    assert got == [
        ["a", "2020-01-01", "2020-02-01", "1"],
        ["b", "2020-01-01", "2020-02-01", "2"],
        ["a", "2020-02-01", "NaT", "2"],
        ["b", "2020-02-01", "NaT", "1"],
    ]
    assert out["source"].tolist()[2] == "report 1; report 2"
    km2 = out.to_crs(UTM).area.to_numpy() / 1e6
    np.testing.assert_allclose(km2, [300, 600, 600, 300], rtol=1e-6)
    scn = ga.Scenario.create("labels", parties=PARTIES[:2], zones=out, extent=frame_extent())
    assert len(ga.front_lines(scn, "2020-01-15")) == 1


def test_labels_name_their_bad_rows() -> None:
    frame = gpd.GeoDataFrame({"area_id": ["c0"]}, geometry=[box(0, 0, 1_000, 1_000)], crs=UTM)
    labels = pd.DataFrame(
        {
            "area_id": ["c0", "zz", "c0"],
            "date": ["2020-01-01", "2020-01-01", "1/2/2020"],
            "party": "a",
        }
    )
    with pytest.raises(ga.ScenarioError) as caught:
        ga.zones_from_labels(frame, labels)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(1, "area_id"), (2, "date")}


# ---------------------------------------------------------------------- overlaps
def test_same_side_overlaps_merge_and_other_sides_stay_an_error() -> None:
    parties = [*PARTIES, {"id": "b2", "side": "B"}]
    same = zones(
        [
            {"party": "b", "geometry": box(0, -HALF, HALF, HALF)},
            {"party": "b2", "geometry": box(-2_000, -HALF, 5_000, HALF)},
            {"party": "a", "geometry": box(-HALF, -HALF, -2_000, HALF)},
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # merged with no warning
        scn = ga.Scenario.create("same", parties=parties, zones=same, extent=frame_extent())
    pockets = ga.pockets(scn, DAY)
    b = pockets[pockets["side"] == "B"]
    assert len(b) == 1 and b.iloc[0]["parties"] == "b, b2"
    other = same.assign(party=["b", "a", "a"])
    with pytest.raises(ga.ScenarioError, match="different sides"):
        ga.Scenario.create("other", parties=parties, zones=other)


# ---------------------------------------------------------------------- dates
def test_dates_are_strict_iso_everywhere(tmp_path: Path) -> None:
    frame = zones([{"party": "a", "geometry": box(-HALF, -HALF, HALF, HALF)}])
    frame["valid_from"] = ["01/07/2016"]
    with pytest.raises(ga.ScenarioError) as caught:
        ga.Scenario.create("x", parties=PARTIES[:2], zones=frame)
    (problem,) = caught.value.problems
    assert (problem.layer, problem.row, problem.column) == ("zones", 0, "valid_from")
    assert "01/07/2016 could be 1 July or 7 January" in problem.message


def test_validate_exits_1_on_a_day_first_date(tmp_path: Path) -> None:
    from geoaccess.cli import main

    folder = ga.write_scenario(disc_scenario(), tmp_path / "scn")
    text = (folder / "zones.geojson").read_text().replace('"2020-01-01"', '"01/01/2020"', 1)
    (folder / "zones.geojson").write_text(text)
    assert main(["validate", str(folder)]) == 1


# ---------------------------------------------------------------------- since when
def test_status_since_is_known_only_after_the_first_date() -> None:
    scn = disc_scenario(link_m=4_000, link_until="2020-03-01")
    first = ga.assess(scn, "2020-01-15").areas.set_index("area_id").loc["disc"]
    assert first["status_since"] == dt.date(2020, 1, 1)
    assert not first["status_since_known"]  # since at least the scenario's first date
    later = ga.assess(scn, "2020-03-15").areas.set_index("area_id").loc["disc"]
    assert later["status"] == "besieged"
    assert later["status_since"] == dt.date(2020, 3, 1) and later["status_since_known"]
    tl = ga.timeline(scn, "2020-01-15", "2020-03-31")
    disc_runs = tl.intervals[tl.intervals["area_id"] == "disc"]
    assert disc_runs["start_known"].tolist() == [False, True]


# ---------------------------------------------------------------------- area columns
def test_every_area_column_travels_to_every_output(tmp_path: Path) -> None:
    scn = disc_scenario()
    extra = scn.areas.assign(
        pcode=["SY01", "SY02", "SY03"],
        adm3_pcode="SY0200",
        name_local=["قرص", "حافة", "طرف"],
    )
    scn = ga.Scenario.create(
        "areas",
        parties=scn.parties,
        zones=scn.zones,
        layers={"areas": extra},
        extent=scn.extent,
    )
    res = ga.assess(scn, DAY)
    for column in ("pcode", "adm3_pcode", "name_local"):
        assert column in res.areas
    assert res.areas.set_index("area_id").loc["disc", "name_local"] == "قرص"
    tl = ga.timeline(scn, "2020-01-01", "2020-01-31")
    assert {"pcode", "adm3_pcode", "name_local"} <= set(tl.intervals.columns)
    res.to_csv(tmp_path / "csv")
    csv = pd.read_csv(tmp_path / "csv" / "areas.csv")
    assert csv.loc[csv["area_id"] == "disc", "name_local"].item() == "قرص"
    res.to_file(tmp_path / "out.gpkg")
    gpkg = gpd.read_file(tmp_path / "out.gpkg", layer="areas")
    assert {"pcode", "adm3_pcode", "name_local"} <= set(gpkg.columns)
    res.to_excel(tmp_path / "out.xlsx")
    sheet = pd.read_excel(tmp_path / "out.xlsx", sheet_name="areas")
    assert {"pcode", "adm3_pcode", "name_local"} <= set(sheet.columns)


# ---------------------------------------------------------------------- one set of figures
def test_the_cli_summary_prints_the_population_table(tmp_path: Path, capsys) -> None:
    from geoaccess.cli import main

    folder = ga.write_scenario(disc_scenario(), tmp_path / "scn")
    assert main(["assess", str(folder), "--date", DAY, "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    res = ga.assess(ga.read_scenario(folder), DAY)
    rows = res.population[res.population["category"] == "status"]
    for label, people in zip(rows["label"], rows["population"], strict=True):
        line = next(line for line in printed.splitlines() if line.startswith(label + " "))
        assert line.split()[-1] == str(round(people))


# ---------------------------------------------------------------------- the crash of notebook 02
def test_pieces_keep_only_the_polygons_of_an_intersection() -> None:
    area = gpd.GeoDataFrame({"area_id": ["x"]}, geometry=[box(0, 0, 2_000, 2_000)], crs=UTM)
    corner = shapely.Polygon([at(0, 0), at(-500, -100), at(-100, -500)])  # touches at (0, 0)
    pocket = shapely.union_all([box(1_000, 1_000, 3_000, 3_000), corner])
    touching = shapely.intersection(area.geometry.iloc[0], pocket)
    assert touching.geom_type == "GeometryCollection"  # a polygon and the corner point
    pockets = gpd.GeoDataFrame({"pocket_id": ["p"], "side": ["A"]}, geometry=[pocket], crs=UTM)
    pieces = cut_areas(area, pockets, 50.0)
    assert pieces.geometry.geom_type.tolist() == ["Polygon"]


def test_a_raster_sums_a_polygon_and_point_collection(tmp_path: Path) -> None:
    """The crash of notebook 02 without shared data: a valid Polygon + Point collection
    reached exactextract (then the raster path), which refuses collections."""
    rasterio = pytest.importorskip("rasterio")
    from affine import Affine

    from geoaccess.population.raster import allocate_raster

    path = tmp_path / "people.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=10,
        height=10,
        count=1,
        dtype="float32",
        crs=UTM,
        transform=Affine(100.0, 0.0, CX, 0.0, -100.0, CY + 1_000),
    ) as ds:
        ds.write(np.ones((1, 10, 10), dtype="float32"))
    collection = shapely.GeometryCollection([box(0, 0, 500, 500), shapely.Point(CX + 900, CY)])
    assert collection.is_valid
    targets = gpd.GeoSeries([collection, box(0, 0, 1_000, 1_000)], crs=UTM)
    assert allocate_raster(targets, path).tolist() == pytest.approx([25.0, 100.0], rel=1e-12)


@pytest.mark.parametrize("target", ["copy.gpkg", "folder"])
def test_contested_sides_and_impassable_ground_round_trip(tmp_path: Path, target: str) -> None:
    for scn in (grey_ring_scenario(), lake_scenario(bridge=True)):
        back = ga.read_scenario(ga.write_scenario(scn, tmp_path / scn.name / target))
        assert back.equals(scn)
        assert back.contested == scn.contested
