"""Crossing points computed as GEOS computes them, and the noding pairs that use them.

The fast noding route (:func:`geoaccess.engine.noding.node_lines`) cuts pairs of lines
that only cross at points from :mod:`geoaccess.engine.crossings` instead of GEOS
overlays. The points must be GEOS's to the bit, and every other pair must still go to
GEOS: either way the graph is the full route's.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString

from geoaccess.engine import crossings, noding, segment_pairs, segments
from geoaccess.engine.roads import build_road_graph
from tests.test_noding import (
    assert_same_graph,
    every_segment_pair,
    node_both,
    noded_ways,
    pooled_ways,
)

#: Offsets of local, UTM-sized and web-mercator-sized coordinates.
OFFSETS = [(0.0, 0.0), (5e5 + 0.3, 4e6 + 0.1), (-1.8e7 + 0.7, 9e6 + 0.6)]


def random_crossings(rng, n: int, offset, scale: float):
    p1, p2, q1, q2 = (rng.random((n, 2)) * scale + offset for _ in range(4))
    geos = shapely.intersection(
        shapely.linestrings(np.stack([p1, p2], axis=1)),
        shapely.linestrings(np.stack([q1, q2], axis=1)),
    )
    point = (shapely.get_type_id(geos) == 0) & ~shapely.is_empty(geos)
    return p1[point], p2[point], q1[point], q2[point], shapely.get_coordinates(geos[point])


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("scale", [1.0, 1e3, 1e5])
def test_crossing_points_are_geos_points_to_the_bit(offset, scale):
    rng = np.random.default_rng(int(scale))
    p1, p2, q1, q2, expected = random_crossings(rng, 20_000, offset, scale)
    xy, found = crossings.crossing_points(p1, p2, q1, q2)
    assert found.mean() > 0.99
    np.testing.assert_array_equal(xy[found], expected[found])
    # the same with the segments swapped or turned round
    for a, b, c, d in ((q1, q2, p1, p2), (p2, p1, q2, q1)):
        other, _ = crossings.crossing_points(a, b, c, d)
        np.testing.assert_array_equal(other[found], xy[found])


@pytest.mark.parametrize("offset", OFFSETS)
def test_crossing_points_of_streets_on_a_grid_are_geos_points(offset):
    """Axis-parallel segments: their boxes have no width, so one bit off would be out."""
    rng = np.random.default_rng(3)
    x, y = rng.random((2, 20_000)) * 1e4 + np.array(offset)[:, None]  # blocks of 16,000
    p1, p2 = np.c_[x, y - 40.0], np.c_[x, y + 60.0]
    q1, q2 = np.c_[x - 70.0, y], np.c_[x + 30.0, y]
    xy, found = crossings.crossing_points(p1, p2, q1, q2)
    expected = shapely.get_coordinates(
        shapely.intersection(
            shapely.linestrings(np.stack([p1, p2], axis=1)),
            shapely.linestrings(np.stack([q1, q2], axis=1)),
        )
    )
    assert found.all()
    np.testing.assert_array_equal(xy, expected)
    np.testing.assert_array_equal(xy, np.c_[x, y])


def test_crossing_points_known_answers():
    xy, found = crossings.crossing_points(
        np.array([[0.0, 0.0], [0.0, 0.0]]),
        np.array([[2.0, 2.0], [2.0, 0.0]]),
        np.array([[0.0, 2.0], [0.0, 1.0]]),
        np.array([[2.0, 0.0], [2.0, 1.0]]),  # the second pair is parallel
    )
    assert xy[0].tolist() == [1.0, 1.0]
    assert found.tolist() == [True, False]


#: Tests of which pairs go to GEOS: where this machine's GEOS fuses multiply-adds, every
#: crossing does (``test_where_this_machine_computes_crossings_otherwise...``).
numpy_crossings = pytest.mark.skipif(
    not crossings.agrees_with_geos(),
    reason="this machine's GEOS does not compute crossings as plain doubles do",
)


@pytest.mark.parametrize("offset", OFFSETS)
def test_locating_a_point_on_one_segment_is_geos_to_the_bit(offset):
    rng = np.random.default_rng(9)
    p1, p2, _, _, xy = random_crossings(rng, 20_000, offset, 1e3)
    step = (p2 - p1)[:500]
    before = p1[:500] - step * rng.random((500, 1))  # beyond the start: clamped to 0
    after = p2[:500] + step * rng.random((500, 1))  # beyond the end: clamped to the length
    a, b = np.r_[p1, np.tile(p1[:500], (4, 1))], np.r_[p2, np.tile(p2[:500], (4, 1))]
    points = np.r_[xy, p1[:500], p2[:500], before, after]
    expected = shapely.line_locate_point(
        shapely.linestrings(np.stack([a, b], axis=1)), shapely.points(points)
    )
    np.testing.assert_array_equal(crossings.locate_on_segments(a, b, points), expected)
    length = shapely.length(shapely.linestrings(np.stack([a, b], axis=1)))
    assert (expected[-1000:-500] == 0).all() and (expected[-500:] == length[-500:]).all()


# --- which pairs of segments are certain crossings ---------------------------------------


def check_of(*lines):
    coords, which = shapely.get_coordinates([LineString(c) for c in lines], return_index=True)
    return segments.check_segments(coords, which)


def test_a_plain_crossing_is_certain():
    check = check_of([(0, 0), (10, 0)], [(5, -5), (5, 5)])
    assert check.crossings.tolist() == [[0, 2]]  # segments named by their first coordinate
    assert check.unsure.tolist() == []
    assert check.pairs.tolist() == [[0, 1]]


@pytest.mark.parametrize(
    "other",
    [
        [(5, 0), (5, 5)],  # a T: an end on the other's inside
        [(0, 0), (20, 0)],  # an overlap from a shared end
        [(0, -1e-9), (10, 1e-9)],  # crossing, nearly parallel: GEOS may snap
        [(2e-8, -5), (2e-8, 5)],  # crossing a hair from an end: GEOS may snap
    ],
)
def test_what_is_not_a_plain_crossing_is_unsure(other):
    check = check_of([(0, 0), (10, 0)], other)
    assert check.pairs.tolist() == [[0, 1]]
    assert check.unsure.tolist() == [[0, 1]]
    assert check.crossings.tolist() == []


def every_pair_classified(lines: list[LineString]) -> tuple[set, set]:
    """Certain crossings (segment pairs) and unsure line pairs, comparing every pair."""
    seg_a, seg_b, li, lj, kind = every_segment_pair(lines)
    other = li != lj
    cross = other & (kind == segment_pairs.CROSSING)
    unsure = other & (kind == segment_pairs.UNSURE)
    crossing_set = {tuple(sorted(p)) for p in zip(seg_a[cross], seg_b[cross], strict=True)}
    unsure_set = {tuple(sorted(p)) for p in zip(li[unsure], lj[unsure], strict=True)}
    return crossing_set, unsure_set


@pytest.mark.parametrize("seed", range(3))
def test_the_check_names_the_crossings_comparing_every_pair_names(seed):
    lines = pooled_ways(np.random.default_rng(seed), n_ways=120, n_pool=40)
    coords, which = shapely.get_coordinates(lines, return_index=True)
    check = segments.check_segments(coords, which)
    crossing_set, unsure_set = every_pair_classified(lines)
    assert {tuple(sorted(p)) for p in check.crossings.tolist()} == crossing_set
    found = {tuple(p) for p in check.unsure.tolist()}
    assert found >= unsure_set
    if not len(check.self_lines):
        assert found == unsure_set
    assert len(crossing_set) > 100 and len(unsure_set) > 5


# --- the noding: pairs that only cross need no overlay; all others do -------------------


def fast_and_full(lines: list, snap_m: float, overlays: list[int]) -> tuple[int, ...]:
    """Both routes give the same graph; the line pairs of the fast route's overlays."""
    arr = np.array(lines, dtype=object)
    fast = noding.node_lines(arr, snap_m=snap_m)
    by_fast = sum(overlays)
    assert_same_graph(fast, noding.node_lines_full(arr, snap_m=snap_m))
    return by_fast, len(fast.u), len(fast.nodes)


def street_grid(k: int, offset=(0.0, 0.0)) -> list[LineString]:
    """``k`` streets each way, crossing mid-segment; the outer ones end on no street."""
    pos = np.arange(k) * 100.0 + 50.0
    ox, oy = offset
    return [LineString([(ox + p, oy), (ox + p, oy + 100.0 * k)]) for p in pos] + [
        LineString([(ox, oy + p), (ox + 100.0 * k, oy + p)]) for p in pos
    ]


@numpy_crossings
@pytest.mark.parametrize("offset", OFFSETS)
def test_streets_crossing_mid_segment_are_cut_without_an_overlay(offset, overlays):
    by_fast, n_edges, n_nodes = fast_and_full(street_grid(8, offset), 0.0, overlays)
    assert by_fast == 0
    assert n_nodes == 8 * 8 + 4 * 8  # the crossings and the street ends
    assert n_edges == 2 * 8 * 9


def test_a_road_cut_at_its_shared_vertex_keeps_its_own_geometry():
    """Found by review: two crossing roads (cut in numpy) before two roads meeting at a
    shared vertex; every piece then stays coordinates until made, and each edge must get
    its own (a 71 m piece once came out as a 100 m one)."""
    roads = gpd.GeoDataFrame(
        geometry=[
            LineString([(0, 0), (100, 100)]),
            LineString([(0, 100), (100, 0)]),
            LineString([(0, 500), (100, 500), (200, 500)]),
            LineString([(100, 400), (100, 500), (100, 600)]),
        ],
        crs="EPSG:32637",
    )
    edges = build_road_graph(roads).segments
    np.testing.assert_allclose(edges.geometry.length, edges["length_m"], rtol=1e-12)
    assert_same_graph(*node_both(list(roads.geometry), 0.0))


def test_a_way_that_crosses_and_touches_another_is_left_to_geos(overlays):
    street = LineString([(0, 0), (10, 0)])
    way = LineString([(2, -1), (3, 1), (5, 0), (6, -2)])  # crosses, then a vertex on it
    by_fast, n_edges, _ = fast_and_full([street, way], 0.0, overlays)
    assert by_fast == 1
    assert n_edges == 3 + 3  # the street cut twice, the way once more


@pytest.mark.parametrize("street_first", [True, False])
def test_a_segment_crossing_a_way_twice_is_left_to_geos(street_first, overlays):
    street = LineString([(0, 0), (10, 0)])
    way = LineString([(1, -1), (2, 1), (3, -1)])  # one segment of the street, crossed twice
    lines = [street, way] if street_first else [way, street]
    by_fast, n_edges, _ = fast_and_full(lines, 0.0, overlays)
    assert by_fast == 1
    assert n_edges == 3 + 3


def test_a_way_repeating_a_vertex_is_left_to_geos(overlays):
    street = LineString([(0, 0), (10, 0)])
    way = LineString([(5, -5), (5, -2), (5, -2), (5, 5)])  # crosses, repeats a vertex
    assert fast_and_full([street, way], 0.0, overlays)[0] == 1


def test_where_this_machine_computes_crossings_otherwise_geos_cuts_every_pair(
    overlays, monkeypatch
):
    """One bit off GEOS, as a GEOS built with fused multiply-adds can be: the check finds
    it, and every crossing goes to GEOS again."""
    real = crossings.crossing_points

    def a_bit_off(*args):
        xy, found = real(*args)
        return np.nextafter(xy, np.inf), found

    monkeypatch.setattr(crossings, "crossing_points", a_bit_off)
    crossings.agrees_with_geos.cache_clear()
    try:
        assert not crossings.agrees_with_geos()
        calls_before = len(overlays)  # the check's own comparison
        arr = np.array(street_grid(4), dtype=object)
        fast = noding.node_lines(arr, snap_m=0.0)
        assert sum(overlays[calls_before:]) == 16  # every crossing by GEOS
        assert_same_graph(fast, noding.node_lines_full(arr, snap_m=0.0))
    finally:
        crossings.agrees_with_geos.cache_clear()


def test_ways_starting_a_bit_apart_and_crossing_there_give_the_full_graph(overlays):
    """Two ways whose starts are one unit in the last place apart, crossing between them:
    GEOS's overlay snaps that crossing to a start, so it is left to GEOS."""
    a = LineString(
        [(500023.62402821035, 4000038.295894686), (500027.1055348821, 4000037.0364280823)]
    )
    b = LineString([(500023.6240282104, 4000038.295894686), (500038.5741294692, 4000023.31063899)])
    assert fast_and_full([a, b], 0.0, overlays)[0] == 1
    assert_same_graph(*node_both([a, b], 2.0))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("offset", OFFSETS)
def test_layers_that_cross_a_lot_give_the_full_graph(seed, offset):
    """Zigzags, lines through nearly one point, nearly parallel lines and vertices on a
    shared pool jittered by a hair: the fast route is the full route's graph."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(12):  # zigzags crossing one another many times
        lines.append(rng.uniform(0, 100, (int(rng.integers(2, 10)), 2)))
    centre = rng.uniform(40, 60, 2)
    for _ in range(8):  # through nearly one point
        angle = rng.uniform(0, np.pi)
        step = np.array([np.cos(angle), np.sin(angle)]) * 50
        at = centre + rng.normal(0, 10 ** rng.uniform(-12, -3), 2)
        lines.append(np.stack([at - step, at + step]))
    for _ in range(6):  # nearly parallel
        angle = 0.3 + 10 ** rng.uniform(-14, -2) * rng.choice([-1, 1])
        step = np.array([np.cos(angle), np.sin(angle)]) * rng.uniform(10, 200)
        at = centre + rng.normal(0, 10 ** rng.uniform(-13, -4), 2)
        lines.append(np.stack([at - step, at + step]))
    pool = rng.uniform(0, 100, (10, 2))
    for _ in range(10):  # on a pool of points, some a hair off
        k = int(rng.integers(2, 5))
        hair = (rng.random((k, 1)) < 0.5) * rng.normal(0, 10 ** rng.uniform(-10, -1), (k, 2))
        lines.append(pool[rng.integers(0, 10, k)] + hair)
    layer = [LineString(np.asarray(xy) + offset) for xy in lines]
    layer = [line for line in layer if line.length > 0]
    for snap_m in (0.0, 2.0):
        assert_same_graph(*node_both(layer, snap_m))


def test_a_way_crossing_itself_is_left_to_geos_with_what_it_crosses(overlays):
    """GEOS may snap while it nodes a line that crosses itself, so its pairs are GEOS's."""
    loop = LineString([(0, 0), (10, 0), (10, 5), (5, 5), (5, -5)])  # crosses itself
    street = LineString([(-1, 2), (12, 2)])  # crosses the loop twice, mid-segment
    assert fast_and_full([loop, street], 0.0, overlays)[0] == 1


@pytest.mark.parametrize("snap_m", [0.0, 50.0])
def test_ways_with_heights_give_the_full_graph(snap_m):
    """Z coordinates: every piece stays coordinates until made (GEOS's pieces are 2D, so
    no way is kept whole), the pieces of the ways a bridge crosses among the others: the
    edges are made from their rows put in edge order, not in the order they were cut."""
    ways = noded_ways()
    ways.append(LineString([ways[0].coords[0], (450.0, 450.0)]))  # crosses mid-segment
    ways = [LineString(np.c_[np.asarray(w.coords), np.ones(len(w.coords))]) for w in ways]
    fast, full = node_both(ways, snap_m)
    assert_same_graph(fast, full)
    assert len(np.unique(fast.source)) == len(ways)


def test_the_check_of_this_machine_also_locates_points(monkeypatch):
    """A location one bit off GEOS's turns the numpy crossings off too."""
    real = crossings.locate_on_segments
    monkeypatch.setattr(
        crossings, "locate_on_segments", lambda *args: np.nextafter(real(*args), np.inf)
    )
    crossings.agrees_with_geos.cache_clear()
    try:
        assert not crossings.agrees_with_geos()
    finally:
        crossings.agrees_with_geos.cache_clear()
