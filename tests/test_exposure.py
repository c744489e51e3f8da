"""Population in the results (geoaccess.exposure), on scenarios built in code.

Two hostile sides share a 20 km square in UTM 37N (northern Syria, on land): side A holds
x < 0, side B x > 0, so the derived front line is the line x = 0 and every answer can be
computed on paper.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geoaccess as ga
from geoaccess.population.catchments import recent_incidents

UTM = "EPSG:32637"
CX, CY = 500_000.0, 4_000_000.0
DAY = "2020-06-01"


def box(x0, y0, x1, y1):
    return shapely.box(CX + x0, CY + y0, CX + x1, CY + y1)


def pt(x, y):
    return shapely.Point(CX + x, CY + y)


def frame(rows: dict, geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=UTM)


def scenario(*, population=None, corridor=None, roads=None, facilities=None) -> ga.Scenario:
    """Halves A | B, two areas (one each side, leaving ground outside every area)."""
    zones = frame(
        {"party": ["a", "b"], "valid_from": ["2020-01-01"] * 2},
        [box(-10_000, -10_000, 0, 10_000), box(0, -10_000, 10_000, 10_000)],
    )
    layers = {
        "areas": frame(
            {"area_id": ["W", "E"], "population": [1_000.0, 2_000.0]},
            [box(-8_000, -1_000, 0, 1_000), box(0, -1_000, 8_000, 1_000)],
        ),
    }
    if population is not None:
        layers["population"] = population
    if corridor is not None:
        layers["corridors"] = frame(
            {"corridor_id": ["C"], "kind": ["civilian"], "status": ["open"]}, [corridor]
        )
    if roads is not None:
        layers["roads"] = frame({"name": [f"r{k}" for k in range(len(roads))]}, roads)
    if facilities is not None:
        layers["facilities"] = facilities
    return ga.Scenario.create(
        "halves",
        parties=[{"id": "a", "name": "A", "side": "A"}, {"id": "b", "name": "B", "side": "B"}],
        zones=zones,
        layers=layers,
        rules=ga.Rules(metric_crs=UTM),
    )


def table(res: ga.Assessment) -> pd.DataFrame:
    return res.population.set_index(["category", "label"])


def test_accounting_adds_up_and_estimates_sit_side_by_side():
    people = frame(
        {"population": [100.0, 50.0, 7.0, 200.0, 120.0], "source": ["un", "un", "un", "sw", "sw"]},
        [pt(-2_000, 0), pt(3_000, 0), pt(0, 9_000), pt(-2_000, 0), pt(5_000, 5_000)],
    )
    res = ga.assess(scenario(population=people), DAY)
    t = table(res)
    assert res.details["population_source"] == "un"
    assert res.details["population_estimates"] == ["un", "sw", "areas"]
    for column in ("population", "population_sw", "population_areas"):
        total = t.loc["total", column]
        assert total["input"] == pytest.approx(total["assigned"] + total["outside"], abs=1e-9)
    assert t.loc[("total", "input"), "population"] == pytest.approx(157.0)
    assert t.loc[("total", "outside"), "population"] == pytest.approx(7.0)
    assert t.loc[("total", "outside"), "population_sw"] == pytest.approx(120.0)
    assert t.loc[("total", "input"), "population_areas"] == pytest.approx(3_000.0)
    statuses = t.loc["status", "population"]
    assert statuses.sum() == pytest.approx(t.loc[("total", "assigned"), "population"])
    # the primary estimate fills the areas' columns
    areas = res.areas.set_index("area_id")
    assert areas.loc["W", "population"] == pytest.approx(100.0)
    assert areas.loc["E", "population"] == pytest.approx(50.0)
    assert t.loc["status", "areas"].sum() == 2


def test_distance_bands_from_a_straight_front_on_a_uniform_polygon():
    # 16,000 people spread evenly over 16 km x 2 km: 1,000 per km of x
    people = frame({"population": [16_000.0]}, [box(-8_000, -1_000, 8_000, 1_000)])
    bands = table(ga.assess(scenario(population=people), DAY)).loc["distance_band", "population"]
    assert bands.index.tolist() == ["0-1 km", "1-3 km", "3-10 km", "beyond 10 km"]
    np.testing.assert_allclose(bands.to_numpy(), [2_000, 4_000, 10_000, 0], atol=1e-6)


def test_corridor_reach_counts_only_the_entrance_side():
    people = frame({"population": [10.0, 100.0, 1.0]}, [pt(-2_000, 0), pt(1_000, 0), pt(-7_000, 0)])
    corridor = shapely.LineString([(CX - 500, CY), (CX + 500, CY)])
    res = ga.assess(scenario(population=people, corridor=corridor), DAY)
    row = res.corridors.iloc[0]
    assert row["entrance_side"] == "A"
    assert row["population_within_reach"] == pytest.approx(10.0)  # 1 km across: not counted
    assert np.isnan(row["population_within_reach_network"])  # no roads
    assert table(res).loc[
        ("corridor_reach", "within reach of open corridor entrances"), "population"
    ] == pytest.approx(10.0)


def test_network_reach_along_a_road():
    # road from the entrance west to x = -4500; its nodes are its two ends
    road = shapely.LineString([(CX - 500, CY), (CX - 4_500, CY)])
    people = frame({"population": [7.0, 3.0]}, [pt(-4_000, 100), pt(-4_000, 2_000)])
    corridor = shapely.LineString([(CX - 500, CY), (CX + 500, CY)])
    res = ga.assess(scenario(population=people, corridor=corridor, roads=[road]), DAY)
    row = res.corridors.iloc[0]
    assert row["population_within_reach"] == pytest.approx(10.0)
    # 4,000 m of road + 510 m to the road end; the other is 4,000 + 2,062 m away
    assert row["population_within_reach_network"] == pytest.approx(7.0)
    walk = 4_000 + np.hypot(500, 100)
    assert row["walk_minutes_p50"] == pytest.approx(walk / (4_000 / 60))


def test_catchments_split_by_the_perpendicular_bisector():
    sites = frame(
        {"facility_id": ["H1", "H2", "S1"], "kind": ["hospital", "hospital", "school"]},
        [pt(-6_000, -5_000), pt(-2_000, -5_000), pt(-3_000, 5_000)],
    )
    xs = np.arange(-7_950, 0, 100.0)
    people = frame({"population": np.ones(len(xs))}, [pt(x, -3_000) for x in xs])
    res = ga.assess(scenario(population=people, facilities=sites), DAY)
    served = res.facilities.set_index("facility_id")["population_served"]
    # bisector x = -4000: points at x < -4000 go to H1
    assert served["H1"] == pytest.approx(float((xs < -4_000).sum()))
    assert served["H2"] == pytest.approx(float((xs > -4_000).sum()))
    assert served["S1"] == pytest.approx(float(len(xs)))


def test_incidents_honour_dates_and_flag_imprecise_periods():
    incidents = frame(
        {
            "date": pd.to_datetime(["2020-05-20", "2020-04-01", None, None]),
            "valid_from": pd.to_datetime([None, None, "2020-01-01", "2019-01-01"]),
            "valid_to": pd.to_datetime([None, None, "2021-01-01", "2020-01-01"]),
        },
        [pt(0, 0), pt(0, 0), pt(100, 0), pt(100, 0)],
    )
    precise, imprecise = recent_incidents(
        incidents, np.array([pt(0, 500), pt(0, 5_000)]), dt.date(2020, 6, 1), ga.Rules()
    )
    assert precise.tolist() == [1, 0]
    assert imprecise.tolist() == [1, 0]


def test_light_snapshots_carry_the_population_by_status():
    """Light snapshots skip corridors and facilities, not people (``tl.population()``)."""
    people = frame({"population": [100.0, 50.0]}, [pt(-2_000, 0), pt(3_000, 0)])
    scn = scenario(population=people)
    tl = ga.timeline(scn, "2020-01-01", "2020-01-02")
    assert all(not s.details["full"] for s in tl.snapshots)
    for snap in tl.snapshots:
        full = ga.assess(scn, snap.date)
        light = snap.population.set_index(["category", "label"]).loc["status", "population"]
        expected = full.population.set_index(["category", "label"]).loc["status", "population"]
        pd.testing.assert_series_equal(light, expected)
        assert light.sum() == pytest.approx(150.0)


@pytest.mark.parametrize("with_road", [False, True], ids=["straight", "road"])
def test_catchments_stop_at_the_front(with_road):
    """Each side is served by its own facility, however near the other side's one is.

    The person at x = 200 (side B) is 300 m from A's hospital and 4,800 m from B's; the
    school stands on A's side only, so B's people have none and are unserved.
    """
    sites = frame(
        {"facility_id": ["HA", "HB", "SA"], "kind": ["hospital", "hospital", "school"]},
        [pt(-100, 0), pt(5_000, 0), pt(-2_000, -5_000)],
    )
    people = frame({"population": [10.0, 20.0, 5.0]}, [pt(-3_000, 0), pt(200, 0), pt(900, 300)])
    road = [shapely.LineString([(CX - 5_000, CY), (CX + 5_000, CY)])] if with_road else None
    res = ga.assess(scenario(population=people, facilities=sites, roads=road), DAY)
    rows = res.facilities.set_index("facility_id")
    assert rows.loc["HA", "population_served"] == pytest.approx(10.0)
    assert rows.loc["HB", "population_served"] == pytest.approx(25.0)
    assert rows.loc["HA", "population_unserved"] == pytest.approx(0.0)
    assert rows.loc["SA", "population_served"] == pytest.approx(10.0)
    assert rows.loc["SA", "population_unserved"] == pytest.approx(25.0)
    # per kind, served + unserved = every located person
    for _, group in rows.groupby("kind"):
        total = group["population_served"].sum() + group["population_unserved"].iloc[0]
        assert total == pytest.approx(35.0)


def test_a_sliver_across_the_front_is_not_a_piece():
    """Area W overlaps B's encircled pocket by a 10 m sliver: no besieged people in W.

    B holds the 2 km square in the middle of A's ground (besieged); W's east edge is at
    x = -990, 10 m inside B's zone. The sliver's 7 located people stay with W's main
    piece, so W keeps all its people and the totals add up.
    """
    hole = box(-1_000, -1_000, 1_000, 1_000)
    zones = frame(
        {"party": ["a", "b"], "valid_from": ["2020-01-01"] * 2},
        [shapely.difference(box(-10_000, -10_000, 10_000, 10_000), hole), hole],
    )
    areas = frame(
        {"area_id": ["W", "B"], "population": [1_000.0, 500.0]},
        [box(-5_000, -500, -990, 500), box(-900, -900, 900, 900)],
    )
    people = frame({"population": [100.0, 7.0, 50.0]}, [pt(-3_000, 0), pt(-995, 0), pt(0, 0)])
    scn = ga.Scenario.create(
        "sliver",
        parties=[{"id": "a", "name": "A", "side": "A"}, {"id": "b", "name": "B", "side": "B"}],
        zones=zones,
        layers={"areas": areas, "population": people},
        rules=ga.Rules(metric_crs=UTM),
    )
    res = ga.assess(scn, DAY)
    rows = res.areas.set_index("area_id")
    assert rows.loc["B", "status"] == "besieged"
    assert rows.loc["W", "status"] == "accessible"
    assert rows.loc["W", "population_besieged"] == 0.0
    assert rows.loc["W", "population_accessible"] == pytest.approx(107.0)
    assert rows.loc["W", "population"] == pytest.approx(107.0)
    t = table(res)
    assert t.loc[("status", "besieged"), "population"] == pytest.approx(50.0)
    assert t.loc["status", "population"].sum() == pytest.approx(157.0)
    # the areas' own estimate (split by area share) is conserved too
    assert t.loc[("status", "besieged"), "population_areas"] == pytest.approx(500.0)
    assert t.loc["status", "population_areas"].sum() == pytest.approx(1_500.0)
