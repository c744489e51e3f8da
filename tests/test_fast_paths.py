"""The shortcuts of issue 13 give the answers of the long way round.

- detailed zones (1,000 vertices or more) are simplified within ``edge_tolerance_m``;
  drawn shapes keep every vertex, and statuses and clearances do not move;
- the frame, densified to follow parallels and meridians, is simplified within 1 m;
- front lines drawn on hostile ground's edge are left out of clearances: the route
  clearance is the same with every barrier line buffered;
- hostile ground and clearance lines grown once into one polygon, then buffered by the
  rest of each clearance, block the ground that buffering each and merging blocks;
- past the fire-control distance that ground grows from a ladder of rungs: it keeps
  one buffer's distance, does not depend on what was tested before, and route
  clearances come within a step of those of fine arcs;
- the bisection of route clearances starting from the statuses' bracket lands where
  the full bisection does;
- zones that only touch are not overlaid by the overlap check, and overlaps are still
  found;
- a call projects only the rows valid on the days it evaluates (``period``): the others
  keep their place without geometry, and the answers are those of the whole scenario;
- the walk back of ``status_since`` evaluates only the areas whose run is still open:
  their units are those of a whole evaluation, and ``status_since`` does not move; with
  a population layer, which allocates people to all pieces at once, it evaluates all;
- the roads every piece touches, their exposure outside it and its nodes, found for all
  pieces at once, are each piece's own (the rule for one area, and the flows' queries);
- results keep the scenario's own lon/lat where they have it (areas, corridors,
  facilities), and reproject the pockets, front lines and road segments of a date once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _builders import (
    CX,
    CY,
    HALF,
    START,
    UTM,
    box,
    disc,
    disc_scenario,
    frame_extent,
    one_fine_buffer,
    zones_frame,
)

import geoaccess as ga
from geoaccess.crs import reproject
from geoaccess.engine import evidence, roads, safe_ground
from geoaccess.engine.cache import Cache
from geoaccess.engine.context import FRAME_TOLERANCE_M, SIMPLIFY_FROM_VERTICES, Context
from geoaccess.engine.keys import DayRows
from geoaccess.engine.sides import SideView, side_view
from geoaccess.engine.territory import ground_at
from geoaccess.pipeline.evaluate import context_for, evaluate
from geoaccess.temporal import as_date, valid_mask
from geoaccess.threaded import THREADED_FROM_COORDINATES, in_parts

DAY = "2020-02-01"


def dense_disc(radius: float, vertices: int = 4_000) -> shapely.Polygon:
    """A disc as a tracker digitises it: far more vertices than its shape needs."""
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    return shapely.Polygon(
        np.column_stack([CX + radius * np.cos(angles), CY + radius * np.sin(angles)])
    )


def dense_scenario(rules: ga.Rules | None = None) -> ga.Scenario:
    """A's dense disc (2 km) in B's dense ring (to 6 km) with a 4 km link north; A around."""
    link = box(-2_000, 0, 2_000, 6_500)
    ring = shapely.difference(shapely.difference(dense_disc(6_000), dense_disc(2_000)), link)
    outer = shapely.difference(box(-HALF, -HALF, HALF, HALF), dense_disc(6_000))
    piece = shapely.difference(shapely.intersection(link, dense_disc(6_000)), dense_disc(2_000))
    zones = zones_frame(
        [
            {"party": "a", "geometry": dense_disc(2_000), "valid_from": START},
            {"party": "b", "geometry": ring, "valid_from": START},
            {"party": "a", "geometry": outer, "valid_from": START},
            {"party": "a", "geometry": piece, "valid_from": START},
        ]
    )
    areas = gpd.GeoDataFrame(
        {"area_id": ["disc"], "population": [10_000.0]}, geometry=[dense_disc(2_000)], crs=UTM
    )
    return ga.Scenario.create(
        "dense",
        parties=[{"id": "a", "side": "A"}, {"id": "b", "side": "B"}],
        zones=zones,
        layers={"areas": areas},
        extent=frame_extent(),
        rules=rules,
    )


def test_detailed_zones_are_simplified_within_the_tolerance() -> None:
    scn = dense_scenario()
    exact = context_for(scn, ga.Rules(edge_tolerance_m=0)).layers["zones"].geometry.values
    simple = context_for(scn, scn.rules).layers["zones"].geometry.values
    before, after = shapely.get_num_coordinates(exact), shapely.get_num_coordinates(simple)
    assert (before >= SIMPLIFY_FROM_VERTICES).all()
    assert (after < before / 4).all()
    assert (shapely.hausdorff_distance(exact, simple) <= scn.rules.edge_tolerance_m + 0.01).all()
    assert shapely.is_valid(simple).all()


def test_shapes_drawn_by_hand_keep_every_vertex() -> None:
    scn = disc_scenario(link_m=4_000)
    exact = context_for(scn, ga.Rules(edge_tolerance_m=0)).layers["zones"].geometry.values
    default = context_for(scn, scn.rules).layers["zones"].geometry.values
    assert (shapely.get_num_coordinates(exact) < SIMPLIFY_FROM_VERTICES).all()
    assert all(a.equals_exact(b, 0.0) for a, b in zip(exact, default, strict=True))


def test_simplified_maps_keep_statuses_and_clearances() -> None:
    exact = ga.assess(dense_scenario(ga.Rules(edge_tolerance_m=0)), DAY)
    simple = ga.assess(dense_scenario(), DAY)
    columns = ["area_id", "status", "encircled", "fire_controlled"]
    assert simple.areas[columns].equals(exact.areas[columns])
    assert simple.pockets["status"].tolist() == exact.pockets["status"].tolist()
    # a 4 km link keeps about 2,000 m; the tolerance moves it by one bisection step at most
    assert exact.areas["route_clearance_m"].iloc[0] == pytest.approx(2_000, abs=100)
    np.testing.assert_allclose(
        simple.areas["route_clearance_m"], exact.areas["route_clearance_m"], atol=25
    )
    people = exact.population.set_index(["category", "label"])["population"]
    simple_people = simple.population.set_index(["category", "label"])["population"]
    # nobody is lost to slivers; the front moves by 5 m at most, the 1 km bands by 0.5%
    np.testing.assert_allclose(simple_people, people, rtol=5e-3)
    table = simple.population.set_index(["category", "label"])["population"]
    assert table[("status", "no_data")] == 0


def test_a_wide_frame_keeps_its_shape_in_few_vertices() -> None:
    """A 4 x 2.7 degree frame: its edges follow the parallels (a 300 km edge's chord
    is over a kilometre off its parallel), to within a metre, in a few hundred vertices."""
    scn = dense_scenario()
    wide = dataclasses.replace(scn, declared_extent=(35.9, 46.4, 39.9, 49.1))
    exact = context_for(wide, ga.Rules(edge_tolerance_m=0, sea="ignore")).frame
    simple = context_for(wide, ga.Rules(sea="ignore")).frame
    assert shapely.get_num_coordinates(exact) > 2_000
    assert shapely.get_num_coordinates(simple) < 200
    assert shapely.hausdorff_distance(exact, simple) <= FRAME_TOLERANCE_M + 1e-6
    chord = shapely.Polygon(shapely.get_coordinates(shapely.simplify(exact, 1e9)))
    assert shapely.hausdorff_distance(exact, chord) > 1_000  # what following them is worth
    assert shapely.is_valid(simple)
    # no band wider than the tolerance along its 1,300 km edge comes or goes
    moved = shapely.area(shapely.symmetric_difference(simple, exact))
    assert moved <= shapely.length(exact) * FRAME_TOLERANCE_M


def test_edge_tolerance_must_be_a_distance() -> None:
    with pytest.raises(ValueError, match="edge_tolerance_m"):
        ga.Rules(edge_tolerance_m=-1)
    assert ga.Rules.from_mapping({"edge_tolerance_m": 0}).edge_tolerance_m == 0


def side_pockets(
    scn: ga.Scenario, day: str
) -> Iterator[tuple[Context, Cache, SideView, np.ndarray]]:
    """Each non-contested side of ``scn`` holding pockets on ``day``: its view and pockets."""
    ctx = context_for(scn, scn.rules)
    cache = Cache()
    ground = ground_at(ctx, cache, as_date(day))
    for side in ground.sides:
        pockets = ground.pockets[ground.pockets["side"] == side].geometry.to_numpy()
        if side not in scn.contested and len(pockets):
            yield ctx, cache, side_view(ctx, cache, ground, side), pockets


@pytest.mark.parametrize("day", ["2016-07-10", "2016-08-10", "2016-09-20"])
def test_clearances_are_the_same_with_every_barrier_line(day: str) -> None:
    """Lines on hostile ground's edge add nothing: buffering them too changes nothing."""
    found = list(side_pockets(ga.datasets.aleppo_2016(), day))
    assert found
    for ctx, cache, view, pockets in found:
        every = dataclasses.replace(view, clearance_lines=view.barrier_lines)
        assert shapely.length(view.clearance_lines) <= shapely.length(view.barrier_lines)
        pruned = safe_ground.route_clearance(view, pockets, rules=ctx.rules, cache=cache)
        full = safe_ground.route_clearance(every, pockets, rules=ctx.rules, cache=Cache())
        np.testing.assert_array_equal(pruned, full)


def _blocked_the_long_way(view: SideView, c: float) -> shapely.Geometry:
    """``buffer(hostile, c) ∪ buffer(clearance lines, c)``, as DESIGN section 2 reads."""
    hostile = shapely.buffer(view.hostile, c, quad_segs=safe_ground.ARC_SEGMENTS)
    lines = shapely.buffer(view.clearance_lines, c, quad_segs=safe_ground.ARC_SEGMENTS)
    return shapely.union(hostile, lines)


def _seed_and_chords(c: float) -> float:
    """How far the one-polygon route may stray from the long way: twice the seed, plus
    the chords of both buffers' arcs (up to ``c (1 - cos(pi / (4 q)))`` each)."""
    chord = 1 - np.cos(np.pi / (4 * safe_ground.ARC_SEGMENTS))
    return 2 * safe_ground.SEED_M + 2 * c * chord


#: The ladder's lowest rung: the default fire-control distance.
BASE_M = ga.Rules().fire_control_m


def square_and_line_view() -> SideView:
    """A 1 km square of hostile ground, and a 10 km clearance line 7 km east of it."""
    square = box(CX - 8_000, CY - 500, CX - 7_000, CY + 500)
    line = shapely.LineString([(CX, CY - 5_000), (CX, CY + 5_000)])
    empty = shapely.Polygon()
    return SideView(
        side="A",
        date=as_date(DAY),
        rows=DayRows(*[()] * 8),
        hostile=square,
        barrier_lines=line,
        passable=empty,
        frame=square,
        impassable=empty,
        rear_edge=empty,
        anchors=None,
        hostile_sides=("B",),
        clearance_lines=line,
    )


def test_obstacles_grown_once_block_what_each_buffer_blocks() -> None:
    """The square and the line grown apart, and together: areas known on paper.

    From 1.5 km on (the fire-control distance) the ground grows from the ladder's rungs;
    up to 3 km the buffers are still apart (7 km between them), at 6 and 7 km they overlap.
    """
    view = square_and_line_view()
    for c in (0.25, 25.0, 300.0, 2_000.0, 3_000.0, 6_000.0, 7_000.0):  # 0.25: thinner than the seed
        blocked = safe_ground._blocked(view, c, BASE_M, Cache())
        # the square grown by c (rounded corners) and the line's stadium
        on_paper = (1_000 + 2 * c) ** 2 - (4 - np.pi) * c**2 + 2 * c * 10_000 + np.pi * c**2
        if c > 3_500.0:  # they overlap: compare with the overlay of the two buffers
            on_paper = shapely.area(_blocked_the_long_way(view, c))
        assert shapely.area(blocked) == pytest.approx(on_paper, rel=2e-3)
        long_way = _blocked_the_long_way(view, c)
        assert shapely.hausdorff_distance(blocked, long_way) <= _seed_and_chords(c) + 1e-6


@pytest.mark.parametrize("c", [2_000.0, 3_000.0, 7_000.0, 10_000.0])
def test_ground_grown_from_the_ladder_keeps_the_distance_of_one_buffer(c: float) -> None:
    """Every boundary point is ``c`` from the obstacles, short by at most the arcs' chords.

    Chained buffers fall short by the chords of each; their distances add up to ``c``,
    so the bound is one buffer's: ``c cos(pi / (4 q))``. Vertices lie on the arcs, at
    ``c`` (plus the seed's mitres, at most twice the seed).
    """
    view = square_and_line_view()
    obstacles = shapely.union(view.hostile, view.clearance_lines)
    blocked = safe_ground._blocked(view, c, BASE_M, Cache())
    boundary = shapely.boundary(blocked)
    vertices = shapely.points(shapely.get_coordinates(boundary))
    along = shapely.points(shapely.get_coordinates(shapely.segmentize(boundary, 5.0)))
    assert shapely.distance(vertices, obstacles).max() <= c + 2 * safe_ground.SEED_M + 1e-6
    lowest = c * np.cos(np.pi / (4 * safe_ground.ARC_SEGMENTS))
    assert shapely.distance(along, obstacles).min() >= lowest - 1e-6


def test_ground_past_fire_control_does_not_depend_on_what_came_before() -> None:
    """5 km grows from the 3 km rung whatever the cache holds; up to the base, one buffer.

    The ground of a clearance must not depend on which clearances an evaluation tested
    first (an area assessed alone, or within a timeline, on one thread or two).
    """
    view = square_and_line_view()
    alone = safe_ground._blocked(view, 5_000.0, BASE_M, Cache())
    cache = Cache()
    for c in (12_000.0, 4_000.0, 4_900.0, 1_500.0, 6_000.0):
        safe_ground._blocked(view, c, BASE_M, cache)
    assert shapely.equals_exact(safe_ground._blocked(view, 5_000.0, BASE_M, cache), alone, 0)
    from_rung = shapely.buffer(
        safe_ground._blocked(view, 3_000.0, BASE_M, Cache()),
        2_000.0,
        quad_segs=safe_ground.ARC_SEGMENTS,
    )
    assert shapely.equals_exact(alone, from_rung, 0)
    # encirclement and fire control keep one buffer of the obstacles, as statuses had it;
    # with no fire-control distance, clearances below the ladder's lowest foot do too
    for c, fire_control_m in ((25.0, BASE_M), (BASE_M, BASE_M), (999.0, 0.0)):
        one_buffer = safe_ground._grown(view, c, Cache())
        blocked = safe_ground._blocked(view, c, fire_control_m, Cache())
        assert shapely.equals_exact(blocked, one_buffer, 0)


@pytest.mark.parametrize("fire_control_m", [0.0, 1e-9, 100.0])
def test_a_fire_control_distance_near_zero_starts_the_ladder_at_its_lowest_foot(
    fire_control_m: float,
) -> None:
    """The ground at 10 km keeps the line (a nanometre's buffer of it is empty in GEOS)
    and is the one grown from the lowest foot, in four rungs."""
    view = square_and_line_view()
    blocked = safe_ground._blocked(view, 10_000.0, fire_control_m, Cache())
    long_way = _blocked_the_long_way(view, 10_000.0)
    assert shapely.area(blocked) == pytest.approx(shapely.area(long_way), rel=2e-3)
    assert shapely.hausdorff_distance(blocked, long_way) <= _seed_and_chords(10_000.0)
    from_foot = safe_ground._blocked(view, 10_000.0, safe_ground.LADDER_FROM_M, Cache())
    assert shapely.equals_exact(blocked, from_foot, 0)


def test_route_clearances_come_within_a_step_of_fine_arcs(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the bundled scenario, against buffers of 256 segments per quarter circle.

    Clearances past fire control come from the ladder; one buffer of the obstacles
    each gave 50 m (two steps) on this day.
    """
    scn = ga.datasets.aleppo_2016()
    day = "2016-09-20"
    ours = ga.assess(scn, day).areas
    monkeypatch.setattr(safe_ground, "ARC_SEGMENTS", 256)
    monkeypatch.setattr(safe_ground, "_blocked", one_fine_buffer)
    fine = ga.assess(scn, day).areas
    assert (ours["route_clearance_m"] > BASE_M).sum() >= 20
    pd.testing.assert_series_equal(ours["status"], fine["status"])
    np.testing.assert_allclose(
        ours["route_clearance_m"], fine["route_clearance_m"], atol=safe_ground.CLEARANCE_STEP_M
    )


@pytest.mark.parametrize("day", ["2016-07-10", "2016-08-10"])
def test_obstacles_grown_once_on_aleppo(day: str) -> None:
    """On the bundled maps' pockets, within the seed and the arcs' chords of the long way."""
    found = [v for _, _, v, _ in side_pockets(ga.datasets.aleppo_2016(), day)]
    assert any(not shapely.is_empty(view.clearance_lines) for view in found)
    for view in found:
        for c in (25.0, 750.0, 1_500.0, 4_000.0, 10_000.0):
            blocked = safe_ground._blocked(view, c, BASE_M, Cache())
            long_way = _blocked_the_long_way(view, c)
            assert shapely.hausdorff_distance(blocked, long_way) <= _seed_and_chords(c)


def test_clearance_lines_skip_lines_on_hostile_edges() -> None:
    """Facing B's ring, A keeps the lines on its own edge, B those on its own edge."""
    scn = disc_scenario(link_m=4_000)
    ctx = context_for(scn, scn.rules)
    cache = Cache()
    ground = ground_at(ctx, cache, as_date(DAY))
    views = {side: side_view(ctx, cache, ground, side) for side in ("A", "B")}
    total = shapely.length(views["A"].barrier_lines)
    assert total > 0
    # every front line lies on one side's edge: the two sides split them
    kept = shapely.length(views["A"].clearance_lines) + shapely.length(views["B"].clearance_lines)
    assert kept == pytest.approx(total, rel=1e-6)


def test_bisection_from_the_status_bracket_lands_where_the_full_one_does() -> None:
    scn = ga.datasets.aleppo_2016()
    for day in ("2016-07-10", "2016-08-10", "2016-12-10"):
        found = list(side_pockets(scn, day))
        assert found
        for ctx, cache, view, geoms in found:
            rules = ctx.rules
            encircled = safe_ground.encircled(view, geoms, rules=rules, cache=cache)
            fire = ~safe_ground.connected(
                view, geoms, rules.fire_control_m, rules=rules, cache=cache
            )
            known = {0.0: ~encircled, rules.fire_control_m: ~encircled & ~fire}
            fast = safe_ground.route_clearance(view, geoms, rules=rules, cache=cache, known=known)
            slow = safe_ground.route_clearance(view, geoms, rules=rules, cache=Cache())
            np.testing.assert_array_equal(fast, slow)


def test_touching_zones_pass_and_overlapping_ones_are_found() -> None:
    west = shapely.box(CX - 5_000, CY - 5_000, CX, CY + 5_000)
    east = shapely.box(CX, CY - 5_000, CX + 5_000, CY + 5_000)
    parties = [{"id": "a", "side": "A"}, {"id": "b", "side": "B"}]
    touching = zones_frame([{"party": "a", "geometry": west}, {"party": "b", "geometry": east}])
    ga.Scenario.create("touching", parties=parties, zones=touching)
    overlapping = zones_frame(
        [
            {"party": "a", "geometry": west},
            {"party": "b", "geometry": shapely.box(CX - 500, CY - 5_000, CX + 5_000, CY + 5_000)},
        ]
    )
    with pytest.raises(ga.ScenarioError, match="overlaps row 0"):
        ga.Scenario.create("overlapping", parties=parties, zones=overlapping)


@pytest.mark.parametrize(("beyond_m", "no_data"), [(5.0, 0.0), (500.0, 1_000 * 500 / 10_500)])
def test_an_area_a_few_metres_past_its_zones_loses_nobody(beyond_m: float, no_data: float):
    """A sliver of an area on no zone is digitising residue; a wide strip is no data."""
    zones = zones_frame(
        [
            {"party": "a", "geometry": box(-HALF, -HALF, 0, HALF), "valid_from": START},
            {"party": "b", "geometry": box(1_000, -HALF, HALF, HALF), "valid_from": START},
        ]
    )
    area = box(-10_000, -500, beyond_m, 500)  # 10 km of A's ground, then unmapped ground
    areas = gpd.GeoDataFrame(
        {"area_id": ["x"], "population": [1_000.0 * (10_000 + beyond_m) / 10_500]},
        geometry=[area],
        crs=UTM,
    )
    scn = ga.Scenario.create(
        "sliver",
        parties=[{"id": "a", "side": "A"}, {"id": "b", "side": "B"}],
        zones=zones,
        layers={"areas": areas},
        extent=frame_extent(),
    )
    res = ga.assess(scn, DAY)
    table = res.population.set_index(["category", "label"])["population"]
    assert table[("status", "no_data")] == pytest.approx(no_data, abs=1e-6)
    assert table["status"].sum() == pytest.approx(areas["population"].iloc[0])


# the east besieged (its flows skipped, the west's run) and the Ramouseh gap open
@pytest.mark.parametrize("day", ["2016-07-20", "2016-08-10"])
def test_flows_only_for_linked_pieces_give_the_same_routes(day: str, monkeypatch) -> None:
    """Pieces that no usable (or no open) road links to the rear skip that flow: same routes.

    Nor does it matter that each flow takes the segments and nodes its piece touches from
    the query made for all pieces at once (``contact``) rather than querying them. The
    flows run at the ``"light"`` depth as at the full one: a timeline of the one day
    compares them without the route clearances and the walk back, which run none."""
    scn = ga.datasets.aleppo_2016()
    fast = ga.timeline(scn, day, day).snapshots[0]
    monkeypatch.setattr(
        evidence, "_usable_links", lambda graph, use, hit, touched, n, cache, view: np.ones(n, bool)
    )
    every_flow = evidence.routes.supply_routes
    monkeypatch.setattr(
        evidence.routes,
        "supply_routes",
        lambda graph, *, open_linked=None, contact=None, **kwargs: every_flow(graph, **kwargs),
    )
    slow = ga.timeline(scn, day, day).snapshots[0]
    columns = ["area_id", "status", "open_supply_routes", "reason"]
    assert fast.areas[columns].equals(slow.areas[columns])
    assert fast.lifelines.drop(columns="geometry").equals(slow.lifelines.drop(columns="geometry"))
    assert fast.areas["open_supply_routes"].notna().any()


@pytest.mark.parametrize("day", ["2016-07-20", "2016-08-10", "2016-11-28"])
def test_exposure_found_for_all_pieces_at_once_is_each_piece_s_own(day: str) -> None:
    """A piece's exposed segments, found for every piece at once, are the rule's answer.

    :func:`~geoaccess.engine.roads.exposed_segments` applies the exposed-road rule for
    one area; the contacts of every piece with the roads give the same answer on each
    usable segment the piece touches, and its nodes are the ends of those segments that
    lie in it."""
    scn = ga.datasets.aleppo_2016()
    ctx = context_for(scn, scn.rules)
    cache = Cache()
    snap = evaluate(ctx, cache, as_date(day), detail="light")
    graph, rules = snap.graph, ctx.rules
    checked = exposed_somewhere = 0
    for side in snap.ground.sides:
        geoms = snap.pieces.geometry.to_numpy()[snap.pieces["side"].to_numpy() == side]
        if not len(geoms):
            continue
        view = side_view(ctx, cache, snap.ground, side)
        use = evidence.road_use(view, graph, rules=rules, cache=cache)
        hits = graph.segment_tree.query(geoms, predicate="intersects")
        contacts = evidence.road_contacts(view, geoms, graph, use, *hits, rules=rules)
        for i, geom in enumerate(geoms):
            mine = contacts.piece == i
            own = roads.exposed_segments(
                graph, hostile=view.hostile, area=geom, fire_control_m=rules.fire_control_m
            )
            assert contacts.exposed[mine].tolist() == own[contacts.segment[mine]].tolist()
            ends = np.unique(
                np.r_[graph.u[contacts.segment[mine]], graph.v[contacts.segment[mine]]]
            )
            inside = ends[shapely.intersects(geom, graph.node_points[ends])]
            assert sorted(contacts.node[contacts.node_piece == i]) == sorted(inside)
            checked += int(mine.sum())
            exposed_somewhere += int(own[contacts.segment[mine]].any())
    assert checked and exposed_somewhere  # the rule was put to the test


def test_result_geometry_is_the_scenario_s_own_or_reprojected_once_a_ground() -> None:
    """Areas, corridors and facilities keep the scenario's own lon/lat; pockets, front
    lines and lifelines are the date's metric geometry reprojected, once for all the
    dates of the same zones (or roads), and equal to reprojecting them every time."""
    scn = ga.datasets.aleppo_2016()
    tl = ga.timeline(scn, "2016-07-20", "2016-08-10")
    ctx = context_for(scn, scn.rules)
    assert len(tl.snapshots) >= 3  # zones and corridors change within the period
    checked: dict[str, int] = {}
    for snap in tl.snapshots:
        on_day = scn.at(snap.date)
        for result, own, key in (
            (snap.areas, on_day.areas, "area_id"),
            (snap.corridors, on_day.corridors, "corridor_id"),
            (snap.facilities, on_day.facilities, "facility_id"),
        ):
            mine = result.set_index(key).geometry
            theirs = own.set_index(key).geometry.reindex(mine.index)
            assert mine.geom_equals_exact(theirs, 0).all()
            checked[key] = checked.get(key, 0) + len(mine)
        evaluated = evaluate(ctx, Cache(), snap.date, detail="light")
        for result, metric in (
            (snap.pockets, evaluated.pockets),
            (snap.front_lines, evaluated.ground.front),
        ):
            once = reproject(metric.geometry, ga.crs.WGS84).reset_index(drop=True)
            assert result.geometry.geom_equals_exact(once, 0).all()
            checked[metric.geometry.geom_type.iloc[0]] = len(once)
        segments = reproject(evaluated.graph.segments.geometry, ga.crs.WGS84)
        lifelines = segments.iloc[snap.lifelines["segment_id"].to_numpy(dtype=int)]
        assert snap.lifelines.geometry.geom_equals_exact(lifelines.reset_index(drop=True), 0).all()
        checked["lifelines"] = checked.get("lifelines", 0) + len(lifelines)
    assert min(checked.values()) > 0 and len(checked) >= 5, checked


def _mixed_layer(copies: int) -> gpd.GeoDataFrame:
    """Every kind of geometry a layer holds, ``copies`` times, in lon/lat."""
    ring = shapely.buffer(shapely.Point(37.0, 36.2), 0.05, quad_segs=256)
    holed = shapely.difference(ring, shapely.buffer(shapely.Point(37.0, 36.2), 0.01))
    kinds = [
        shapely.Point(37.1, 36.1),
        None,
        shapely.Polygon(),
        holed,
        shapely.MultiPolygon([shapely.box(37, 36, 37.1, 36.1), shapely.box(37.2, 36, 37.3, 36.1)]),
        shapely.LineString([(37, 36), (37.4, 36.3)]),
        shapely.GeometryCollection(
            [shapely.Point(37, 36), shapely.LineString([(37, 36), (38, 37)])]
        ),
    ]
    geoms = kinds * copies
    n = len(geoms)
    return gpd.GeoDataFrame(
        {"row": np.arange(n), "label": [f"r{i}" for i in range(n)]},
        geometry=geoms,
        index=np.arange(n) * 10,
        crs="EPSG:4326",
    ).rename_geometry("shape")


@pytest.mark.parametrize("threads", [1, 2])
def test_fast_reprojection_is_geopandas_to_the_bit(threads: int) -> None:
    """Large layers skip GeoPandas' copies, on threads too: the same frame, same floats."""
    layer = _mixed_layer(copies=1_000)  # over a million coordinates: the copy-free route
    assert shapely.get_num_coordinates(layer.geometry.values).sum() >= THREADED_FROM_COORDINATES
    ours, theirs = reproject(layer, UTM, threads=threads), layer.to_crs(UTM)
    assert ours.crs == theirs.crs and ours.geometry.name == "shape"
    assert ours.drop(columns="shape").equals(theirs.drop(columns="shape"))
    assert (ours.index == theirs.index).all()
    assert _same_geometries(ours.geometry.values, theirs.geometry.values)
    series = reproject(layer.geometry.rename("g"), UTM, threads=threads)
    assert series.name == "g" and _same_geometries(series.values, theirs.geometry.values)


def _same_geometries(a: np.ndarray, b: np.ndarray) -> bool:
    """The same geometries, coordinate for coordinate (missing where missing)."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    missing = shapely.is_missing(b)
    if not (shapely.is_missing(a) == missing).all():
        return False
    return bool(shapely.equals_exact(a[~missing], b[~missing], tolerance=0).all())


def test_a_year_of_maps_is_projected_the_same_on_threads() -> None:
    """The zones of a long scenario projected, checked and simplified in parts."""
    scn = dense_scenario()
    many = dataclasses.replace(scn, zones=pd.concat([scn.zones] * 300, ignore_index=True))
    assert shapely.get_num_coordinates(many.zones.geometry.values).sum() > 1_000_000
    alone = context_for(many, many.rules).layers["zones"]
    threaded = context_for(many, many.rules, threads=2).layers["zones"]
    assert shapely.equals_exact(alone.geometry.values, threaded.geometry.values, 0).all()


def test_in_parts_puts_the_parts_back_in_order() -> None:
    geoms = np.array([shapely.buffer(shapely.Point(i, 0), 0.4, quad_segs=4096) for i in range(300)])
    assert shapely.get_num_coordinates(geoms).sum() > THREADED_FROM_COORDINATES
    np.testing.assert_array_equal(in_parts(shapely.centroid, geoms, 3), shapely.centroid(geoms))


# ---------------------------------------------------------------------- period
ALEPPO_PERIOD_END = "2016-08-01"


def _valid_by(layer: pd.DataFrame, first: str | None, last: str | None) -> np.ndarray:
    """Rows valid on some day of ``[first, last]``, read from the columns with pandas."""
    served = np.ones(len(layer), dtype=bool)
    if last is not None and "valid_from" in layer:
        served &= (layer["valid_from"].isna() | (layer["valid_from"] <= last)).to_numpy()
    if first is not None and "valid_to" in layer:
        served &= (layer["valid_to"].isna() | (layer["valid_to"] > first)).to_numpy()
    return served


@pytest.mark.parametrize(
    "first, last", [(None, ALEPPO_PERIOD_END), ("2016-09-01", "2016-09-30"), ("2016-12-01", None)]
)
def test_a_period_projects_only_its_rows_and_each_as_the_whole_scenario_does(
    first: str | None, last: str | None
) -> None:
    scn = ga.datasets.aleppo_2016()
    whole = context_for(scn, scn.rules)
    period = (None if first is None else as_date(first), None if last is None else as_date(last))
    part = context_for(scn, scn.rules, period=period)
    left_out = 0
    for name, layer in scn.layers.items():
        geoms = np.asarray(part.layers[name].geometry.values, dtype=object)
        projected = ~shapely.is_missing(geoms)
        want = _valid_by(layer, first, last) if name != "incidents" else np.ones(len(layer), bool)
        np.testing.assert_array_equal(projected, want, err_msg=name)
        assert part.layers[name].index.equals(layer.index)  # rows keep their positions
        assert part.layers[name].crs == whole.crs
        full = np.asarray(whole.layers[name].geometry.values, dtype=object)
        assert shapely.equals_exact(geoms[projected], full[projected], 0).all(), name
        left_out += int((~projected).sum())
    assert left_out > 0  # the bundled zones and corridors change over the year
    # on every change date of the period, the same rows and the same statuses
    days = scn.change_dates(first or "2016-06-01", last or "2016-12-31")
    part_cache, whole_cache = Cache(), Cache()  # one per context, shared by its dates
    for day in days[:3] + days[-2:]:
        for name in scn.layers:
            assert part.rows_valid(name, day) == whole.rows_valid(name, day)
        got = evaluate(part, part_cache, day, detail="light").units
        want_units = evaluate(whole, whole_cache, day, detail="light").units
        columns = ["area_id", "side", "base_status", "base_why", "encircled"]
        pd.testing.assert_frame_equal(got[columns], want_units[columns])
        assert got.geometry.geom_equals_exact(want_units.geometry, 0).all()


def test_a_day_outside_the_period_is_an_error_not_an_empty_map() -> None:
    scn = ga.datasets.aleppo_2016()
    ctx = context_for(scn, scn.rules, period=(None, as_date(ALEPPO_PERIOD_END)))
    assert ctx.rows_valid("zones", as_date(ALEPPO_PERIOD_END))
    with pytest.raises(ValueError, match="serves the days up to 2016-08-01, not 2016-08-02"):
        ctx.rows_valid("zones", as_date("2016-08-02"))
    later = context_for(scn, scn.rules, period=(as_date("2016-09-01"), as_date("2016-09-30")))
    with pytest.raises(ValueError, match="from 2016-09-01 to 2016-09-30, not 2016-08-31"):
        later.rows_valid("areas", as_date("2016-08-31"))


def test_assess_and_siege_watch_timelines_walk_back_within_their_period() -> None:
    """assess projects up to its day and walks back for ``status_since``; a Siege Watch
    timeline counts days from before its start: both read only rows they projected (a
    day outside would raise), and give the known statuses."""
    scn = ga.datasets.aleppo_2016()
    res = ga.assess(scn, "2016-08-20")
    bustan = res.areas.set_index("area_id").loc["N0204"]
    assert bustan["status"] == "hard_to_reach"
    # encircled since 4 September: besieged after 30 days, that is, from before the period
    rules = ga.Rules(scheme="siege_watch", min_siege_days=30)
    tl = ga.timeline(scn, "2016-10-10", "2016-10-20", rules)
    assert (tl.intervals["status"] == "besieged").any()


@pytest.mark.parametrize("as_text", [False, True], ids=["datetime64", "object"])
def test_valid_mask_from_inclusive_to_exclusive_open_where_empty(as_text: bool) -> None:
    """The numpy path for datetime columns and pandas' for others say the same."""
    rows = pd.DataFrame(
        {
            "valid_from": pd.to_datetime(["2016-08-10", None, "2016-08-11", "2016-01-01"]),
            "valid_to": pd.to_datetime([None, "2016-08-10", "2016-09-01", "2016-08-11"]),
        }
    )
    if as_text:
        rows = rows.astype(object).where(rows.notna(), None)
    np.testing.assert_array_equal(valid_mask(rows, "2016-08-10"), [True, False, False, True])
    np.testing.assert_array_equal(valid_mask(rows, "2016-08-11"), [True, False, True, False])
    assert valid_mask(rows[["valid_to"]], "2016-08-09").tolist() == [True, True, True, True]


def test_some_areas_evaluated_alone_are_as_in_the_whole_evaluation() -> None:
    """Every change date of the bundled half year, at the walk's two depths: the units of
    a third of the areas (every third id) evaluated alone are those rows of the whole."""
    scn = ga.datasets.aleppo_2016()
    ctx = context_for(scn, scn.rules)
    ids = sorted(scn.areas["area_id"].unique())
    some = set(ids[::3])
    columns = ["area_id", "name", "side", "base_why", "base_status", "encircled"]
    for detail in ("status", "encircled"):
        whole_cache, some_cache = Cache(), Cache()
        for day in scn.change_dates("2016-07-01", "2016-12-31"):
            whole = evaluate(ctx, whole_cache, day, detail=detail).units
            alone = evaluate(ctx, some_cache, day, detail=detail, area_ids=some).units
            expected = whole[whole["area_id"].isin(some)][columns].reset_index(drop=True)
            assert sorted(alone["area_id"]) == sorted(some)
            pd.testing.assert_frame_equal(alone[columns].reset_index(drop=True), expected)


def test_walk_back_follows_open_runs_only_with_the_same_status_since(monkeypatch) -> None:
    """On 23 December the walk goes back over 22 dates; after a few, most areas' runs
    have ended and only the others are evaluated: ``status_since`` is that of the walk
    evaluating every area on every date."""
    from geoaccess.pipeline import history

    scn = ga.datasets.aleppo_2016()
    sizes: list[int] = []
    evaluated = history._evaluated

    def counting(ctx, cache, workers, days, detail, area_ids):
        sizes.append(len(area_ids))
        return evaluated(ctx, cache, workers, days, detail, area_ids)

    monkeypatch.setattr(history, "_evaluated", counting)
    narrowed = ga.assess(scn, "2016-12-23").areas
    # 109 areas are followed back from 23 December; to 1 July, the 19 accessible since then
    assert sizes[0] == 109
    assert sizes[-1] == 19
    monkeypatch.setattr(history, "_evaluated", evaluated)
    monkeypatch.setattr(history, "_areas_apart", lambda ctx: False)
    every = ga.assess(scn, "2016-12-23").areas
    pd.testing.assert_frame_equal(pd.DataFrame(narrowed), pd.DataFrame(every))
    assert narrowed["status_since"].nunique() > 5


def _shared_people_scenario() -> ga.Scenario:
    """Area ``x`` reaches from a besieged disc east to open ground, where area ``b`` (an id
    sorting first) overlaps it; 1,000 people stand in the overlap, 100 in the disc.

    Allocated to every piece at once, the overlap's people go to ``b``'s piece (the
    first in id order), and ``x``'s dominant piece is in the disc: besieged all along.
    Allocated to ``x``'s pieces alone, they go to its piece on open ground, under fire
    from side B's block east of it until 1 March (hard to reach). ``b`` is hard to
    reach until 1 March, then accessible; the ring is redrawn on 1 February (a change
    date on which nothing changes).
    """
    block = box(8_000, -3_000, 11_000, 3_000)
    ring = shapely.difference(disc(6_000), disc(2_000))
    zones = zones_frame(
        [
            {"party": "a", "name": "disc", "geometry": disc(2_000), "valid_from": START},
            {"party": "b", "name": "ring", "geometry": ring, "valid_to": "2020-02-01"},
            {"party": "b", "name": "ring", "geometry": ring, "valid_from": "2020-02-01"},
            {
                "party": "a",
                "name": "outer",
                "geometry": shapely.difference(
                    box(-HALF, -HALF, HALF, HALF), shapely.union(disc(6_000), block)
                ),
                "valid_from": START,
            },
            {"party": "b", "name": "block", "geometry": block, "valid_to": "2020-03-01"},
            {"party": "a", "name": "block", "geometry": block, "valid_from": "2020-03-01"},
        ]
    )
    zones["valid_from"] = zones["valid_from"].fillna(START)
    areas = gpd.GeoDataFrame(
        {"area_id": ["x", "b"], "name": ["X", "B"]},
        geometry=[box(-500, -500, 9_000, 500), box(7_000, -1_000, 10_000, 1_000)],
        crs=UTM,
    )
    people = gpd.GeoDataFrame(
        {"population": [100.0, 1_000.0]},
        geometry=[shapely.Point(CX + 1_000, CY), shapely.Point(CX + 7_500, CY)],
        crs=UTM,
    )
    return ga.Scenario.create(
        "shared people",
        parties=[{"id": "a", "side": "A"}, {"id": "b", "side": "B"}],
        zones=zones,
        layers={"areas": areas, "population": people},
        extent=frame_extent(),
    )


def test_walk_back_evaluates_every_area_where_people_are_allocated_to_all(monkeypatch) -> None:
    """With a population layer an area's dominant piece depends on the other areas: the
    walk keeps evaluating them all, and ``x`` is besieged since the first day. Followed
    alone once ``b``'s run has ended (on 1 February, walking back from 1 April), ``x``
    would get the overlap's people on 1 January and look hard to reach: a run wrongly
    begun on 1 February."""
    from geoaccess.pipeline import history

    scn = _shared_people_scenario()
    x = ga.assess(scn, "2020-04-01").areas.set_index("area_id").loc["x"]
    assert x["status"] == "besieged"
    assert pd.Timestamp(x["status_since"]) == pd.Timestamp(START)
    monkeypatch.setattr(history, "_areas_apart", lambda ctx: True)
    alone = ga.assess(scn, "2020-04-01").areas.set_index("area_id").loc["x"]
    assert pd.Timestamp(alone["status_since"]) == pd.Timestamp("2020-02-01")
