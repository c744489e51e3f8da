"""Degenerate scenarios: each gives a clear result or a clear error (docs/robustness.md)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from _builders import HALF, UTM, at, box, disc, disc_scenario, frame_extent, zones_frame

import geoaccess as ga

DAY = "2020-02-01"
PARTIES = [{"id": "a", "side": "A"}, {"id": "b", "side": "B"}]
WHOLE = box(-HALF, -HALF, HALF, HALF)


def scenario(rows: list[dict], **layers: gpd.GeoDataFrame) -> ga.Scenario:
    return ga.Scenario.create(
        "degenerate",
        parties=PARTIES,
        zones=zones_frame(rows),
        layers=layers,
        extent=frame_extent(),
    )


def areas(*geoms: shapely.Geometry, population: float = 10.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"area_id": [f"x{i}" for i in range(len(geoms))], "population": population},
        geometry=list(geoms),
        crs=UTM,
    )


def row_of(res: ga.Assessment, area_id: str) -> dict:
    return res.areas.set_index("area_id").loc[area_id].to_dict()


def totals(res: ga.Assessment) -> dict[str, float]:
    rows = res.population[res.population["category"] == "total"]
    return dict(zip(rows["label"], rows["population"].astype(float), strict=True))


def test_no_zone_valid_on_the_date() -> None:
    scn = scenario(
        [{"party": "a", "geometry": WHOLE, "valid_from": "2021-01-01"}], areas=areas(disc(2_000))
    )
    res = ga.assess(scn, DAY)
    assert len(res.pockets) == 0 and len(res.front_lines) == 0
    row = row_of(res, "x0")
    assert row["side"] is None and row["reason"] == f"No side holds this area on {DAY}."
    assert row["status"] == "no_data"  # never "accessible"
    assert row["population_no_data"] == 10.0
    assert totals(res)["input"] == 10.0
    by_status = res.population.set_index(["category", "label"])
    assert by_status.loc[("status", "no_data"), "population"] == 10.0
    assert by_status.loc[("status", "no_data"), "areas"] == 1


def test_a_scenario_with_no_zone_rows_at_all() -> None:
    empty = zones_frame([{"party": "a", "geometry": WHOLE}]).iloc[:0]
    scn = ga.Scenario.create("empty", parties=PARTIES, zones=empty, extent=frame_extent())
    res = ga.assess(scn, DAY)
    assert len(res.areas) == 0 and len(res.pockets) == 0
    assert any("no rows" in p.message for p in ga.validate(scn))


def test_one_side_only_is_accessible_without_front_lines() -> None:
    res = ga.assess(scenario([{"party": "a", "geometry": WHOLE}], areas=areas(disc(2_000))), DAY)
    assert len(res.front_lines) == 0
    assert row_of(res, "x0")["status"] == "accessible"
    assert not row_of(res, "x0")["encircled"]


def test_a_pocket_smaller_than_snap_m_is_still_besieged() -> None:
    ring = shapely.difference(disc(6_000), disc(20))
    rows = [
        {"party": "a", "geometry": disc(20)},
        {"party": "b", "geometry": ring},
        {"party": "a", "geometry": shapely.difference(WHOLE, disc(6_000))},
    ]
    res = ga.assess(scenario(rows, areas=areas(disc(20))), DAY)
    assert row_of(res, "x0")["status"] == "besieged"


def test_zones_touching_at_a_point_are_separate_pockets() -> None:
    rows = [
        {"party": "a", "geometry": box(-HALF, -HALF, 0, 0)},
        {"party": "a", "geometry": box(0, 0, HALF, HALF)},
        {"party": "b", "geometry": box(0, -HALF, HALF, 0)},
        {"party": "b", "geometry": box(-HALF, 0, 0, HALF)},
    ]
    res = ga.assess(scenario(rows, areas=areas(box(-3_000, -3_000, -1_000, -1_000))), DAY)
    assert sorted(res.pockets["side"]) == ["A", "A", "B", "B"]
    # each quadrant reaches the frame, so none is encircled
    assert not res.pockets["encircled"].any()
    assert row_of(res, "x0")["status"] in {"accessible", "hard_to_reach"}


def test_a_corridor_entrance_outside_every_zone() -> None:
    base = disc_scenario()
    corridor = gpd.GeoDataFrame(
        {"corridor_id": ["c"], "kind": ["aid"], "status": ["open"]},
        geometry=[shapely.LineString([at(20_000, 20_000), at(0, 0)])],
        crs="EPSG:4326",
    )
    corridor = corridor.set_crs(UTM, allow_override=True).to_crs("EPSG:4326")
    layers = {k: v for k, v in base.layers.items() if k != "zones"}
    scn = ga.Scenario.create(
        "c",
        parties=base.parties,
        zones=base.zones,
        layers={**layers, "corridors": corridor},
        extent=base.extent,
    )
    found = [p for p in ga.validate(scn) if p.layer == "corridors"]
    assert found and "entrance (first vertex) lies in no zone" in found[0].message
    res = ga.assess(scn, DAY)
    corridors = res.corridors.set_index("corridor_id")
    assert corridors.loc["c", "entrance_pocket"] is None
    assert row_of(res, "disc")["status"] == "besieged"  # it serves no pocket


def test_a_roads_layer_with_no_intersections() -> None:
    roads = gpd.GeoDataFrame(
        {"name": ["r1", "r2"]},
        geometry=[
            shapely.LineString([at(-1_000, 0), at(1_000, 0)]),
            shapely.LineString([at(-1_000, 5_000), at(1_000, 5_000)]),
        ],
        crs=UTM,
    )
    res = ga.assess(
        scenario([{"party": "a", "geometry": WHOLE}], areas=areas(disc(2_000)), roads=roads), DAY
    )
    row = row_of(res, "x0")
    # roads enter the area but none reaches the rear: judged on roads, hard to reach
    assert row["status"] == "hard_to_reach" and row["open_supply_routes"] == 0


def test_an_area_outside_the_frame() -> None:
    outside = box(HALF + 5_000, 0, HALF + 8_000, 3_000)
    res = ga.assess(
        scenario([{"party": "a", "geometry": WHOLE}], areas=areas(outside, disc(2_000))), DAY
    )
    row = row_of(res, "x0")
    assert row["side"] is None or row["side"] != row["side"]  # None or NaN: no side
    assert row["reason"] == f"No side holds this area on {DAY}."
    assert row["status"] == "no_data"
    assert row["population_no_data"] == 10.0
    total = totals(res)
    assert total["assigned"] + total["outside"] == total["input"] == 20.0


def test_an_area_with_zero_population() -> None:
    res = ga.assess(
        scenario([{"party": "a", "geometry": WHOLE}], areas=areas(disc(2_000), population=0.0)), DAY
    )
    row = row_of(res, "x0")
    assert row["status"] == "accessible" and row["population"] == 0.0
    assert totals(res)["input"] == 0.0


def test_dates_and_periods_that_cannot_be() -> None:
    scn = scenario([{"party": "a", "geometry": WHOLE}])
    with pytest.raises(ValueError, match="ISO date"):
        ga.assess(scn, "2016-02-30")
    with pytest.raises(ValueError, match="before start"):
        ga.timeline(scn, "2020-02-01", "2020-01-01")
