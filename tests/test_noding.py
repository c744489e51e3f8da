"""Noding: the fast route gives the graph of the full GEOS route.

OSM ways meet at shared vertices. The fast route (``noding.node_lines``) finds those
junctions with numpy and sends only the lines that cross mid-segment, overlap, nearly
touch or receive a snapped end to GEOS; ``noding.node_lines_full`` intersects every
touching pair with GEOS. Both must give the same pieces, lengths, node ids and nodes.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial import cKDTree
from shapely import LineString

from geoaccess.engine import (
    blocks,
    crossings,
    line_split,
    noding,
    segment_grid,
    segment_pairs,
    segments,
    sorting,
)
from geoaccess.engine.roads import build_road_graph
from tests.test_network import roads_of

STEP = 100.0


def assert_same_graph(fast: noding.Noded, full: noding.Noded) -> None:
    """The two routes give identical graphs, and lengths are the pieces' lengths."""
    for name in ("source", "u", "v", "nodes", "lengths"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(full, name), err_msg=name)
    lines = fast.lines.make()
    assert shapely.equals_exact(lines, full.lines.make(), tolerance=0).all()
    np.testing.assert_array_equal(shapely.length(lines), fast.lengths)


def noded_ways(k: int = 5, *, seed: int = 0) -> list[LineString]:
    """OSM-like ways on a jittered k x k junction grid, already noded.

    Each street bends once between junctions and is cut into ways of one or two
    blocks; every way shares a vertex with every street it meets.
    """
    rng = np.random.default_rng(seed)
    junction = np.stack(
        np.meshgrid(np.arange(k) * STEP, np.arange(k) * STEP, indexing="ij"), axis=-1
    ) + rng.uniform(-20, 20, (k, k, 2))
    ways = []
    for street in [junction[:, j] for j in range(k)] + [junction[i, :] for i in range(k)]:
        bends = (street[1:] + street[:-1]) / 2 + rng.uniform(-5, 5, (k - 1, 2))
        path = np.empty((2 * k - 1, 2))
        path[0::2], path[1::2] = street, bends
        cuts = [0, 2, 6, *range(8, 2 * k - 2, 2), 2 * k - 2]
        ways += [LineString(path[a : b + 1]) for a, b in itertools.pairwise(cuts)]
    return ways


def node_both(lines: list, snap_m: float) -> tuple[noding.Noded, noding.Noded]:
    arr = np.array(lines, dtype=object)
    return noding.node_lines(arr, snap_m=snap_m), noding.node_lines_full(arr, snap_m=snap_m)


def test_noded_ways_need_no_geos_overlay(overlays):
    fast = noding.node_lines(np.array(noded_ways(), dtype=object), snap_m=0.0)
    assert sum(overlays) == 0
    _, full = node_both(noded_ways(), 0.0)
    assert sum(overlays) > 0
    assert_same_graph(fast, full)
    # 5 x 5 junctions: 2 * 5 * 4 block edges, each one bend long
    assert len(fast.u) == 40
    assert len(fast.nodes) == 25


@pytest.mark.parametrize("snap_m", [0.0, 50.0])
def test_noded_ways_give_the_graph_of_full_noding(snap_m):
    assert_same_graph(*node_both(noded_ways(6, seed=1), snap_m))


def test_a_crossing_mid_segment_is_still_noded(overlays):
    ways = noded_ways()
    bridge = LineString([ways[0].coords[0], (450.0, 450.0)])  # crosses streets mid-segment
    fast = noding.node_lines(np.array([*ways, bridge], dtype=object), snap_m=0.0)
    by_fast = sum(overlays)
    assert_same_graph(fast, node_both([*ways, bridge], 0.0)[1])
    if crossings.agrees_with_geos():
        assert by_fast == 0  # the bridge only crosses: found in numpy
    else:
        assert 0 < by_fast < len(ways)  # only the pairs with the bridge, by GEOS
    junctions = np.flatnonzero(np.bincount(np.r_[fast.u, fast.v]) == 4)
    assert len(junctions) > len(noded_ways()) // 4  # new junctions along the bridge


def test_a_touch_off_a_vertex_is_left_to_geos(overlays):
    """A way ending on a street between its vertices: GEOS finds that meeting."""
    ways = noded_ways()
    street = LineString([(0.0, -300.0), (1000.0, -300.0)])
    spur = LineString([(500.0, -300.0), (500.0, -500.0)])  # ends on the street
    fast = noding.node_lines(np.array([*ways, street, spur], dtype=object), snap_m=0.0)
    assert sum(overlays) == 1  # the fast route: the street and the spur only
    assert_same_graph(fast, node_both([*ways, street, spur], 0.0)[1])
    assert len(fast.u) == len(node_both(ways, 0.0)[0].u) + 3


@pytest.mark.parametrize("snap_m", [0.0, 50.0])
def test_ways_taken_as_noded_give_the_full_graph_without_any_check(snap_m, overlays, monkeypatch):
    """Ways that meet only at shared vertices: ``noded=True`` is the full route's graph."""

    def no_check(*args, **kwargs):
        raise AssertionError("noded=True looks for crossings")

    monkeypatch.setattr(segments, "check_segments", no_check)
    arr = np.array(noded_ways(6, seed=1), dtype=object)
    taken = noding.node_lines(arr, snap_m=snap_m, noded=True)
    assert sum(overlays) == 0
    assert_same_graph(taken, noding.node_lines_full(arr, snap_m=snap_m))


def test_a_bridge_taken_as_noded_joins_nothing_it_passes_over():
    ways = noded_ways()
    bridge = LineString([ways[0].coords[0], (450.0, 450.0)])  # crosses streets mid-segment
    arr = np.array([*ways, bridge], dtype=object)
    taken = noding.node_lines(arr, snap_m=0.0, noded=True)
    assert len(taken.u) == 40 + 1  # the 40 blocks, and the bridge whole
    assert len(taken.nodes) == 25 + 1  # the junctions, and the bridge's far end
    assert shapely.equals_exact(taken.lines.make()[taken.source == len(ways)], bridge, 0).all()
    assert len(noding.node_lines(arr, snap_m=0.0).u) > 41  # checked: cut at every crossing


def test_plain_crossing_is_noded_into_four_pieces():
    fast, full = node_both(
        [LineString([(0, 0), (200, 0)]), LineString([(100, -100), (100, 100)])], 0.0
    )
    assert_same_graph(fast, full)
    assert fast.lengths.tolist() == [100.0] * 4
    assert [100.0, 0.0] in fast.nodes.tolist()


def test_t_junction_within_snap_m_is_snapped_onto_the_street():
    street = LineString([(0, 0), (50, 3), (200, 0)])
    lane = LineString([(100, 120), (100, 20)])  # stops 20 m short of the street
    fast, full = node_both([street, lane], 50.0)
    assert_same_graph(fast, full)
    assert len(fast.u) == 3  # the street is cut where the lane's end lands
    assert np.bincount(np.r_[fast.u, fast.v]).max() == 3
    lone, _ = node_both([street, lane], 10.0)
    assert len(lone.u) == 2


def test_a_snapped_end_moves_onto_the_street_and_the_street_stays():
    """A lane stopping 20 m short south of a street: its dangling end (numbered before
    the street's new junction, lying further south) and the junction merge into one
    node, which keeps the coordinates of the better-connected of the two, the street's
    junction; the lane is drawn onto it and the street stays straight."""
    street = LineString([(0, 0), (200, 0)])
    lane = LineString([(100, -120), (100, -20)])
    fast, full = node_both([street, lane], 50.0)
    assert_same_graph(fast, full)
    nodes = fast.nodes.tolist()
    assert [100.0, 0.0] in nodes
    assert [100.0, -20.0] not in nodes
    assert sorted(fast.lengths.tolist()) == [100.0, 100.0, 120.0]


def test_t_junction_off_a_vertex_is_noded_without_snapping():
    fast, full = node_both([LineString([(0, 0), (200, 0)]), LineString([(100, 0), (100, 80)])], 0.0)
    assert_same_graph(fast, full)
    assert len(fast.u) == 3


@pytest.mark.parametrize(
    "lines",
    [
        # overlapping ways: the overlap is kept by both (parallel edges)
        [[(0, 0), (100, 0), (200, 0)], [(100, 0), (200, 0), (300, 0)]],
        # a way passing the same junction twice, and a ring meeting a street
        [[(0, 0), (100, 0), (100, 100), (0, 100), (100, 0), (200, 0)], [(100, 0), (100, -50)]],
        [[(0, 0), (50, 50), (0, 100), (-50, 50), (0, 0)], [(0, 0), (0, -80)]],
        # a repeated vertex, and a way doubling back on itself
        [[(0, 0), (0, 0), (100, 0)], [(50, 0), (50, 50), (50, 20), (60, 20)]],
        # near miss: an end a micrometre from another way
        [[(0, 0), (100, 0)], [(50, 1e-6), (50, 90)]],
    ],
)
@pytest.mark.parametrize("snap_m", [0.0, 30.0])
def test_awkward_ways_give_the_graph_of_full_noding(lines, snap_m):
    assert_same_graph(*node_both([LineString(c) for c in lines], snap_m))


@given(
    ways=st.lists(st.lists(st.integers(0, 8), min_size=2, max_size=6), min_size=1, max_size=10),
    scale=st.sampled_from([0.1, 1.0, 37.5]),
    snap_m=st.sampled_from([0.0, 0.15, 2.0]),
)
def test_property_both_routes_give_the_same_graph(ways, scale, snap_m):
    """Ways through a shared pool of 9 points (1/3 of them on a line): every junction,
    overlap, crossing, repeated vertex and T the two routes may disagree on."""
    pool = np.array([[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 2], [0, 2], [1, 3], [3, 1]])
    lines = np.array([LineString(pool[w] * scale + (5e5, 4e6)) for w in ways], dtype=object)
    lines = lines[shapely.length(lines) > 0]
    if len(lines):
        assert_same_graph(*node_both(list(lines), snap_m))


def test_build_road_graph_keeps_the_road_of_each_piece():
    ways = noded_ways()
    graph = build_road_graph(roads_of(*ways, name=[f"w{i}" for i in range(len(ways))]))
    assert graph.n_edges == 40
    src = np.array(ways, dtype=object)[graph.segments["road"].to_numpy()]
    assert shapely.covers(src, graph.lines).all()
    assert (graph.segments["name"] == [f"w{r}" for r in graph.segments["road"]]).all()


# --- the segment check ------------------------------------------------------------------


def flagged(*lines) -> list[list[int]]:
    coords, which = shapely.get_coordinates([LineString(c) for c in lines], return_index=True)
    return segments.check_segments(coords, which).pairs.tolist()


def test_check_segments_flags_what_is_not_a_shared_vertex():
    assert flagged([(0, 0), (10, 0)], [(10, 0), (10, 10)]) == []  # shared end
    assert flagged([(0, 0), (5, 0), (10, 0)], [(5, -5), (5, 0), (5, 5)]) == []  # shared inner
    assert flagged([(0, 0), (10, 0)], [(5, -5), (5, 5)]) == [[0, 1]]  # crossing
    assert flagged([(0, 0), (10, 0)], [(5, 0), (5, 5)]) == [[0, 1]]  # T off a vertex
    assert flagged([(0, 0), (10, 0)], [(0, 0), (20, 0)]) == [[0, 1]]  # overlap from a vertex
    assert flagged([(0, 0), (10, 0)], [(5, 1e-9), (5, 5)]) == [[0, 1]]  # near miss
    assert flagged([(0, 0), (10, 0)], [(5, 1), (5, 5)]) == []  # apart


def test_check_segments_cuts_long_segments_into_cells():
    """A long segment crossing many short ones is compared with each of them."""
    short = [[(x, -1), (x, 1)] for x in range(1, 100)]
    pairs = flagged([(0, 0), (100, 0)], *short)
    assert pairs == [[0, i] for i in range(1, 100)]


def pooled_ways(
    rng: np.random.Generator, *, n_ways: int, n_pool: int, long_share: float | None = None
) -> list[LineString]:
    """Ways of 2-4 vertices in a 200 m square at UTM size, each vertex drawn from a pool
    of ``n_pool`` points (shared vertices, touches) or anywhere; with ``long_share``, that
    share of ways ends up to 2 km away (long: across many cells). Zero-length ways are
    left out."""
    origin = np.array([5e5, 4e6])
    pool = rng.uniform(0, 200, (n_pool, 2)).round(1) + origin
    lines = []
    for _ in range(n_ways):
        k = int(rng.integers(2, 5))
        xy = np.where(
            rng.random((k, 1)) < 0.5,
            pool[rng.integers(0, len(pool), k)],
            rng.uniform(0, 200, (k, 2)) + origin,
        )
        if long_share is not None and rng.random() < long_share:
            xy[-1] = xy[0] + rng.uniform(-2000, 2000, 2)
        lines.append(LineString(xy))
    return [line for line in lines if line.length > 0]


def every_segment_pair(lines: list[LineString]) -> tuple[np.ndarray, ...]:
    """Every pair of segments (no grid), classified: the segments (named by the coordinate
    each starts at), their lines, and what the pair does (``segment_pairs.CLEAN``...)."""
    coords, which = shapely.get_coordinates(lines, return_index=True)
    vid, _ = segments.factorize_xy(coords)
    start = np.flatnonzero(which[1:] == which[:-1])
    start = start[vid[start] != vid[start + 1]]
    i, j = np.triu_indices(len(start), k=1)
    scale = float(np.abs(coords).max())
    x, y = np.ascontiguousarray(coords[:, 0]), np.ascontiguousarray(coords[:, 1])
    ends = segment_pairs.Ends(x, y, vid, segment_pairs.NEAR * scale)
    seg_a, seg_b = start[i], start[j]
    return seg_a, seg_b, which[seg_a], which[seg_b], ends.classify(seg_a, seg_b)


def every_pair_flagged(lines: list[LineString]) -> tuple[set, set]:
    """What ``check_segments`` should find, by classifying every pair of segments."""
    _, _, li, lj, kind = every_segment_pair(lines)
    bad = kind != segment_pairs.CLEAN
    li, lj = li[bad], lj[bad]
    return {(a, b) for a, b in zip(li.tolist(), lj.tolist(), strict=True) if a != b}, set(
        li[li == lj].tolist()
    )


@pytest.mark.parametrize("seed", range(4))
def test_check_segments_finds_what_comparing_every_pair_finds(seed):
    """Hundreds of ways crossing, touching and sharing vertices in one small square, with
    long ways across many cells: the grid pairs up every pair that comparing all of them
    flags, and no other."""
    lines = pooled_ways(np.random.default_rng(seed), n_ways=150, n_pool=60, long_share=0.1)
    coords, which = shapely.get_coordinates(lines, return_index=True)
    check = segments.check_segments(coords, which)
    pairs, self_lines = every_pair_flagged(lines)
    assert set(check.self_lines.tolist()) == self_lines
    found = {tuple(p) for p in check.pairs.tolist()}
    assert found >= {(min(p), max(p)) for p in pairs}
    if not self_lines:
        assert found == {(min(p), max(p)) for p in pairs}
    assert len(pairs) > 50  # the ways do meet off shared vertices


def test_tiny_segments_beside_long_roads_keep_the_grid_small():
    """Most segments a tenth of a millimetre long (a densified curve), five roads 10 km
    long, in a local CRS near 0: cells twice the median segment would cut each road into
    25 million boxes. Cells of at least a quarter of the mean segment keep the grid
    within twenty rows per segment (five boxes, each in at most four cells), and the
    check still finds the 40 tiny segments crossing a road, as comparing every pair
    does."""
    rng = np.random.default_rng(5)
    across = [LineString([(x, 3000 - 5e-5), (x, 3000 + 5e-5)]) for x in rng.uniform(1, 9999, 40)]
    apart = [LineString([(x, y), (x + 1e-4, y)]) for x, y in rng.uniform(0, 9999, (260, 2))]
    roads = [LineString([(0, y), (10000, y)]) for y in (1000, 3000, 6000, 8000, 9000)]
    assert (
        min(abs(way.coords[0][1] - y) for way in apart for y in (1000, 3000, 6000, 8000, 9000)) > 1
    )
    lines = across + apart + roads
    coords, which = shapely.get_coordinates(lines, return_index=True)
    start = np.flatnonzero(which[1:] == which[:-1])
    x, y = np.ascontiguousarray(coords[:, 0]), np.ascontiguousarray(coords[:, 1])
    grid = segment_grid.Grid.of(x, y, start, pad=segment_pairs.NEAR * float(np.abs(coords).max()))
    assert len(grid.key) <= 20 * len(start)
    found = {tuple(p) for p in segments.check_segments(coords, which).pairs.tolist()}
    pairs, self_lines = every_pair_flagged(lines)
    assert found == {(min(p), max(p)) for p in pairs}
    assert found == {(i, 301) for i in range(40)}
    assert self_lines == set()


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("repeat", [False, True])
def test_a_line_back_at_its_start_is_a_self_line_even_below_squaring(repeat):
    """Steps of 1e-170 square to zero, so the turn's determinant and dot product say
    nothing (and measuring the distance divides by zero, hence the warning): the
    return to the very same coordinate still makes the line meet itself."""
    line = [(0, 0), *([(0, 0)] if repeat else []), (1e-170, 0), (0, 0)]
    coords, which = shapely.get_coordinates([LineString(line)], return_index=True)
    assert segments.check_segments(coords, which).self_lines.tolist() == [0]


@pytest.mark.parametrize(("block", "part"), [(5, 10**9), (64, 10**9), (10**9, 1), (16, 40)])
def test_check_segments_gives_one_answer_whatever_its_blocks_and_parts(block, part, monkeypatch):
    """The elementwise steps run block by block (16,000 entries at a time), and the grid
    is read in parts of whole cells (about 65,536 rows each); with blocks of 5 to 64
    entries and parts of 1 to 40 rows, far more than one per step, the ways of the
    every-pair test (some meeting themselves) and a street grid are flagged exactly as
    with one block and one part for everything."""
    rng = np.random.default_rng(11)
    pool = rng.uniform(0, 200, (60, 2)).round(1)
    ways = [
        LineString(pool[rng.integers(0, len(pool), int(rng.integers(2, 5)))]) for _ in range(150)
    ]
    ways = [way for way in ways if way.length > 0]
    streets = [LineString([(x, 0), (x, 50), (x + 1, 100)]) for x in range(0, 100, 10)]
    streets += [LineString([(0, y), (50, y + 1e-9), (100, y)]) for y in range(5, 100, 10)]
    self_lines = []
    for lines in (ways, streets):
        coords, which = shapely.get_coordinates(lines, return_index=True)
        monkeypatch.setattr(blocks, "BLOCK", 10**9)
        monkeypatch.setattr(segment_grid, "_PART", 10**9)
        whole = segments.check_segments(coords, which)
        monkeypatch.setattr(blocks, "BLOCK", block)
        monkeypatch.setattr(segment_grid, "_PART", part)
        pieces = segments.check_segments(coords, which)
        assert len(whole.pairs) > 20
        for field in ("pairs", "self_lines", "repeated"):
            np.testing.assert_array_equal(getattr(pieces, field), getattr(whole, field))
        self_lines.append(len(whole.self_lines))
    assert self_lines[0] > 0  # the second pass, for lines meeting themselves, runs too


def test_check_segments_flags_ends_nearer_than_the_tolerance():
    """An end 5e-9 of the coordinates' size from another way (5e-8 at 10) may be snapped
    by GEOS: it is paired and flagged, an end 2e-7 of their size away is not."""
    assert flagged([(0, 0), (10, 0)], [(5, 5e-8), (5, 5)]) == [[0, 1]]
    assert flagged([(0, 0), (10, 0)], [(5, 2e-6), (5, 5)]) == []


@pytest.mark.parametrize("offset", [(5e5 + 0.3, 4e6 + 0.1), (-1.8e7 + 0.7, 9e6 + 0.6)])
def test_near_misses_are_flagged_at_the_size_of_projected_coordinates(offset):
    """At UTM northings and web-mercator coordinates the tolerance is 1e-8 of the
    coordinates' size (4 and 18 cm here). An end 3 cm, or 0.8 of the tolerance, from a
    way is paired and flagged; ends 1 m and 4 m away, a shared vertex, and a way going
    on in line 40 cm after another ends are not (boxes rounded to float32, with steps
    of 0.25 to 2 m there, once paired such ways)."""
    ox, oy = offset
    tol = 1e-8 * max(abs(ox), abs(oy))

    def near(dy):
        return flagged([(ox, oy), (ox + 10, oy)], [(ox + 5, oy + dy), (ox + 5, oy + 5)])

    assert near(0.03) == near(0.8 * tol) == [[0, 1]]
    assert near(1.0) == near(4.0) == []
    assert flagged([(ox, oy), (ox + 5, oy), (ox + 10, oy)], [(ox + 5, oy), (ox + 5, oy + 5)]) == []
    way = [(ox, oy), (ox + 10, oy)]
    assert flagged(way, [(ox + 10.4, oy), (ox + 20, oy)]) == []
    assert flagged(way, [(ox + 10 + 0.5 * tol, oy), (ox + 20, oy)]) == [[0, 1]]


@pytest.mark.parametrize("repeat", [False, True])
def test_check_segments_flags_a_line_doubling_back_or_nearly(repeat):
    """A line turning back over its own segment meets itself there; so does one whose
    turn comes back within the tolerance (1e-7 at 10), and not one 2e-6 away. Checked
    with every segment non-zero (consecutive segments are compared through slices) and
    with a repeated vertex in each line (compared one pair at a time)."""

    def self_lines(*lines):
        lines = [[p, *([p] if repeat else []), *rest] for p, *rest in lines]
        coords, which = shapely.get_coordinates([LineString(c) for c in lines], return_index=True)
        check = segments.check_segments(coords, which)
        assert check.repeated.tolist() == (list(range(len(lines))) if repeat else [])
        return check.self_lines.tolist()

    assert self_lines([(0, 0), (10, 0), (5, 0)]) == [0]  # back over itself
    assert self_lines([(0, 0), (10, 0), (5, 5e-8)]) == [0]  # back, nearly
    assert self_lines([(0, 0), (10, 0), (5, 2e-6)]) == []  # back, but apart
    assert self_lines([(0, 0), (10, 0), (10, 10)]) == []  # a turn
    assert self_lines([(0, 0), (10, 0), (10, 10)], [(20, 0), (30, 0), (25, 5e-8)]) == [1]


@given(
    keys=st.lists(st.integers(0, 2**62), max_size=60),
    bits=st.sampled_from([8, 16, 17, 32, 33, 48, 49, 62]),
)
def test_property_sorted_order_is_a_stable_argsort(keys, bits):
    """Radix-sorted keys of 1, 2 and 3 digits, and argsorted larger ones: as numpy's
    stable argsort, ties in their first order."""
    key = np.array([k % (2**bits) for k in keys] * 2, dtype=np.int64)  # ties for sure
    expected = np.argsort(key, kind="stable")
    got_key, got_order = sorting.sorted_order(key)
    np.testing.assert_array_equal(got_order, expected)
    np.testing.assert_array_equal(got_key, key[expected])


def tiny_lines(n: int, *, seed: int = 0) -> np.ndarray:
    """``n`` lines of a few centimetre-long segments within a metre, at UTM coordinates."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        steps = rng.uniform(-1, 1, (int(rng.choice([2, 2, 2, 3, 5, 10])), 2)) / 15
        lines.append(LineString(rng.uniform(0, 1, 2) + np.cumsum(steps, axis=0) + [4e6, 5e5]))
    return np.array(lines, dtype=object)


def test_grid_cells_are_never_finer_than_four_paddings():
    """Hundreds of tiny lines crowded into a square metre: the segment check's cells stop
    halving at four times the boxes' padding (1e-8 of the coordinates, 4 cm here), where
    finer cells would cut the padded boxes instead of parting them. Before, 400 such lines
    made the cells 1.25 mm wide and the grid 185 million rows (a minute; 600 lines ran out
    of memory); the fast route still gives the full route's graph."""
    for n in (300, 400):
        coords, vline = shapely.get_coordinates(tiny_lines(n), return_index=True)
        start = np.flatnonzero(vline[1:] == vline[:-1])
        scale = float(np.abs(coords).max())
        pad = segment_pairs.NEAR * scale
        grid = segment_grid.Grid.of(coords[:, 0], coords[:, 1], start, pad=pad)
        assert grid.size >= 4 * pad
        assert len(grid.key) < 4 * len(start)
    lines = tiny_lines(600)
    for snap_m in (0.0, 2.0):
        assert_same_graph(
            noding.node_lines(lines, snap_m=snap_m), noding.node_lines_full(lines, snap_m=snap_m)
        )


def test_close_pairs_are_never_missed():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1, (4000, 2)) * 1e3 + 5e5
    for digits in range(3):  # coordinates rounded to 1, 0.1 and 0.01 m share x values
        xy[digits::4] = np.round(xy[digits::4], digits)
    xy = np.unique(xy, axis=0)  # sorted by x then y, as the nodes are
    for tol in (1e-3, 0.5, 3.0):
        pairs = cKDTree(xy).query_pairs(tol * (1 - 1e-12), output_type="ndarray")
        assert segments.close_candidates(xy, tol)[pairs].all()
    lattice = np.unique(
        np.stack(np.meshgrid(np.arange(50.0), np.arange(50.0)), -1).reshape(-1, 2), axis=0
    )
    assert not segments.close_candidates(lattice, 0.5).any()
    assert segments.close_candidates(lattice, 1.0).all()


@pytest.mark.parametrize("runs", [1, 40])
def test_sorted_order_of_keys_in_sorted_runs(runs):
    """Keys that come in long sorted runs (segments in line order, in their grid cells)
    are merged by numpy's stable argsort: its order, ties in their first order."""
    rng = np.random.default_rng(runs)
    key = np.concatenate([np.sort(rng.integers(0, 2**10, 4_000)) for _ in range(runs)])
    assert np.count_nonzero(key[1:] < key[:-1]) * sorting._RUN < len(key)
    got_key, got_order = sorting.sorted_order(key)
    expected = np.argsort(key, kind="stable")
    np.testing.assert_array_equal(got_order, expected)
    np.testing.assert_array_equal(got_key, key[expected])


def test_xy_order_where_most_pairs_share_their_x():
    """Pairs on few x values (the crossings of a street grid), -0.0 among them: in the
    order of ``np.lexsort((y, x))``, equal pairs in any order."""
    rng = np.random.default_rng(5)
    xy = np.c_[rng.integers(-30, 30, 20_000) * 0.5, rng.integers(-60, 60, 20_000) * 0.25]
    xy[:50, 0] = -0.0
    xy[50:100, 1] = -0.0
    assert segments._few_xs(xy[:, 0])
    order = segments.xy_order(xy)
    np.testing.assert_array_equal(np.sort(order), np.arange(len(xy)))  # every row once
    expected = xy[np.lexsort((xy[:, 1], xy[:, 0]))] + 0.0
    np.testing.assert_array_equal(xy[order] + 0.0, expected)
    spread = rng.uniform(0, 1e4, (20_000, 2))  # hardly a repeated x: the other route
    assert not segments._few_xs(spread[:, 0])
    np.testing.assert_array_equal(
        spread[segments.xy_order(spread)], spread[np.lexsort((spread[:, 1], spread[:, 0]))]
    )


def test_order_along_is_the_lexsort_of_all_its_keys():
    """Rows along lines, ties on distance (a cut on a vertex, two cuts at one point,
    -0.0 and 0.0) and NaN distances: line, distance, vertices first, x, y, then row."""
    rng = np.random.default_rng(7)
    n = 5_000
    line = rng.integers(0, 30, n)
    dist = rng.integers(0, 40, n) * 0.5
    dist[::97] = np.nan
    dist[5::89] = -0.0
    is_vertex = rng.random(n) < 0.3
    xy = rng.integers(0, 3, (n, 2)).astype(float)
    expected = np.lexsort((np.arange(n), xy[:, 1], xy[:, 0], ~is_vertex, dist, line))
    np.testing.assert_array_equal(line_split.order_along(line, dist, is_vertex, xy), expected)


def test_along_paths_of_one_segment_at_most():
    """Paths of one segment and of none (a lone point), a thousand: each path's last value
    is its ``shapely.length``, to the bit (``np.hypot`` would differ in about a sixth of
    them), and a lone point's is 0."""
    rng = np.random.default_rng(8)
    n_rows = 1 + rng.integers(0, 2, 1_000)  # 1 or 2 rows: a lone point or one segment
    tails = np.cumsum(n_rows) - 1
    heads = tails - n_rows + 1
    xy = rng.uniform(-1e5, 1e5, (int(n_rows.sum()), 2)) + 5e5
    along = line_split.distance_along(xy, heads, tails)
    lengths = [
        shapely.length(LineString(xy[h : t + 1])) if t > h else 0.0
        for h, t in zip(heads, tails, strict=True)
    ]
    np.testing.assert_array_equal(along[tails], lengths)
    np.testing.assert_array_equal(along[heads], 0.0)


def test_locate_on_first_segments_block_by_block():
    """Points located on the first segment of their lines, in more than two blocks: the
    numbers of :func:`.crossings.locate_on_segments` on whole arrays."""
    rng = np.random.default_rng(9)
    coords = rng.uniform(0, 1e4, (600, 2)) + 5e5
    head = rng.integers(0, 599, 2 * blocks.BLOCK + 123)
    xy = rng.uniform(0, 1e4, (len(head), 2)) + 5e5
    expected = crossings.locate_on_segments(coords[head], coords[head + 1], xy)
    np.testing.assert_array_equal(line_split.locate_on_first_segments(coords, head, xy), expected)


def test_unique_rows_known_is_unique_rows_of_the_rows_it_is_given():
    """Rows given by a code into a table of distinct pairs, or past it into more pairs
    (some equal to the table's or to each other, one at -0.0, some not used): the same
    distinct pairs (0.0 for -0.0) and the same index of each row as :func:`unique_rows`
    of every row's coordinates."""
    rng = np.random.default_rng(2)
    table = np.unique(rng.integers(1, 20, (40, 2)).astype(float), axis=0)
    more = rng.integers(0, 25, (120, 2)).astype(float)
    more[::2] = table[rng.integers(0, len(table), len(more[::2]))]
    more[1] = (-0.0, 0.0)
    more[-1] = (99.0, 99.0)  # in no row: not a pair of the answer
    code = np.where(
        rng.random(300) < 0.3,
        len(table) + rng.integers(0, len(more) - 1, 300),
        rng.integers(0, len(table), 300),
    )
    code[0] = len(table) + 1
    xy = np.concatenate([table, more])[code]
    got_xy, got_row = noding.unique_rows_known(code, table, more)
    want_xy, want_row = noding.unique_rows(xy)
    np.testing.assert_array_equal(got_xy, want_xy)
    np.testing.assert_array_equal(np.signbit(got_xy), np.signbit(want_xy))  # 0.0, not -0.0
    np.testing.assert_array_equal(got_row, want_row)
    assert (code >= len(table)).sum() > 50 and len(want_xy) < len(xy)


def complex_codes(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and pairs by hashing each pair as one complex number (the plain way)."""
    codes, uniq = pd.factorize(xy[:, 0] + 0.0 + 1j * (xy[:, 1] + 0.0))
    return codes, np.c_[np.real(uniq), np.imag(uniq)]


@pytest.mark.parametrize("mix", [None, 0])
def test_factorize_xy_gives_the_codes_of_equal_pairs(mix, monkeypatch):
    """Equal pairs share a code, in order of first appearance, -0.0 is 0.0; with a key
    that cannot tell pairs apart (mix 0: the key is y alone) the check falls back."""
    if mix is not None:
        monkeypatch.setattr(segments, "_MIX", np.uint64(mix))
    rng = np.random.default_rng(7)
    xy = rng.integers(-3, 4, (3000, 2)) * 0.5
    xy[rng.random(3000) < 0.2] *= -1.0  # signed zeros
    codes, pairs = segments.factorize_xy(xy)
    want_codes, want_pairs = complex_codes(xy)
    np.testing.assert_array_equal(codes, want_codes)
    np.testing.assert_array_equal(pairs, want_pairs)
    assert not np.signbit(pairs[pairs == 0]).any()  # one zero, without a sign
    np.testing.assert_array_equal(pairs[codes], xy + 0.0)


# ------------------------------------------------------------ noded per line
#: A street and a bridge over it that share no vertex, and a track crossing the street.
STREET = LineString([(0, 0), (200, 0)])
BRIDGE = LineString([(100, -100), (100, 100)])
TRACK = LineString([(150, -50), (150, 50)])


@pytest.mark.parametrize(
    ("marks", "edges", "nodes"),
    [
        # every crossing a junction: the street cut twice, the bridge and the track once
        ((False, False, False), 3 + 2 + 2, 8),
        # OSM ways: the bridge passes over the street; the track still joins the street
        ((True, True, False), 2 + 1 + 2, 7),
        # all noded: nothing joins (no shared vertex anywhere)
        ((True, True, True), 3, 6),
        # an unmarked line joins every line it crosses: the bridge meets the street,
        # while the marked track passes the marked street by
        ((True, False, True), 2 + 2 + 1, 7),
    ],
)
def test_noded_lines_join_one_another_at_shared_vertices_only(marks, edges, nodes):
    arr = np.array([STREET, BRIDGE, TRACK], dtype=object)
    taken = noding.node_lines(arr, snap_m=0.0, noded=np.array(marks))
    assert (len(taken.u), len(taken.nodes)) == (edges, nodes)
    assert np.isclose(taken.lengths.sum(), 200 + 200 + 100)


def test_a_mask_of_one_value_is_that_value(overlays):
    """Every way marked: the bridge passes over the two streets it crosses (one edge, no
    GEOS overlay); none marked: it is cut at both, as the full route cuts it."""
    ways = np.array([*noded_ways(5, seed=2), BRIDGE], dtype=object)
    bridge = len(ways) - 1
    marked = noding.node_lines(ways, snap_m=50.0, noded=np.full(len(ways), True))
    assert sum(overlays) == 0  # no pair of lines intersected
    assert np.count_nonzero(marked.source == bridge) == 1
    unmarked = noding.node_lines(ways, snap_m=50.0, noded=np.full(len(ways), False))
    assert np.count_nonzero(unmarked.source == bridge) == 3
    assert_same_graph(unmarked, noding.node_lines_full(ways, snap_m=50.0))
    for value, mask in ((True, marked), (False, unmarked)):
        assert_same_graph(mask, noding.node_lines(ways, snap_m=50.0, noded=value))


def test_a_marked_end_on_a_marked_line_joins_it_only_by_snapping():
    """No shared vertex: no junction at snap 0; a dangling end is snapped within snap_m."""
    spur = LineString([(60, 80), (60, 0)])  # ends on the street, off its vertices
    arr = np.array([STREET, spur], dtype=object)
    apart = noding.node_lines(arr, snap_m=0.0, noded=True)
    assert (len(apart.u), len(apart.nodes)) == (2, 4)  # the street whole, the spur apart
    for joined in (
        noding.node_lines(arr, snap_m=50.0, noded=True),  # the dangling end snapped
        noding.node_lines(arr, snap_m=0.0, noded=np.array([True, False])),  # a touch
    ):
        assert (len(joined.u), len(joined.nodes)) == (3, 4)  # the street cut at (60, 0)
        assert [60.0, 0.0] in joined.nodes.tolist()
    # the same when an unmarked road crossing the spur sends it to GEOS: its end is still
    # dangling (the street does not count as touching it) and is snapped
    across = LineString([(30, 40), (90, 40)])
    arr = np.array([STREET, spur, across], dtype=object)
    joined = noding.node_lines(arr, snap_m=50.0, noded=np.array([True, True, False]))
    assert [60.0, 0.0] in joined.nodes.tolist()
    assert (joined.source == 0).sum() == 2


@pytest.mark.parametrize(
    "marks",
    [
        [True, True, None],
        pd.array([True, True, None], dtype="boolean"),
        np.array([True, True, False]),
        [1.0, 1.0, np.nan],
    ],
)
def test_the_roads_noded_column_is_read_by_default(marks):
    roads = roads_of(STREET, BRIDGE, TRACK, noded=marks)
    assert build_road_graph(roads, snap_m=0).n_edges == 2 + 1 + 2
    assert build_road_graph(roads, snap_m=0, noded=False).n_edges == 3 + 2 + 2
    assert build_road_graph(roads, snap_m=0, noded=True).n_edges == 3
    assert build_road_graph(roads.drop(columns="noded"), snap_m=0).n_edges == 3 + 2 + 2


@pytest.mark.parametrize(("first", "value"), [(True, "false"), (True, 2), (True, "yes"), (1, 2)])
def test_a_noded_value_that_is_not_a_flag_is_refused(first, value):
    roads = roads_of(STREET, BRIDGE, noded=[first, value])
    with pytest.raises(ValueError, match="noded column holds True or False"):
        build_road_graph(roads)
