"""Territories, pockets, front lines and the encirclement rule on the disc scenarios."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from _builders import disc_scenario
from hypothesis import given
from hypothesis import strategies as st

import geoaccess as ga
from geoaccess.engine import safe_ground
from geoaccess.engine.cache import Cache
from geoaccess.engine.context import FRAME_TOLERANCE_M, project_scenario
from geoaccess.engine.sides import hostile_unmapped, side_view
from geoaccess.engine.territory import ground_at
from geoaccess.polygons import merged, parts_merged
from geoaccess.temporal import as_date

DAY = "2020-02-01"


def pockets_of(scn: ga.Scenario, side: str) -> list[str]:
    found = ga.pockets(scn, DAY)
    return found.loc[found["side"] == side, "pocket_id"].tolist()


def answers_in_both_readings(scn: ga.Scenario) -> pd.DataFrame:
    """Each area's status, encirclement and route clearance, checked to be the same with
    unmapped ground taken as hostile as with it passable."""
    passable, hostile = (
        ga.assess(scn, DAY, rules=ga.Rules(unmapped=u)).areas.set_index("area_id")
        for u in ("passable", "hostile")
    )
    columns = ["status", "encircled", "route_clearance_m"]
    pd.testing.assert_frame_equal(hostile[columns], passable[columns])
    return hostile[columns]


def test_disc_in_hostile_ring_is_an_encircled_pocket():
    found = ga.pockets(disc_scenario(), DAY).set_index("pocket_id")
    disc = found.loc["A-2"]  # A-1 is the larger countryside
    assert disc["encircled"]
    assert disc["status"] == "besieged"
    assert disc["hostile_perimeter_share"] == pytest.approx(1.0, abs=0.01)
    assert disc["area_km2"] == pytest.approx(math.pi * 4, rel=0.01)
    assert disc["route_clearance_m"] == 0
    countryside = found.loc["A-1"]
    assert not countryside["encircled"]
    # the countryside's outer ring lies on the frame, which is left out of the share
    assert countryside["hostile_perimeter_share"] == pytest.approx(0.0, abs=0.01)
    assert found.crs.to_epsg() == 4326


def test_neutral_ring_does_not_encircle_but_a_hostile_one_does():
    neutral = disc_scenario(
        ring_party="c", relations=[{"sides": ["A", "C"], "relation": "neutral"}]
    )
    hostile = disc_scenario(ring_party="c")
    assert not ga.pockets(neutral, DAY).set_index("pocket_id").loc["A-2", "encircled"]
    assert ga.pockets(hostile, DAY).set_index("pocket_id").loc["A-2", "encircled"]


def test_digitising_sliver_does_not_split_a_pocket_but_a_hostile_strip_does():
    assert pockets_of(disc_scenario(link_m=4_000, link_gap_m=20), "A") == ["A-1"]
    assert pockets_of(disc_scenario(link_m=4_000, link_strip_m=200), "A") == ["A-1", "A-2"]


@pytest.mark.parametrize(("unmapped", "encircled"), [("passable", False), ("hostile", True)])
def test_unmapped_gap_is_passable_or_hostile(unmapped, encircled):
    scn = disc_scenario(link_m=4_000, link_holder=None)
    res = ga.assess(scn, DAY, rules=ga.Rules(unmapped=unmapped))
    assert res.areas.set_index("area_id").loc["disc", "encircled"] == encircled


@pytest.mark.parametrize(("gap_m", "encircled"), [(20.0, False), (40.0, False), (60.0, True)])
def test_unmapped_gap_across_the_link_is_hostile_only_when_wider_than_snap(gap_m, encircled):
    # A's closing fills a gap in its link narrower than snap_m (50 m): no unmapped
    # ground is left there; a wider one stays, and counts as hostile
    scn = disc_scenario(link_m=4_000, link_gap_m=gap_m)
    res = ga.assess(scn, DAY, rules=ga.Rules(unmapped="hostile"))
    assert res.areas.set_index("area_id").loc["disc", "encircled"] == encircled


def test_unmapped_crossing_of_narrow_gaps_is_not_hostile():
    # two 45 m gaps cross in the link: the mitred closing fills the crossing, where a
    # round opening alone would keep a blob (a 25 m disc fits where the gaps meet) and
    # count it as hostile ground inside A's own territory
    scn = disc_scenario(link_m=4_000, link_gap_m=45.0, link_split_m=45.0)
    assert answers_in_both_readings(scn).loc["disc"].tolist() == ["accessible", False, 1975.0]


@pytest.mark.parametrize("inset_m", [3.0, 30.0])
def test_unmapped_slivers_along_the_frame_are_not_hostile_ground(inset_m):
    # A's countryside stops 3 m or 30 m short of the frame's edge (36 m at most once it
    # is simplified within edge_tolerance_m, 5 m, and the frame within 1 m): narrower
    # than snap_m, digitising residue. Were it hostile, it would line the rear and cap
    # the clearances (with the 3 m band the disc came out hard to reach at 500 m).
    scn = disc_scenario(link_m=4_000, outer_inset_m=inset_m)
    # the 4 km link runs 2 km from the ring on either side: clear to 1,975 m (25 m steps)
    assert answers_in_both_readings(scn).loc["disc"].tolist() == ["accessible", False, 1975.0]


@pytest.mark.parametrize("inset_m", [60.0, 300.0])
def test_unmapped_band_wider_than_snap_along_the_frame_is_hostile(inset_m):
    scn = disc_scenario(link_m=4_000, outer_inset_m=inset_m)
    ctx, cache = project_scenario(scn, ga.Rules(unmapped="hostile")), Cache()
    band = hostile_unmapped(ctx, cache, ground_at(ctx, cache, as_date(DAY)))
    # the frame less the frame inset (the opening rounds its four outer corners only),
    # to the metres the frame (1 m) and A's countryside (edge_tolerance_m) are
    # simplified within, along the 120 km of the frame's edge
    expected = ctx.frame.area - shapely.buffer(ctx.frame, -inset_m, join_style="mitre").area
    slack = ctx.frame.length * (FRAME_TOLERANCE_M + ctx.rules.edge_tolerance_m)
    assert band.area == pytest.approx(expected, abs=slack)
    assert slack < expected / 5
    areas = ga.assess(scn, DAY, rules=ctx.rules).areas.set_index("area_id")
    # hostile ground all round the frame: every area of A is cut off from the rear
    assert areas["encircled"].all()
    assert set(areas["status"]) == {"besieged"}


def test_siege_line_across_the_link_encircles_the_disc():
    res = ga.assess(disc_scenario(link_m=4_000, siege_line=True), DAY)
    assert res.areas.set_index("area_id").loc["disc", "status"] == "besieged"


def test_front_lines_follow_the_ring():
    lines = ga.front_lines(disc_scenario(), DAY)
    assert list(lines.columns) == ["side_a", "side_b", "length_m", "geometry"]
    assert lines[["side_a", "side_b"]].values.tolist() == [["A", "B"]]
    # inner circle (r = 2 km) and outer circle (r = 6 km)
    assert lines["length_m"].iloc[0] == pytest.approx(2 * math.pi * 8_000, rel=0.01)


def test_safe_ground_is_shared_between_calls():
    ctx, cache = project_scenario(disc_scenario(link_m=4_000), ga.Rules()), Cache()
    view = side_view(ctx, cache, ground_at(ctx, cache, as_date(DAY)), "A")
    disc = shapely.Point(*ctx.frame.centroid.coords[0]).buffer(1_000)
    rules = ctx.rules
    clearance = safe_ground.route_clearance(view, [disc], rules=rules, cache=cache)
    assert clearance[0] == pytest.approx(2_000, abs=50)
    assert safe_ground.rear_components(
        view, 100.0, rules=rules, cache=cache
    ) is safe_ground.rear_components(view, 100.0, rules=rules, cache=cache)
    assert safe_ground.connected(view, [disc], 1_900, rules=rules, cache=cache).tolist() == [True]
    assert safe_ground.connected(view, [disc], 2_100, rules=rules, cache=cache).tolist() == [False]


def test_small_fragments_are_residue_only_when_scraps_of_larger_zones():
    from geoaccess.engine.territory import residue

    big_zone = shapely.box(0, 0, 10_000, 10_000)
    compound = shapely.Point(20_000, 0).buffer(20)
    scrap = shapely.box(9_990, 0, 10_000, 30)  # the edge of big_zone left past a neighbour
    parts = np.array([scrap, compound, big_zone], dtype=object)
    zones = np.array([big_zone, compound], dtype=object)
    assert list(residue(parts, zones, (2 * 50.0) ** 2)) == [True, False, False]


def test_closing_never_takes_a_sides_own_ground():
    """Gaps are closed with mitred buffers, which bevel sharp corners: the territory keeps
    every bit of the side's own zones all the same. The notch below is a piece of the
    front line between two of OCHA's Aleppo neighbourhoods (Al-A'arqoub and Sheikh Abu
    Bakr, in metres); growing and shrinking back by 25 m alone shaves 94 m² off A."""
    from _builders import CX, CY, START, frame_extent, zones_frame

    notch = [(53, 52.8), (72.5, 40.2), (71.5, 82.4), (61.7, 150), (150, 150), (150, 0), (0, 0)]
    a = shapely.Polygon([(CX + x, CY + y) for x, y in [*notch, (0, 76.7)]])
    b = shapely.difference(shapely.box(CX - 15_000, CY - 15_000, CX + 15_000, CY + 15_000), a)
    zones = zones_frame(
        [
            {"party": "a", "name": "A", "geometry": a, "valid_from": START},
            {"party": "b", "name": "B", "geometry": b, "valid_from": START},
        ]
    )
    scn = ga.Scenario.create(
        "notch",
        parties=[{"id": "a", "side": "A"}, {"id": "b", "side": "B"}],
        zones=zones,
        extent=frame_extent(),
    )
    found = ga.pockets(scn, DAY).set_index("side")
    assert found.loc["A", "area_km2"] * 1e6 == pytest.approx(a.area, abs=0.5)


@pytest.mark.parametrize(("gap_m", "filled_m2"), [(30.0, 30.0 * 1_000), (60.0, 0.0)])
def test_closing_fills_gaps_narrower_than_snap_and_no_others(gap_m, filled_m2):
    """Two 1 km squares side by side, closed by 25 m (snap_m 50): a 30 m gap between them
    fills with a 30 m × 1 km band (less its two open mouths, 0.1 m deep), a 60 m one
    stays open."""
    from geoaccess.engine.territory import CLOSING_INSET_M, _closing

    squares = shapely.union(
        shapely.box(0, 0, 1_000, 1_000), shapely.box(1_000 + gap_m, 0, 2_000 + gap_m, 1_000)
    )
    closed = _closing(squares, 25.0)
    mouths = 2 * gap_m * CLOSING_INSET_M if filled_m2 else 0.0
    assert closed.area == pytest.approx(2e6 + filled_m2 - mouths, abs=1e-3)
    assert shapely.get_num_geometries(closed) == (1 if filled_m2 else 2)
    assert shapely.contains(closed, squares) or closed.equals(squares)


boxes = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(1, 8), st.integers(1, 8)).map(
        lambda b: shapely.box(b[0], b[1], b[0] + b[2], b[1] + b[3])
    ),
    max_size=4,
)


@given(boxes)
def test_merged_polygons_are_their_union(polygons):
    """``merged`` skips overlays for fewer than two polygons, but gives the union's ground."""
    found = merged(polygons)
    assert found.is_valid
    assert shapely.equals(found, shapely.union_all(polygons)) or (
        found.is_empty and shapely.union_all(polygons).is_empty
    )


@given(boxes, st.data())
def test_parts_of_a_polygon_merged_without_an_overlay_are_valid(polygons, data):
    """Any parts of one valid (multi)polygon make a valid geometry with the same ground."""
    parts = shapely.get_parts(shapely.union_all(polygons))
    keep = data.draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
    chosen = parts[np.array(keep, dtype=bool)] if len(parts) else parts
    found = parts_merged(chosen)
    assert found.is_valid
    assert found.area == pytest.approx(float(shapely.area(chosen).sum()))
    if len(chosen):
        assert shapely.equals(found, shapely.union_all(chosen))
    else:
        assert found.is_empty
