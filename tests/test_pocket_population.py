"""People per pocket, and the primary estimate choosing an area's dominant piece.

Built on the disc scenario of ``_builders`` (side A's disc of 2 km inside side B's ring
to 6 km, A's countryside beyond), where every answer is an area share or a point count.
"""

from __future__ import annotations

import _builders as b
import geopandas as gpd
import pytest
import shapely

import geoaccess as ga

DAY = "2020-06-01"


def with_people(
    scn: ga.Scenario,
    pts: list[tuple[float, float, float, str]],
    *,
    areas: gpd.GeoDataFrame | None = None,
) -> ga.Scenario:
    """``scn`` with a population layer of points (x, y from the disc centre, people, source)."""
    layers = {k: v.to_crs(b.UTM) for k, v in scn.layers.items() if k != "zones"}
    if areas is not None:
        layers["areas"] = areas
    layers["population"] = gpd.GeoDataFrame(
        {"population": [p for *_, p, _ in pts], "source": [s for *_, s in pts]},
        geometry=[shapely.Point(b.at(x, y)) for x, y, *_ in pts],
        crs=b.UTM,
    )
    return ga.Scenario.create(
        "people",
        parties=scn.parties,
        zones=scn.zones.to_crs(b.UTM),
        relations=scn.relations,
        layers=layers,
        extent=scn.extent,
    )


def pocket_at(res: ga.Assessment, x: float, y: float) -> str:
    """``pocket_id`` of the pocket holding the point (x, y) from the disc centre."""
    pockets = res.pockets.to_crs(b.UTM)
    inside = pockets.geometry.contains(shapely.Point(b.at(x, y))).to_numpy(bool)
    return str(pockets["pocket_id"].to_numpy(dtype=object)[inside][0])


def edge_share_in_disc() -> float:
    """Share of the "edge" box (1 to 3 km east, 1 km high) inside the disc."""
    edge = b.box(1_000, -500, 3_000, 500)
    return shapely.area(shapely.intersection(edge, b.disc(2_000))) / shapely.area(edge)


def test_pockets_hold_the_areas_people_by_area_share():
    res = ga.assess(b.disc_scenario(), DAY)
    people = res.pockets.set_index("pocket_id")["population"]
    share = edge_share_in_disc()
    assert people[pocket_at(res, 0, 0)] == pytest.approx(10_000 + 3_000 * share, rel=1e-9)
    assert people[pocket_at(res, 4_000, 0)] == pytest.approx(3_000 * (1 - share), rel=1e-9)
    assert people[pocket_at(res, 10_000, 0)] == pytest.approx(5_000, rel=1e-9)
    assert res.details["population_source"] == "areas"


def test_unmapped_ground_closes_the_pocket_accounting():
    # an unmapped link 5 km wide across the ring takes the part of "edge" with y > 0
    # beyond the disc off every side's ground: those people are population_no_data
    res = ga.assess(b.disc_scenario(link_m=5_000, link_holder=None), DAY)
    edge = b.box(1_000, -500, 3_000, 500)
    link = shapely.intersection(
        b.box(-2_500, 0, 2_500, 6_500), shapely.difference(b.disc(6_000), b.disc(2_000))
    )
    off = 3_000 * shapely.area(shapely.intersection(edge, link)) / shapely.area(edge)
    unmapped = res.areas["population_no_data"].sum()
    assert off > 0
    assert unmapped == pytest.approx(off, rel=1e-3)
    assigned = res.population.set_index(["category", "label"]).loc[
        ("total", "assigned"), "population"
    ]
    assert res.pockets["population"].sum() + unmapped == pytest.approx(assigned, rel=1e-12)


def test_every_estimate_is_allocated_to_the_pockets():
    pts = [
        (0, -1_500, 100.0, "un"),  # disc area
        (2_500, 0, 50.0, "un"),  # edge, on the ring
        (10_000, 9_000, 7.0, "un"),  # countryside, outside every area
        (10_000, 0, 200.0, "sw"),  # rim
    ]
    res = ga.assess(with_people(b.disc_scenario(), pts), DAY)
    assert res.details["population_estimates"] == ["un", "sw", "areas"]
    pockets = res.pockets.set_index("pocket_id")
    disc, ring, outer = pocket_at(res, 0, 0), pocket_at(res, 4_000, 0), pocket_at(res, 10_000, 0)
    expected = {
        "population": {disc: 100.0, ring: 50.0, outer: 0.0},
        "population_sw": {disc: 0.0, ring: 0.0, outer: 200.0},
        "population_areas": {
            disc: 10_000 + 3_000 * edge_share_in_disc(),
            ring: 3_000 * (1 - edge_share_in_disc()),
            outer: 5_000.0,
        },
    }
    totals = res.population.set_index(["category", "label"]).loc["total"]
    for column, values in expected.items():
        assert pockets[column].to_dict() == pytest.approx(values, rel=1e-9), column
        # all the areas' ground is held: the pockets hold the whole assigned total
        assert pockets[column].sum() == pytest.approx(totals.loc["assigned", column], rel=1e-12)
    assert totals.loc["outside", "population"] == pytest.approx(7.0)


def test_pockets_of_a_light_snapshot_have_no_population():
    tl = ga.timeline(b.disc_scenario(), "2020-01-01", "2020-02-01")
    assert not any(c.startswith("population") for c in tl.snapshots[0].pockets)


@pytest.fixture
def straddle() -> gpd.GeoDataFrame:
    """One area 1 to 3 km east of the centre, no population column: its smaller piece
    (about a quarter) is on the disc, the rest on the ring."""
    return gpd.GeoDataFrame(
        {"area_id": ["edge"], "name": ["Edge"]},
        geometry=[b.box(1_000, -500, 3_000, 500)],
        crs=b.UTM,
    )


def test_the_primary_estimate_chooses_the_dominant_piece(straddle):
    # A's link keeps the disc open; B's ring is encircled by A
    base = b.disc_scenario(link_m=1_000)
    assert edge_share_in_disc() < 0.5
    by_area = ga.assess(with_people(base, [(0, 9_000, 1.0, "un")], areas=straddle), DAY)
    assert by_area.areas.iloc[0]["status"] == "besieged"  # no one on it: the larger piece
    pts = [(1_500, 0, 1_000.0, "un"), (2_500, 0, 10.0, "un")]
    scn = with_people(base, pts, areas=straddle)
    res = ga.assess(scn, DAY)
    row = res.areas.iloc[0]
    assert row["pocket_id"] == pocket_at(res, 0, 0)
    status = row["status"]
    assert status != "besieged"  # the disc piece: open, under fire by the front
    assert row[f"population_{status}"] == pytest.approx(1_000.0)
    assert row["population_besieged"] == pytest.approx(10.0)
    # the timeline applies the same rule
    daily = ga.timeline(scn, "2020-01-01", "2020-06-30").daily()
    on_day = daily[daily["date"].astype(str) == DAY]
    assert on_day["status"].tolist() == [status]
