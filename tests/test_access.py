"""Statuses and evidence on the disc scenarios (answers computed on paper)."""

from __future__ import annotations

import datetime as dt

import pytest
from _builders import UTM, disc_scenario, tips_scenario
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given, settings
from hypothesis import strategies as st

import geoaccess as ga
from geoaccess.engine.status import decide_status

DAY = "2020-02-01"


def disc_row(scn: ga.Scenario, rules: ga.Rules | None = None):
    return ga.assess(scn, DAY, rules=rules).areas.set_index("area_id").loc["disc"]


def test_besieged_disc_reports_its_evidence():
    row = disc_row(disc_scenario())
    assert row["status"] == "besieged"
    assert row["encircled"] and not row["fire_controlled"]
    assert row["side"] == "A"
    assert row["route_clearance_m"] == 0
    assert row["hostile_perimeter_share"] == pytest.approx(1.0, abs=0.01)
    assert row["population_besieged"] == pytest.approx(10_000)
    assert row["reason"].startswith("Encircled since 2020-01-01")
    assert row["status_since"] == dt.date(2020, 1, 1)


def test_wide_link_is_accessible_with_about_2000_m_clearance():
    row = disc_row(disc_scenario(link_m=4_000))
    assert row["status"] == "accessible"
    assert not row["encircled"] and not row["fire_controlled"]
    assert row["route_clearance_m"] == pytest.approx(2_000, abs=50)
    assert row["population_accessible"] == pytest.approx(10_000)


@pytest.mark.parametrize("tip_angle", [60, 80, 100, 110, 120, 130])
def test_clearance_through_a_gap_between_two_tips_is_half_the_gap(tip_angle):
    """10 km between two hostile tips: 5,000 m, to a bisection step, whatever their angle.

    The buffers' arcs around the tips decide where the gap closes; drawn with 4 segments
    per quarter circle they fell short by up to 2 % and the gap stayed open to 5,100 m.
    """
    scn = tips_scenario(half_gap_m=5_000, tip_angle_deg=tip_angle)
    row = ga.assess(scn, DAY).areas.set_index("area_id").loc["south"]
    assert row["status"] == "accessible"
    assert row["route_clearance_m"] == pytest.approx(5_000, abs=25)


def test_narrow_link_is_fire_controlled_with_about_500_m_clearance():
    row = disc_row(disc_scenario(link_m=1_000))
    assert row["status"] == "hard_to_reach"
    assert row["fire_controlled"] and not row["encircled"]
    assert row["route_clearance_m"] == pytest.approx(500, abs=50)
    assert "fire control" in row["reason"]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("aid", "hard_to_reach"),
        ("mixed", "hard_to_reach"),
        ("civilian", "besieged"),
        ("combatant", "besieged"),
    ],
)
def test_only_open_aid_corridors_lift_a_siege(kind, status):
    row = disc_row(disc_scenario(corridors=[(kind, "open")]))
    assert row["status"] == status
    assert row["open_corridors"] == 1


def test_a_closed_aid_corridor_does_not_lift_a_siege():
    row = disc_row(disc_scenario(corridors=[("aid", "closed")]))
    assert row["status"] == "besieged"
    assert row["open_corridors"] == 0


def test_area_split_by_the_front_reports_its_population_by_status():
    res = ga.assess(disc_scenario(), DAY)
    edge = res.areas.set_index("area_id").loc["edge"]
    # box x in [1, 3] km, y in [-0.5, 0.5] km: about half inside the disc, half in B's ring
    total = edge[
        [
            f"population_{s}"
            for s in ("accessible", "hard_to_reach", "watchlist", "besieged", "no_data")
        ]
    ].sum()
    assert total == pytest.approx(3_000)
    assert edge["side"] == "B"
    assert edge["population_besieged"] == pytest.approx(3_000)  # both sides besieged
    table = res.population.set_index(["category", "label"])
    assert table.loc[("total", "assigned"), "population"] == pytest.approx(18_000)
    assert table.loc[("status", "besieged"), "population"] == pytest.approx(13_000)


def test_decide_status_rules():
    rules = ga.Rules()
    base = dict(
        encircled=False,
        aid_corridor_open=False,
        fire_controlled=False,
        roads_enter=False,
        open_supply_routes=None,
        encircled_days=None,
        rules=rules,
    )
    assert decide_status(**base)[0] == ga.AccessStatus.ACCESSIBLE
    assert (
        decide_status(**{**base, "roads_enter": True, "open_supply_routes": 0.0})[0]
        == ga.AccessStatus.HARD_TO_REACH
    )
    assert (
        decide_status(**{**base, "roads_enter": True, "open_supply_routes": 2.0})[0]
        == ga.AccessStatus.ACCESSIBLE
    )
    watch = {**base, "encircled": True, "rules": ga.Rules(scheme="siege_watch")}
    assert decide_status(**{**watch, "encircled_days": 179})[0] == ga.AccessStatus.WATCHLIST
    assert decide_status(**{**watch, "encircled_days": 180})[0] == ga.AccessStatus.BESIEGED


def test_roads_cut_by_a_siege_line_and_lifelines():
    res = ga.assess(disc_scenario(link_m=4_000, roads=True), DAY)
    row = res.areas.set_index("area_id").loc["disc"]
    assert row["status"] == "accessible" and row["open_supply_routes"] == 1
    # the north road from the disc to the ring road is the disc's alone
    only_disc = res.lifelines[res.lifelines["area_ids"] == "disc"]
    assert only_disc["name"].tolist() == ["North road"]
    assert only_disc["population"].tolist() == [10_000]
    blocked = ga.assess(disc_scenario(link_m=4_000, roads=True, road_block=True), DAY)
    row = blocked.areas.set_index("area_id").loc["disc"]
    assert not row["encircled"]
    assert row["status"] == "hard_to_reach" and row["open_supply_routes"] == 0
    assert "disc" not in ", ".join(blocked.lifelines["area_ids"])


SEVERITY = {s.value: s.severity for s in ga.AccessStatus}


@settings(max_examples=8)
@given(width=st.sampled_from([1_000.0, 2_500.0, 4_000.0]), cut=st.sampled_from([None, 200.0]))
def test_adding_hostile_ground_never_makes_an_area_more_accessible(width, cut):
    plain = ga.assess(disc_scenario(link_m=width), DAY).areas.set_index("area_id")
    worse = ga.assess(
        disc_scenario(link_m=width, link_strip_m=cut, ring_party="b")
        if cut
        else disc_scenario(link_m=width, siege_line=True),
        DAY,
    ).areas.set_index("area_id")
    for area in ("disc", "rim"):
        assert SEVERITY[worse.loc[area, "status"]] >= SEVERITY[plain.loc[area, "status"]]


@settings(max_examples=10)
@given(
    width=st.sampled_from([None, 1_000.0, 4_000.0]),
    split=st.booleans(),
    crs=st.sampled_from([UTM, "EPSG:4326"]),
)
def test_same_statuses_whatever_the_crs_or_zone_split(width, split, crs):
    reference = ga.assess(disc_scenario(link_m=width), DAY).areas["status"].tolist()
    scn = disc_scenario(link_m=width, split_outer=split, crs=crs)
    zones_before = scn.zones.copy()
    assert ga.assess(scn, DAY).areas["status"].tolist() == reference
    assert_geodataframe_equal(scn.zones, zones_before)


@pytest.mark.parametrize("scheme", ["ocha", "siege_watch"])
def test_the_one_decision_on_every_combination(scheme):
    """OCHA's rules in order, on every combination of evidence, vectorised and one by one."""
    import itertools

    import numpy as np

    from geoaccess.engine.status import decide, statuses

    rules = ga.Rules(scheme=scheme)
    combos = list(
        itertools.product(
            [False, True], [False, True], [False, True], [False, True], [None, 0.0, 1.0, 3.0]
        )
    )

    def by_hand(encircled, aid, fire, enter, routes):
        if encircled:
            return "hard_to_reach" if aid else "besieged"
        if fire or (enter and routes == 0):
            return "hard_to_reach"
        return "accessible"

    enc, aid, fire, enter, routes = (np.array(c, dtype=object) for c in zip(*combos, strict=True))
    routes_f = np.array([np.nan if r is None else r for r in routes], dtype=float)
    fast = statuses(
        decide(
            rules=rules,
            encircled=enc.astype(bool),
            aid_corridor_open=aid.astype(bool),
            fire_controlled=fire.astype(bool),
            roads_blocked=enter.astype(bool) & (routes_f == 0),
        )
    )
    slow = [
        decide_status(
            encircled=e,
            aid_corridor_open=a,
            fire_controlled=f,
            roads_enter=r,
            open_supply_routes=o,
            encircled_days=None,
            rules=rules,
        )[0].value
        for e, a, f, r, o in combos
    ]
    assert fast.tolist() == slow == [by_hand(*c) for c in combos]


def test_status_only_road_links_agree_with_supply_routes():
    import numpy as np

    from geoaccess.engine.cache import Cache
    from geoaccess.engine.context import project_scenario
    from geoaccess.engine.evidence import open_links, road_evidence
    from geoaccess.engine.roads import road_graph_at
    from geoaccess.engine.sides import side_view
    from geoaccess.engine.territory import ground_at
    from geoaccess.temporal import as_date

    for block in (False, True):
        scn = disc_scenario(link_m=4_000, roads=True, road_block=block)
        ctx, cache = project_scenario(scn, scn.rules), Cache()
        ground = ground_at(ctx, cache, as_date(DAY))
        graph = road_graph_at(ctx, cache, ground.rows)
        for side in ground.sides:
            pockets = ground.pockets[ground.pockets["side"] == side]
            geoms = np.asarray(pockets.geometry.array, dtype=object)
            view = side_view(ctx, cache, ground, side)
            enter, linked = open_links(view, geoms, graph, rules=ctx.rules, cache=cache)
            enter_flow, routes, _ = road_evidence(
                view, geoms, graph, rules=ctx.rules, cache=cache, lifelines=False
            )
            assert enter.tolist() == enter_flow.tolist()
            assert linked.tolist() == (routes > 0).tolist()
