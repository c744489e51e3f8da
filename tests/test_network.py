"""Road graph, usability, exposure, supply routes, lifelines and network distances.

Every expected value below is worked out on paper from the geometries built in the test.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely import LineString, MultiLineString, Point, box

import geoaccess as ga
from geoaccess.engine.graph import weighted_csr
from geoaccess.engine.roads import (
    RoadGraph,
    build_road_graph,
    exposed_segments,
    nearest_nodes,
    rear_nodes,
    usable_segments,
)
from geoaccess.engine.routes import (
    SupplyRoutes,
    network_distance,
    supply_routes,
    supply_routes_many,
)

UTM = "EPSG:32637"


def roads_of(*lines, crs=UTM, **columns) -> gpd.GeoDataFrame:
    """A roads layer from LineStrings (coordinate lists are accepted too)."""
    geoms = [g if isinstance(g, shapely.Geometry) else LineString(g) for g in lines]
    return gpd.GeoDataFrame(columns or None, geometry=geoms, crs=crs)


def grid_roads(nx_: int, ny: int, step: float = 100.0) -> gpd.GeoDataFrame:
    """Long straight streets: ``nx_`` north-south and ``ny`` east-west, ``step`` apart."""
    xmax, ymax = (nx_ - 1) * step, (ny - 1) * step
    vertical = [LineString([(i * step, 0), (i * step, ymax)]) for i in range(nx_)]
    horizontal = [LineString([(0, j * step), (xmax, j * step)]) for j in range(ny)]
    return roads_of(*vertical, *horizontal)


def node_at(graph: RoadGraph, x: float, y: float) -> int:
    hit = np.flatnonzero(np.all(graph.nodes == (x, y), axis=1))
    assert len(hit) == 1, f"no single node at {(x, y)}"
    return int(hit[0])


def nx_graph(graph: RoadGraph) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    for u, v, w in zip(graph.u, graph.v, graph.lengths, strict=True):
        if u != v and (not g.has_edge(u, v) or g[u][v]["weight"] > w):
            g.add_edge(int(u), int(v), weight=float(w))
    return g


# --- building ------------------------------------------------------------------------------


def test_plus_crossing_nodes_into_four_segments():
    roads = roads_of([(0, 0), (200, 0)], [(100, -100), (100, 100)], name=["A", "B"])
    graph = build_road_graph(roads)
    assert len(graph.segments) == 4
    assert graph.n_nodes == 5
    assert graph.segments["length_m"].tolist() == [100.0] * 4
    centre = node_at(graph, 100, 0)
    assert graph.degree[centre] == 4
    assert sorted(graph.segments["road"].tolist()) == [0, 0, 1, 1]
    assert (graph.segments.groupby("name")["length_m"].sum() == 200).all()
    assert graph.crs.equals(roads.crs)


def test_lines_are_split_only_at_junctions_not_at_their_vertices():
    bent = [(0, 0), (50, 50), (100, 0), (150, 50)]  # three straight pieces, no junction
    graph = build_road_graph(roads_of(bent))
    assert len(graph.segments) == 1
    assert graph.n_nodes == 2
    assert shapely.get_num_coordinates(graph.segments.geometry.iloc[0]) == 4


@pytest.mark.parametrize(("snap_m", "n_nodes", "joined"), [(50.0, 3, True), (10.0, 4, False)])
def test_ends_30_m_apart_join_only_within_snap(snap_m, n_nodes, joined):
    roads = roads_of([(0, 0), (100, 0)], [(130, 0), (230, 0)])
    graph = build_road_graph(roads, snap_m=snap_m)
    assert graph.n_nodes == n_nodes
    dist = network_distance(graph, np.array([[0.0, 0.0]]))["distance_m"]
    far = np.flatnonzero(np.all(graph.nodes == (230, 0), axis=1))[0]
    # Joined: the second road's end moved onto the first road's end, 130 m long now.
    assert dist[far] == (230.0 if joined else np.inf)
    if joined:
        assert graph.segments["length_m"].tolist() == [100.0, 130.0]


def test_dangling_end_near_a_road_makes_a_junction_on_it():
    roads = roads_of([(0, 0), (200, 0)], [(80, 20), (80, 300)])  # T with a 20 m gap
    graph = build_road_graph(roads, snap_m=50)
    assert len(graph.segments) == 3
    junction = node_at(graph, 80, 0)
    assert graph.degree[junction] == 3
    dist = network_distance(graph, np.array([[0.0, 0.0]]))
    assert dist.loc[node_at(graph, 80, 300), "distance_m"] == 80 + 300


def test_multilinestrings_explode_and_empty_or_zero_length_parts_are_dropped():
    roads = roads_of(
        MultiLineString([[(0, 0), (100, 0)], [(500, 0), (600, 0)]]),
        LineString([(1000, 0), (1000, 0)]),
        LineString(),
        name=["ring road", "dot", "nothing"],
        kind=["primary", "track", "track"],
    )
    roads.index = ["r1", "r2", "r3"]
    graph = build_road_graph(roads)
    assert graph.segments["road"].tolist() == ["r1", "r1"]
    assert graph.segments["name"].tolist() == ["ring road", "ring road"]
    assert graph.segments["kind"].tolist() == ["primary", "primary"]
    assert graph.segments["length_m"].sum() == 200.0
    assert list(graph.segments.index) == [0, 1]


def test_build_does_not_modify_the_input():
    roads = roads_of([(0, 0), (200, 0)], [(100, -100), (100, 100)])
    before = roads.copy()
    build_road_graph(roads)
    assert roads.equals(before)


def test_geographic_and_missing_crs_raise():
    with pytest.raises(ValueError, match="geographic CRS"):
        build_road_graph(roads_of([(36.1, 36.2), (36.2, 36.2)], crs="EPSG:4326"))
    with pytest.raises(ValueError, match="no CRS"):
        build_road_graph(roads_of([(0, 0), (1, 1)], crs=None))


def test_non_line_geometry_raises():
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 0)]), Point(5, 5)], crs=UTM)
    with pytest.raises(ValueError, match="LineString or MultiLineString"):
        build_road_graph(roads)


def test_mismatched_crs_of_origins_raises():
    graph = build_road_graph(roads_of([(0, 0), (100, 0)]))
    origins = gpd.GeoSeries([Point(0, 0)], crs="EPSG:32636")
    with pytest.raises(ValueError, match="reproject"):
        network_distance(graph, origins)


# --- distances -----------------------------------------------------------------------------


def test_grid_distances_are_manhattan_and_match_networkx():
    graph = build_road_graph(grid_roads(5, 4))
    assert len(graph.segments) == 5 * 3 + 4 * 4
    out = network_distance(graph, gpd.GeoSeries([Point(0, 0)], crs=UTM))
    manhattan = graph.nodes[:, 0] + graph.nodes[:, 1]
    np.testing.assert_array_equal(out["distance_m"].to_numpy(), manhattan)
    assert (out["origin"] == 0).all()
    ref = nx.multi_source_dijkstra_path_length(nx_graph(graph), {node_at(graph, 0, 0)})
    assert {int(k): v for k, v in out["distance_m"].items()} == ref


def test_result_frame_shape():
    graph = build_road_graph(grid_roads(3, 3))
    out = ga.network_distance(graph, np.array([[0.0, 0.0]]))
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.index.name == "node"
    assert list(out.index) == list(range(graph.n_nodes))
    assert out.crs.equals(graph.crs)
    assert list(out.columns) == ["distance_m", "origin", "geometry"]
    assert (out.geometry.x.to_numpy() == graph.nodes[:, 0]).all()


def test_nearest_origin_wins_and_snap_distance_is_added():
    graph = build_road_graph(roads_of([(0, 0), (1000, 0)], [(1000, 0), (2000, 0)]))
    origins = gpd.GeoDataFrame(
        geometry=[Point(0, 30), Point(2000, -40)], index=["west", "east"], crs=UTM
    )
    out = network_distance(graph, origins)
    assert out.loc[node_at(graph, 0, 0), ["distance_m", "origin"]].tolist() == [30.0, "west"]
    assert out.loc[node_at(graph, 2000, 0), ["distance_m", "origin"]].tolist() == [40.0, "east"]
    # The middle is 1030 m from the west origin and 1040 m from the east one.
    assert out.loc[node_at(graph, 1000, 0), ["distance_m", "origin"]].tolist() == [
        1030.0,
        "west",
    ]


def test_barrier_cutting_a_road_forces_the_detour():
    # A square block: direct road 0→100 along y=0, detour via y=100 is 300 m.
    roads = roads_of([(0, 0), (100, 0)], [(0, 0), (0, 100), (100, 100), (100, 0)])
    graph = build_road_graph(roads)
    target = node_at(graph, 100, 0)
    free = network_distance(graph, np.array([[0.0, 0.0]]))
    assert free.loc[target, "distance_m"] == 100.0
    wall = LineString([(50, -10), (50, 10)])
    cut = network_distance(graph, np.array([[0.0, 0.0]]), barriers=wall)
    assert cut.loc[target, "distance_m"] == 300.0
    walls = gpd.GeoSeries([wall, box(40, 90, 60, 110)], crs=UTM)
    assert (
        network_distance(graph, np.array([[0.0, 0.0]]), barriers=walls).loc[target, "distance_m"]
        == np.inf
    )


def test_max_m_limits_the_search():
    graph = build_road_graph(roads_of([(0, 0), (100, 0), (200, 0)], [(200, 0), (400, 0)]))
    out = network_distance(graph, np.array([[0.0, 0.0]]), max_m=250)
    assert out["distance_m"].tolist() == [0.0, 200.0, np.inf]
    assert out["origin"].isna().tolist() == [False, False, True]


def test_roads_given_as_a_geodataframe_are_built_first():
    roads = grid_roads(3, 3)
    out = network_distance(roads, gpd.GeoSeries([Point(200, 200)], crs=UTM))
    assert out["distance_m"].max() == 400.0


def test_nearest_nodes_returns_ids_and_straight_line_distances():
    graph = build_road_graph(grid_roads(3, 3))
    ids, dist = nearest_nodes(graph, gpd.GeoSeries([Point(103, 4), Point(-30, -40)], crs=UTM))
    assert ids.tolist() == [node_at(graph, 100, 0), node_at(graph, 0, 0)]
    assert dist.tolist() == [5.0, 50.0]


@given(
    nx_=st.integers(2, 5),
    ny=st.integers(2, 5),
    dropped=st.lists(st.integers(0, 39), max_size=12),
    origins=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=3),
)
def test_property_distances_equal_networkx_on_random_grids(nx_, ny, dropped, origins):
    # Block edges of a grid with uneven spacing; some blocks removed.
    xs = np.cumsum([0, 70, 130, 90, 110])[:nx_]
    ys = np.cumsum([0, 120, 80, 60, 150])[:ny]
    edges = [((xs[i], ys[j]), (xs[i + 1], ys[j])) for i in range(nx_ - 1) for j in range(ny)]
    edges += [((xs[i], ys[j]), (xs[i], ys[j + 1])) for i in range(nx_) for j in range(ny - 1)]
    drop = {d % len(edges) for d in dropped}
    kept = [e for k, e in enumerate(edges) if k not in drop] or edges[:1]
    graph = build_road_graph(roads_of(*kept), snap_m=0)
    starts = np.array([[xs[min(i, nx_ - 1)], ys[min(j, ny - 1)]] for i, j in origins], float)
    out = network_distance(graph, starts)
    ids, snap = nearest_nodes(graph, starts)
    ref = {k: np.inf for k in range(graph.n_nodes)}
    g = nx_graph(graph)
    # networkx from the snapped nodes, plus each origin's snap distance.
    for node, d0 in zip(ids, snap, strict=True):
        for k, d in nx.single_source_dijkstra_path_length(g, int(node)).items():
            ref[k] = min(ref[k], d0 + d)
    np.testing.assert_array_equal(out["distance_m"].to_numpy(), [ref[k] for k in sorted(ref)])


# --- usability and exposure ------------------------------------------------------------------


def test_usable_segments_rules():
    hostile = box(1000, 1000, 3000, 3000)
    roads = roads_of(
        [(0, 500), (4000, 500)],  # 0: clear of everything
        [(1500, 1500), (2500, 1500)],  # 1: inside hostile ground
        [(0, 990), (1010, 990), (1010, 1010), (1020, 1010), (1020, 990), (4000, 990)],
        [(0, 1000), (4000, 1000)],  # 3: along hostile's boundary
        [(5000, 0), (5000, 4000)],  # 4: crosses the front line
    )
    front = LineString([(4500, 2000), (5500, 2000)])
    graph = build_road_graph(roads, snap_m=0)
    by_road = graph.segments["road"].to_numpy()
    usable = usable_segments(graph, hostile=hostile, barriers=front, snap_m=50)
    # Road 2 pokes 10 m into hostile ground (a 10 m x 10 m detour: 30 m inside at most).
    for road, expected in {0: True, 1: False, 2: True, 3: True, 4: False}.items():
        assert usable[by_road == road].all() == expected, road
    assert usable_segments(graph, hostile=None, barriers=None, snap_m=50).all()


def test_a_junction_on_the_barrier_line_is_a_crossing():
    graph = build_road_graph(roads_of([(0, 0), (100, 0)], [(100, 0), (200, 0)]))
    front = LineString([(100, -50), (100, 50)])
    assert not usable_segments(graph, hostile=None, barriers=front, snap_m=50).any()


@pytest.mark.parametrize(("fire_control_m", "exposed"), [(1500.0, True), (2000.0, True)])
def test_road_1_km_from_hostile_is_exposed(fire_control_m, exposed):
    graph = build_road_graph(roads_of([(0, 0), (5000, 0)]))
    hostile = box(0, 1000, 5000, 2000)
    got = exposed_segments(
        graph, hostile=hostile, area=box(-50, -50, 50, 50), fire_control_m=fire_control_m
    )
    assert got.tolist() == [exposed]


@pytest.mark.parametrize(("fire_control_m", "exposed"), [(1500.0, False), (2500.0, True)])
def test_road_2_km_from_hostile_is_not_exposed_at_1500(fire_control_m, exposed):
    graph = build_road_graph(roads_of([(0, 0), (5000, 0)]))
    hostile = box(0, 2000, 5000, 3000)
    got = exposed_segments(
        graph, hostile=hostile, area=box(-50, -50, 50, 50), fire_control_m=fire_control_m
    )
    assert got.tolist() == [exposed]


def test_segment_inside_the_area_is_never_exposed():
    graph = build_road_graph(roads_of([(0, 0), (5000, 0)], [(5000, 0), (5000, 5000)]))
    area = box(-10, -10, 5010, 10)  # holds the first road entirely
    hostile = box(0, 500, 4000, 1000)
    got = exposed_segments(graph, hostile=hostile, area=area, fire_control_m=1500)
    assert got.tolist() == [False, True]
    assert not exposed_segments(graph, hostile=None, area=area, fire_control_m=1500).any()


# --- rear, supply routes, lifelines -----------------------------------------------------------

FRAME = box(-3000, -3000, 2000, 3000)
AREA = box(-100, -100, 100, 100)


def test_rear_nodes_from_the_frame_and_from_anchors():
    # One road reaches the frame's east edge; another stops 500 m short of it.
    graph = build_road_graph(roads_of([(0, 0), (1980, 0)], [(0, 500), (1500, 500)]))
    assert rear_nodes(graph, frame=FRAME, anchors=None, snap_m=50).tolist() == [
        node_at(graph, 1980, 0)
    ]
    anchors = np.array([[1520.0, 500.0], [0.0, 30.0]])
    assert sorted(rear_nodes(graph, frame=FRAME, anchors=anchors, snap_m=50).tolist()) == sorted(
        [node_at(graph, 1500, 500), node_at(graph, 0, 0)]
    )
    assert rear_nodes(graph, frame=FRAME, anchors=np.zeros((0, 2)), snap_m=50).tolist() == [
        node_at(graph, 1980, 0)
    ]


def _routes(graph: RoadGraph, *, usable=None, exposed=None, area=AREA) -> SupplyRoutes:
    n = len(graph.segments)
    rear = rear_nodes(graph, frame=FRAME, anchors=None, snap_m=50)
    return supply_routes(
        graph,
        area=area,
        usable=np.ones(n, bool) if usable is None else usable,
        exposed=np.zeros(n, bool) if exposed is None else exposed,
        rear=rear,
    )


def test_single_bridge_road_is_the_lifeline():
    # area (0,0) -> bridge -> (1000,0) -> (2000,0) at the frame; a dead-end spur at (1000,0).
    graph = build_road_graph(
        roads_of([(0, 0), (1000, 0)], [(1000, 0), (2000, 0)], [(1000, 0), (1000, -800)])
    )
    routes = _routes(graph)
    assert routes.enters and routes.reaches_rear
    assert routes.usable_routes == routes.open_supply_routes == 1
    by_road = graph.segments["road"].to_numpy()
    assert sorted(by_road[routes.lifelines].tolist()) == [0, 1]


def test_two_parallel_roads_give_two_routes_and_no_lifeline():
    west, north = [(0, 0), (1000, 0), (2000, 0)], [(0, 0), (0, 500), (2000, 500)]
    graph = build_road_graph(roads_of(west, north))
    routes = _routes(graph)
    assert routes.usable_routes == 2
    assert routes.lifelines.size == 0
    # Cutting one of them leaves the other as lifeline.
    usable = graph.segments["road"].to_numpy() == 1
    cut = _routes(graph, usable=usable)
    assert cut.usable_routes == 1
    assert sorted(cut.lifelines.tolist()) == np.flatnonzero(usable).tolist()


def test_open_supply_routes_count_only_unexposed_routes():
    graph = build_road_graph(roads_of([(0, 0), (2000, 0)], [(0, 0), (0, 500), (2000, 500)]))
    hostile = box(500, 1500, 1500, 2500)  # 1 km from the northern road, 1.5 km from the other
    exposed = exposed_segments(graph, hostile=hostile, area=AREA, fire_control_m=1200)
    assert graph.segments["road"][exposed].unique().tolist() == [1]
    routes = _routes(graph, exposed=exposed)
    assert (routes.usable_routes, routes.open_supply_routes) == (2, 1)


def test_parallel_segments_between_the_same_junctions_are_two_routes():
    graph = build_road_graph(
        roads_of([(0, 0), (1000, 0)], [(0, 0), (500, 300), (1000, 0)], [(1000, 0), (2000, 0)])
    )
    routes = _routes(graph)
    assert routes.usable_routes == 1  # the last stretch to the frame is shared
    assert graph.segments["road"].iloc[routes.lifelines].tolist() == [2]


def test_road_crossing_the_area_without_a_junction_in_it():
    graph = build_road_graph(roads_of([(-1000, 0), (2000, 0)]))  # east end on the frame
    routes = _routes(graph)
    assert (routes.enters, routes.usable_routes, routes.lifelines.tolist()) == (True, 1, [0])


def test_no_road_enters_or_none_reaches_the_rear():
    graph = build_road_graph(roads_of([(500, 0), (2000, 0)], [(0, 0), (0, 1000)]))
    far_area = box(-2900, -2900, -2800, -2800)
    nothing = _routes(graph, area=far_area)
    assert (nothing.enters, nothing.reaches_rear, nothing.usable_routes) == (False, False, 0)
    assert (nothing.open_supply_routes, nothing.lifelines.size) == (0, 0)
    stranded = _routes(graph)
    assert stranded.enters and not stranded.reaches_rear
    assert (stranded.usable_routes, stranded.lifelines.size) == (0, 0)


@given(
    cut=st.lists(st.integers(0, 39), max_size=10),
    fire=st.lists(st.integers(0, 39), max_size=10),
    at=st.tuples(st.integers(0, 3), st.integers(0, 3)),
)
def test_property_open_routes_known_linked_or_given_contacts_are_the_flow_s(cut, fire, at):
    """What the caller knows (the area is linked; its segments and nodes) spares flows only.

    On a 4 x 4 grid with some blocks unusable and some exposed, the counts and lifelines
    are the same when ``open_linked`` is the truth and ``contact`` is given as when
    every flow runs and the area is queried."""
    xs, ys = np.cumsum([0, 70, 130, 90]), np.cumsum([0, 120, 80, 60])
    edges = [((xs[i], ys[j]), (xs[i + 1], ys[j])) for i in range(3) for j in range(4)]
    edges += [((xs[i], ys[j]), (xs[i], ys[j + 1])) for i in range(4) for j in range(3)]
    graph = build_road_graph(roads_of(*edges), snap_m=0)
    n = graph.n_edges
    usable, exposed = np.ones(n, bool), np.zeros(n, bool)
    usable[[c % n for c in cut]] = False
    exposed[[f % n for f in fire]] = True
    area = box(xs[at[0]] - 20, ys[at[1]] - 20, xs[at[0]] + 20, ys[at[1]] + 20)
    rear = np.array([node_at(graph, xs[-1], ys[-1])])
    masks = {"usable": usable, "exposed": exposed, "rear": rear}
    every_flow = supply_routes(graph, area=area, **masks)
    touching = graph.segment_tree.query(area, predicate="intersects")
    ends = np.unique(np.r_[graph.u[touching], graph.v[touching]])
    known = supply_routes(
        graph,
        area=area,
        **masks,
        open_linked=every_flow.open_supply_routes > 0,
        contact=(touching, ends[shapely.intersects(area, graph.node_points[ends])]),
    )
    assert (known.usable_routes, known.open_supply_routes) == (
        every_flow.usable_routes,
        every_flow.open_supply_routes,
    )
    assert known.lifelines.tolist() == every_flow.lifelines.tolist()


def test_supply_routes_checks_mask_lengths():
    graph = build_road_graph(roads_of([(0, 0), (2000, 0)]))
    with pytest.raises(ValueError, match="one boolean per segment"):
        supply_routes(
            graph, area=AREA, usable=np.ones(3, bool), exposed=np.zeros(1, bool), rear=[1]
        )


coord = st.integers(-500, 500).map(float)


@given(
    lines=st.lists(
        st.lists(st.tuples(coord, coord), min_size=2, max_size=4, unique=True),
        min_size=1,
        max_size=8,
    )
)
def test_property_noding_keeps_every_metre_on_its_source_road(lines):
    roads = roads_of(*lines)
    roads.index = [f"r{i}" for i in range(len(roads))]
    graph = build_road_graph(roads, snap_m=0)
    # No length lost or gained, per road (crossings and touches only split lines).
    per_road = graph.segments.groupby("road")["length_m"].sum()
    expected = roads.length[roads.length > 0]
    np.testing.assert_allclose(per_road.reindex(expected.index).to_numpy(), expected, rtol=1e-9)
    # Each piece lies on its source road, and its ends are its nodes.
    src = roads.geometry.loc[graph.segments["road"]].to_numpy()
    xy, which = shapely.get_coordinates(graph.lines, return_index=True)
    assert (shapely.distance(shapely.points(xy), src[which]) < 1e-6).all()
    np.testing.assert_array_equal(
        shapely.get_coordinates(shapely.get_point(graph.lines, 0)), graph.nodes[graph.u]
    )
    np.testing.assert_array_equal(
        shapely.get_coordinates(shapely.get_point(graph.lines, -1)), graph.nodes[graph.v]
    )


def test_network_distance_over_a_bridge_taken_as_noded():
    """A bridge over a street: joined where they cross, unless the roads are noded."""
    street = LineString([(0, 0), (200, 0)])
    bridge = LineString([(100, -100), (100, 100)])  # passes over the street at (100, 0)
    ramp = LineString([(200, 0), (100, 100)])  # the only way up: from the street's end
    roads = roads_of(street, bridge, ramp)
    origin = np.array([[0.0, 0.0]])
    crossed = ga.network_distance(roads, origin)
    over = ga.network_distance(roads, origin, noded=True)

    def at(result, x, y):
        return result.loc[result.geometry.geom_equals(Point(x, y)), "distance_m"].item()

    assert at(crossed, 100, 100) == pytest.approx(200.0)
    assert at(over, 100, 100) == pytest.approx(200.0 + 100.0 * np.sqrt(2.0))
    assert at(over, 100, -100) == pytest.approx(400.0 + 100.0 * np.sqrt(2.0))
    assert len(over) == 4  # no node at the crossing
    assert len(crossed) == 5


def test_nearest_nodes_breaks_ties_by_the_lowest_node_id_by_scan_and_by_index():
    """Points midway between junctions: a scan (few points) and the node index (many)
    give the same nodes and distances, and a tie goes to the lowest node id."""
    graph = build_road_graph(grid_roads(6, 6))  # junctions every 100 m
    rng = np.random.default_rng(5)
    midway = rng.integers(0, 10, (40, 2)) * 50.0 + 0.0  # on junctions and between them
    few, few_d = nearest_nodes(graph, midway[:10])
    many, many_d = nearest_nodes(graph, midway)  # more than SCAN_NEAREST_UP_TO
    np.testing.assert_array_equal(few, many[:10])
    np.testing.assert_array_equal(few_d, many_d[:10])
    d = np.hypot(*(graph.nodes[None, :, :] - midway[:, None, :]).transpose(2, 0, 1))
    lowest = np.argmax(np.isclose(d, d.min(axis=1, keepdims=True), rtol=0, atol=1e-9), axis=1)
    np.testing.assert_array_equal(many, lowest)
    assert (d.min(axis=1) == 50.0).sum() > 5  # ties between two junctions were asked


def _counted_flows(monkeypatch) -> list[bool]:
    """The flows run from now on, each as whether it looked for lifelines."""
    from geoaccess.engine import routes as routes_module

    runs: list[bool] = []
    real = routes_module.flow_routes_many

    def counted(n_nodes, problems):
        runs.extend(p.with_lifelines for p in problems)
        return real(n_nodes, problems)

    monkeypatch.setattr(routes_module, "flow_routes_many", counted)
    return runs


def test_a_flow_seen_before_is_not_run_again(monkeypatch):
    """With the call's cache, two areas or dates giving one flow the same inputs share
    its answer; other inputs run their own flow."""
    from geoaccess.engine.cache import Cache

    west, north = [(0, 0), (1000, 0), (2000, 0)], [(0, 0), (0, 500), (2000, 500)]
    graph = build_road_graph(roads_of(west, north))
    runs = _counted_flows(monkeypatch)
    n = graph.n_edges
    usable, exposed = np.ones(n, bool), np.zeros(n, bool)
    exposed[np.flatnonzero(graph.segments["road"].to_numpy() == 1)[0]] = True  # north
    rear = rear_nodes(graph, frame=FRAME, anchors=None, snap_m=50)
    cache = Cache()

    def ask(area, usable=usable):
        return supply_routes(
            graph, area=area, usable=usable, exposed=exposed, rear=rear, cache=cache
        )

    first = ask(box(-50, -50, 50, 50))
    again = ask(box(-40, -40, 40, 40))  # another area with the same node inside
    assert (
        (again.usable_routes, again.open_supply_routes)
        == (2, 1)
        == (
            first.usable_routes,
            first.open_supply_routes,
        )
    )
    assert runs == [True, False]  # usable routes with lifelines, then open routes
    cut = ask(box(-50, -50, 50, 50), usable=graph.segments["road"].to_numpy() == 1)
    assert (cut.usable_routes, cut.open_supply_routes) == (1, 0) and len(runs) == 4
    assert not cut.lifelines.flags.writeable  # shared answers are read-only


def test_open_routes_take_no_flow_of_their_own_where_they_are_the_usable_ones(monkeypatch):
    """No usable segment exposed, or one usable path and an open link known: one flow."""
    west, north = [(0, 0), (1000, 0), (2000, 0)], [(0, 0), (0, 500), (2000, 500)]
    graph = build_road_graph(roads_of(west, north))
    runs = _counted_flows(monkeypatch)
    n = graph.n_edges
    rear = rear_nodes(graph, frame=FRAME, anchors=None, snap_m=50)
    area = box(-50, -50, 50, 50)
    unexposed = supply_routes(
        graph, area=area, usable=np.ones(n, bool), exposed=np.zeros(n, bool), rear=rear
    )
    assert (unexposed.usable_routes, unexposed.open_supply_routes, runs) == (2, 2, [True])
    runs.clear()
    # one road to the rear, and an exposed dead end: one usable path, open
    graph = build_road_graph(roads_of(north, [(0, 0), (-300, -300)]))
    spur = graph.segments["road"].to_numpy() == 1
    rear = rear_nodes(graph, frame=FRAME, anchors=None, snap_m=50)
    one_path = dict(area=area, usable=np.ones(len(spur), bool), exposed=spur, rear=rear)
    known = supply_routes(graph, **one_path, open_linked=True)
    assert (known.usable_routes, known.open_supply_routes, runs) == (1, 1, [True])
    runs.clear()
    unknown = supply_routes(graph, **one_path)
    assert (unknown.usable_routes, unknown.open_supply_routes, runs) == (1, 1, [True, False])


def _networkx_routes(graph: RoadGraph, live: np.ndarray, node: int, rear: int) -> int:
    """Edge-disjoint live paths from ``node`` to ``rear``, counted by networkx.

    The rear drains as many paths as it has live roads (one road beyond the map each).
    """
    g = nx.DiGraph()
    for u, v in zip(graph.u[live], graph.v[live], strict=True):
        for a, b in ((u, v), (v, u)):
            capacity = g.edges[a, b]["capacity"] + 1 if g.has_edge(a, b) else 1
            g.add_edge(a, b, capacity=capacity)
    degree = int((graph.u[live] == rear).sum() + (graph.v[live] == rear).sum())
    if node not in g or rear not in g or not degree:
        return 0
    g.add_edge(rear, "sink", capacity=degree)
    return int(nx.maximum_flow_value(g, node, "sink"))


@given(
    cut=st.lists(st.integers(0, 39), max_size=14),
    at=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=5),
)
def test_property_flows_solved_together_are_networkx_s_one_by_one(cut, at):
    """Several areas' flows solved as one network give each area's own answer.

    On a 4 x 4 grid with some blocks cut, each area (a box around one junction) has as
    many usable routes as networkx's maximum flow finds from its junction, and its
    lifelines are the segments whose loss alone leaves it no route; the same with one
    call per area. (An area around the rear junction is at the rear: the same answer
    together and alone, and no lifeline, however few roads reach the junction.)"""
    xs, ys = np.cumsum([0, 70, 130, 90]), np.cumsum([0, 120, 80, 60])
    edges = [((xs[i], ys[j]), (xs[i + 1], ys[j])) for i in range(3) for j in range(4)]
    edges += [((xs[i], ys[j]), (xs[i], ys[j + 1])) for i in range(4) for j in range(3)]
    graph = build_road_graph(roads_of(*edges), snap_m=0)
    n = graph.n_edges
    usable = np.ones(n, bool)
    usable[[c % n for c in cut]] = False
    rear = node_at(graph, xs[-1], ys[-1])
    areas = [box(xs[i] - 20, ys[j] - 20, xs[i] + 20, ys[j] + 20) for i, j in at]
    common = {"usable": usable, "rear": np.array([rear])}
    together = supply_routes_many(
        graph, areas=areas, exposed=[np.zeros(n, bool)] * len(areas), **common
    )
    for (i, j), area, found in zip(at, areas, together, strict=True):
        alone = supply_routes(graph, area=area, exposed=np.zeros(n, bool), **common)
        assert found.usable_routes == alone.usable_routes
        assert found.lifelines.tolist() == alone.lifelines.tolist()
        node = node_at(graph, xs[i], ys[j])
        if node == rear:  # an area holding a rear node is at the rear: no road needed
            assert found.lifelines.size == 0
            continue
        routes = _networkx_routes(graph, usable, node, rear)
        assert found.usable_routes == routes
        lifelines = []
        if routes == 1:
            for e in np.flatnonzero(usable):
                without = usable.copy()
                without[e] = False
                if _networkx_routes(graph, without, node, rear) == 0:
                    lifelines.append(int(e))
        assert found.lifelines.tolist() == lifelines


@given(
    n=st.sampled_from([8, 300, 70_000, 2**20]),  # keys of 1, 2 and 3 radix digits
    edges=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(1, 50)), max_size=40
    ),
    spread=st.integers(1, 2**17),
)
def test_property_the_graph_keeps_the_lightest_of_parallel_edges(n, edges, spread):
    """Each pair of nodes joined by any edges gets one arc each way, of the least length;
    self-loops get none."""
    spread = min(spread, (n - 1) // 7)  # node ids up to 7 * spread < n
    u = np.array([a * spread for a, _, _ in edges], dtype=np.int64)
    v = np.array([b * spread for _, b, _ in edges], dtype=np.int64)
    weight = np.array([float(w) for _, _, w in edges])
    csr = weighted_csr(n, u, v, weight).tocoo()
    expected: dict[tuple[int, int], float] = {}
    for a, b, w in zip(u.tolist(), v.tolist(), weight.tolist(), strict=True):
        if a != b:
            for key in ((a, b), (b, a)):
                expected[key] = min(expected.get(key, np.inf), w)
    arcs = zip(csr.row.tolist(), csr.col.tolist(), strict=True)
    got = dict(zip(arcs, csr.data.tolist(), strict=True))
    assert got == expected
    assert csr.nnz == len(expected)  # one arc per pair and way
