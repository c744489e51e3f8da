"""Vector population allocation, accounting and distance bands."""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given
from hypothesis import strategies as st
from shapely import LineString, Point, box

import geoaccess as ga
from geoaccess.errors import ScenarioError, ScenarioWarning
from geoaccess.population import PopulationAccounting, allocate_population, population_within
from geoaccess.population.people import MAX_CELLS_PER_POLYGON, people_points
from tests.conftest import shared_file

UTM = "EPSG:32637"


def grid(n: int, size: float = 1000.0, people: float = 1000.0, crs: str = UTM):
    """``n``×``n`` square cells of ``size`` m from (0, 0), ``people`` per km²."""
    xs, ys = np.meshgrid(np.arange(n) * size, np.arange(n) * size)
    cells = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + size, ys.ravel() + size)
    per_cell = people * size * size / 1e6
    return gpd.GeoDataFrame({"population": np.full(cells.size, per_cell)}, geometry=cells, crs=crs)


def frame(geoms, crs=UTM, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=crs)


def check_accounting(acc: PopulationAccounting) -> None:
    assert math.isclose(
        acc.input_total, acc.assigned_total + acc.outside_total, rel_tol=1e-9, abs_tol=1e-9
    )


# --------------------------------------------------------------------------- known answers
def test_public_name():
    # ga.allocate_population also dispatches to the Dask path; in process it is this one
    cells, area = grid(2), frame([box(500, 0, 1500, 1000)])
    assert ga.allocate_population(area, cells).tolist() == allocate_population(area, cells).tolist()
    assert ga.population_within is population_within


@pytest.mark.parametrize("radius", [1500.0, 4000.0, 9000.0])
def test_uniform_grid_disc(radius):
    cells = grid(30, size=1000.0)
    disc = frame([Point(15000, 15000).buffer(radius, quad_segs=512)])
    got, acc = allocate_population(disc, cells, return_accounting=True)
    assert got.iloc[0] == pytest.approx(math.pi * (radius / 1000) ** 2 * 1000, rel=5e-3)
    check_accounting(acc)
    assert acc.input_total == pytest.approx(900 * 1000)


def test_half_cell_and_index_alignment():
    cells = frame([box(0, 0, 100, 100)], population=[80.0])
    targets = frame([box(0, 0, 50, 100), box(50, 0, 300, 100)]).set_index(pd.Index(["w", "e"]))
    got = allocate_population(targets, cells)
    assert got.name == "population"
    assert got.to_dict() == {"w": pytest.approx(40.0), "e": pytest.approx(40.0)}


def test_other_column_name_and_series_name():
    cells = frame([box(0, 0, 100, 100)], people=[10.0])
    got = allocate_population(frame([box(0, 0, 100, 100)]), cells, column="people")
    assert got.name == "people" and got.iloc[0] == pytest.approx(10.0)


def test_outside_is_reported():
    cells = frame([box(0, 0, 100, 100), box(500, 0, 600, 100)], population=[10.0, 30.0])
    got, acc = allocate_population(frame([box(0, 0, 100, 50)]), cells, return_accounting=True)
    assert got.iloc[0] == pytest.approx(5.0)
    assert acc.input_total == 40.0
    assert acc.assigned_total == pytest.approx(5.0)
    assert acc.outside_total == pytest.approx(35.0)
    check_accounting(acc)


def test_overlapping_targets_each_get_their_share():
    cells = frame([box(0, 0, 100, 100)], population=[100.0])
    targets = frame([box(0, 0, 60, 100), box(40, 0, 100, 100), box(0, 0, 10, 10)])
    got, acc = allocate_population(targets, cells, return_accounting=True)
    assert got.tolist() == pytest.approx([60.0, 60.0, 1.0])
    assert acc.assigned_total == pytest.approx(100.0)  # unique coverage
    assert acc.outside_total == pytest.approx(0.0, abs=1e-9)
    check_accounting(acc)


def test_inputs_unchanged():
    cells = grid(4)
    targets = frame([box(500, 500, 2500, 2500)])
    before_c, before_t = cells.copy(), targets.copy()
    allocate_population(targets, cells)
    assert_geodataframe_equal(cells, before_c)
    assert_geodataframe_equal(targets, before_t)


def test_empty_targets_and_missing_target_geometry():
    cells = frame([box(0, 0, 100, 100)], population=[10.0])
    got, acc = allocate_population(frame([]), cells, return_accounting=True)
    assert got.empty and acc.outside_total == 10.0
    targets = gpd.GeoDataFrame(geometry=[None, box(0, 0, 100, 100)], crs=UTM)
    assert allocate_population(targets, cells).tolist() == [0.0, 10.0]


def test_pieces_of_an_area_add_up():
    """Arbitrary polygon targets (pockets, area pieces with holes) are handled."""
    cells = grid(10, size=100.0)
    ring = box(0, 0, 1000, 1000).difference(Point(500, 500).buffer(200))
    hole = Point(500, 500).buffer(200)
    got = allocate_population(frame([ring, hole]), cells)
    assert got.sum() == pytest.approx(cells["population"].sum(), rel=1e-12)


# --------------------------------------------------------------------------- points
def test_points_on_shared_boundary_counted_once():
    targets = frame([box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 2, 2)])
    pts = frame(
        [Point(0.5, 0.5), Point(1, 0.5), Point(1, 1), Point(1.5, 1.5), Point(9, 9)],
        population=[1, 2, 4, 8, 16],
    )
    got, acc = allocate_population(targets, pts, return_accounting=True)
    # (1, 0.5) lies on targets 0 and 1 -> 0; (1, 1) lies on all three -> 0
    assert got.tolist() == [7.0, 0.0, 8.0]
    assert (acc.assigned_total, acc.outside_total, acc.source) == (15.0, 16.0, "points")
    check_accounting(acc)


def test_points_in_geographic_crs_are_fine():
    targets = frame([box(36, 36, 37, 37)], crs="EPSG:4326")
    pts = frame([Point(36.5, 36.5)], crs="EPSG:4326", population=[3])
    assert allocate_population(targets, pts).tolist() == [3.0]


# --------------------------------------------------------------------------- dasymetric
def test_dasymetric_mask_moves_people():
    cells = frame([box(0, 0, 200, 100)], population=[100.0])
    halves = frame([box(0, 0, 100, 100), box(100, 0, 200, 100)])
    built_up = frame([box(120, 0, 180, 100)])
    got, acc = allocate_population(halves, cells, mask=built_up, return_accounting=True)
    assert got.tolist() == pytest.approx([0.0, 100.0])
    assert acc.source == "polygons (dasymetric)" and acc.mask_fallback == 0
    check_accounting(acc)


def test_dasymetric_fallback_counted():
    cells = frame([box(0, 0, 200, 100), box(0, 100, 200, 200)], population=[100.0, 50.0])
    halves = frame([box(0, 0, 100, 200), box(100, 0, 200, 200)])
    built_up = frame([box(0, 0, 50, 100), box(20, 0, 40, 50)])  # overlapping mask parts
    got, acc = allocate_population(halves, cells, mask=built_up, return_accounting=True)
    assert got.tolist() == pytest.approx([125.0, 25.0])
    assert acc.mask_fallback == 1
    check_accounting(acc)


# --------------------------------------------------------------------------- errors
def test_geographic_crs_raises_clear_message():
    cells = frame([box(36, 36, 37, 37)], crs="EPSG:4326", population=[1.0])
    with pytest.raises(ScenarioError, match=r"metric CRS, e\.g\. scn\.metric_crs"):
        allocate_population(frame([box(36, 36, 37, 37)], crs="EPSG:4326"), cells)


def test_crs_mismatch_raises():
    cells = grid(2)
    with pytest.raises(ScenarioError, match="different CRSs"):
        allocate_population(frame([box(0, 0, 1, 1)], crs="EPSG:3857"), cells)


def test_missing_crs_and_column_raise():
    cells = grid(2)
    with pytest.raises(ScenarioError, match="no CRS"):
        allocate_population(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), cells)
    with pytest.raises(ScenarioError, match="'people' column"):
        allocate_population(frame([box(0, 0, 1, 1)]), cells, column="people")


def test_bad_values_listed():
    cells = frame([box(0, 0, 1, 1), box(1, 0, 2, 1)], population=[-1.0, np.nan])
    with pytest.raises(ScenarioError, match="2 problems") as info:
        allocate_population(frame([box(0, 0, 2, 1)]), cells)
    assert [p.row for p in info.value.problems] == [0, 1]


def test_mixed_geometry_types_raise():
    mixed = frame([box(0, 0, 1, 1), Point(0, 0)], population=[1.0, 1.0])
    with pytest.raises(ScenarioError, match="all points or all polygons"):
        allocate_population(frame([box(0, 0, 1, 1)]), mixed)


def test_invalid_geometry_repaired_with_warning():
    bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    cells = frame([box(0, 0, 2, 2)], population=[8.0])
    with pytest.warns(ScenarioWarning, match="repaired"):
        got = allocate_population(frame([bowtie]), cells)
    assert got.iloc[0] == pytest.approx(4.0)


# --------------------------------------------------------------------------- distance bands
def test_population_within_points_known_distances():
    front = gpd.GeoSeries([LineString([(0, -50000), (0, 50000)])], crs=UTM)
    pts = frame(
        [Point(d, 0) for d in (0, 999, 1000, 1001, 2999, 9999, 10000, 10001, -20000)],
        population=[1, 2, 4, 8, 16, 32, 64, 128, 256],
    )
    out = population_within(pts, front)
    assert out["band"].tolist() == ["0-1 km", "1-3 km", "3-10 km", "beyond 10 km"]
    assert out["population"].tolist() == [7.0, 24.0, 96.0, 384.0]
    assert out["upper_m"].iloc[-1] == np.inf
    assert out["population"].sum() == pts["population"].sum()


def test_population_within_polygons_and_custom_bands():
    cells = grid(20, size=500.0)  # 10 km x 10 km, 1,000 per km²
    front = gpd.GeoSeries([LineString([(0, 0), (0, 10000)])], crs=UTM)
    out = population_within(cells, front, (500, 2000))
    assert out["band"].tolist() == ["0-0.5 km", "0.5-2 km", "beyond 2 km"]
    assert out["population"].tolist() == pytest.approx([5000.0, 15000.0, 80000.0], rel=1e-3)
    assert out["population"].sum() == pytest.approx(cells["population"].sum(), rel=1e-12)


def test_population_within_no_features_and_bad_bands():
    pts = frame([Point(0, 0)], population=[5])
    out = population_within(pts, gpd.GeoSeries([], crs=UTM))
    assert out["population"].tolist() == [0.0, 0.0, 0.0, 5.0]
    with pytest.raises(ValueError, match="strictly increasing"):
        population_within(pts, gpd.GeoSeries([Point(0, 0)], crs=UTM), (3000, 1000))


# --------------------------------------------------------------------------- invariants
cuts = st.lists(st.integers(1, 99).map(lambda k: k / 100), max_size=4, unique=True)


def tiling(xcuts, ycuts, extent=(0.0, 0.0, 5000.0, 5000.0)):
    x0, y0, x1, y1 = extent
    xs = [x0, *sorted(x0 + c * (x1 - x0) for c in xcuts), x1]
    ys = [y0, *sorted(y0 + c * (y1 - y0) for c in ycuts), y1]
    return [box(a, b, c, d) for a, c in itertools.pairwise(xs) for b, d in itertools.pairwise(ys)]


@given(xcuts=cuts, ycuts=cuts)
def test_conservation_on_random_tilings(xcuts, ycuts):
    cells = grid(5, size=1000.0)
    cells["population"] = np.arange(25, dtype=float) * 37.5
    got, acc = allocate_population(frame(tiling(xcuts, ycuts)), cells, return_accounting=True)
    total = cells["population"].sum()
    assert got.sum() == pytest.approx(total, rel=1e-9)
    assert acc.outside_total == pytest.approx(0.0, abs=1e-9 * total)
    check_accounting(acc)


@given(xcuts=cuts, ycuts=cuts, shift=st.floats(-3000, 3000))
def test_partial_cover_accounting_adds_up(xcuts, ycuts, shift):
    cells = grid(5, size=1000.0)
    tiles = frame(tiling(xcuts, ycuts, (shift, 1000.0, shift + 4000.0, 7000.0)))
    got, acc = allocate_population(tiles, cells, return_accounting=True)
    check_accounting(acc)
    assert got.sum() == pytest.approx(acc.assigned_total, rel=1e-9, abs=1e-9)


@given(cut=st.floats(0.05, 0.95), vertical=st.booleans())
def test_splitting_a_target_keeps_the_sum(cut, vertical):
    cells = grid(6, size=1000.0)
    target = Point(3000, 3000).buffer(2200)
    x0, y0, x1, y1 = target.bounds
    if vertical:
        xc = x0 + cut * (x1 - x0)
        halves = [target & box(x0, y0, xc, y1), target & box(xc, y0, x1, y1)]
    else:
        yc = y0 + cut * (y1 - y0)
        halves = [target & box(x0, y0, x1, yc), target & box(x0, yc, x1, y1)]
    whole = allocate_population(frame([target]), cells).iloc[0]
    parts = allocate_population(frame(halves), cells).sum()
    assert parts == pytest.approx(whole, rel=1e-9)


@given(cx=st.floats(1000, 4000), cy=st.floats(1000, 4000), r=st.floats(200, 1500))
def test_same_answer_whatever_the_projected_crs(cx, cy, r):
    origin = (500000.0, 4000000.0)  # UTM 37N, near Aleppo
    cells = grid(5, size=1000.0)
    cells = cells.set_geometry(cells.translate(*origin))
    disc = frame([Point(origin[0] + cx, origin[1] + cy).buffer(r)])
    in_utm = allocate_population(disc, cells).iloc[0]
    other = "EPSG:22770"  # Deir ez Zor / Syria Lambert
    in_other = allocate_population(disc.to_crs(other), cells.to_crs(other)).iloc[0]
    assert in_other == pytest.approx(in_utm, rel=1e-3, abs=1e-6)


targets_for_cells = {
    "disc": Point(2500, 2500).buffer(1800, quad_segs=5),
    "clockwise with hole": shapely.reverse(
        Point(2500, 2500).buffer(2000, quad_segs=3).difference(box(1000, 1200, 3000, 3000))
    ),
    "counter-clockwise hole": shapely.Polygon(
        [(0, 0), (0, 5000), (5000, 5000), (5000, 0)],
        [[(1000, 1000), (4000, 1000), (4000, 4000), (1000, 4000)]],
    ),
    "sides on cell edges": box(1000, 0, 3000, 2000).union(box(3000, 2000, 4000, 5000)),
    "multipolygon, slivers": shapely.MultiPolygon(
        [
            box(100, 100, 1900, 1900),
            shapely.Polygon([(2000, 2000), (4999, 2001), (2001, 4999)]),
            box(4500, 0, 4500.001, 1500),
        ]
    ),
}


@pytest.mark.parametrize("name", list(targets_for_cells))
def test_grid_cells_cut_like_geos(name):
    """Grid cells near a boundary are cut in numpy; each share equals GEOS's area."""
    target = targets_for_cells[name]
    cells = grid(10, size=500.0)
    cells["population"] = np.arange(100, dtype=float) + 1.0
    got = allocate_population(frame([target]), cells).iloc[0]
    areas = shapely.area(shapely.intersection(target, cells.geometry.array))
    want = float(np.sum(cells["population"] * areas / cells.area))
    assert got == pytest.approx(want, rel=1e-12)


@given(
    xy=st.lists(st.tuples(st.floats(0, 5000), st.floats(0, 5000)), min_size=3, max_size=8),
    radius=st.floats(50, 1500),
    reverse=st.booleans(),
)
def test_grid_cells_cut_like_geos_far_from_origin(xy, radius, reverse):
    """Any polygon (holes, several parts, either orientation) at UTM-sized coordinates."""
    origin = (500000.0, 4000000.0)
    blob = shapely.union_all(shapely.buffer(shapely.points(xy), radius, quad_segs=4))
    blob = blob.difference(shapely.Point(xy[0]).buffer(radius / 2, quad_segs=2))
    target = shapely.affinity.translate(shapely.reverse(blob) if reverse else blob, *origin)
    cells = grid(11, size=500.0)
    cells = cells.set_geometry(cells.translate(*origin))
    cells["population"] = np.arange(121, dtype=float) + 1.0
    got = allocate_population(frame([target]), cells).iloc[0]
    areas = shapely.area(shapely.intersection(target, cells.geometry.array))
    want = float(np.sum(cells["population"] * areas / cells.area))
    assert got == pytest.approx(want, rel=1e-11, abs=1e-9)


# --------------------------------------------------------------------------- real data
def test_unosat_damage_points_per_neighbourhood():
    hoods = gpd.read_file(
        shared_file("derived_geojson/aleppo_city_neighborhoods_ocha_cod_ab.geojson")
    ).to_crs(32637)
    damage = gpd.read_file(
        shared_file("csr_conflict_urbanism_aleppo/unosat_damage_2015.geojson")
    ).to_crs(32637)
    damage = damage[~damage.geometry.is_empty & damage.geometry.notna()].copy()
    damage["population"] = 1
    assert len(damage) == 14058 and len(hoods) == 109
    got, acc = allocate_population(hoods, damage, return_accounting=True)
    check_accounting(acc)
    assert acc.input_total == 14058
    joined = gpd.sjoin(damage[["geometry"]], hoods[["geometry"]], predicate="intersects")
    naive = joined.groupby("index_right").size().reindex(hoods.index, fill_value=0)
    per_point = joined.groupby(level=0).size()
    on_boundary = per_point[per_point > 1]
    # sjoin counts a boundary point in every neighbourhood touching it; we count it once
    assert int(naive.sum() - got.sum()) == int((on_boundary - 1).sum())
    assert got.sum() == len(per_point) == acc.assigned_total
    boundary_hoods = set(joined.loc[on_boundary.index, "index_right"])
    same = [i for i in hoods.index if i not in boundary_hoods]
    assert (got[same] == naive[same]).all()


# ---------------------------------------------------------------------- located people
def test_people_points_cut_a_square_on_the_100_m_grid():
    square = frame([box(0, 0, 1000, 1000)], population=[1000.0])
    points, weights = people_points(square)
    assert not shapely.is_prepared(square.geometry.values).any()  # shared input unchanged
    assert len(points) == 100
    np.testing.assert_allclose(weights, 10.0)
    xy = shapely.get_coordinates(points)
    np.testing.assert_array_equal(np.unique(xy[:, 0]), np.arange(50.0, 1000.0, 100.0))


def test_people_points_of_a_large_polygon_are_on_larger_cells():
    """100 km x 50 km: 2,500 cells would be 1,414 m wide; the grid is 100 m x 16 = 1,600 m,
    63 columns (the last 800 m wide) by 32 rows (the last 400 m high)."""
    rect = frame([box(0, 0, 100_000, 50_000)], population=[5e6])
    points, weights = people_points(rect)
    assert len(points) == 63 * 32
    assert weights.sum() == pytest.approx(5e6, rel=1e-12)
    assert weights.max() == pytest.approx(5e6 * 1600**2 / 5e9)  # a whole cell's people
    assert weights.min() == pytest.approx(5e6 * 800 * 400 / 5e9)  # the corner cell's


def test_people_points_keep_the_points_of_a_mixed_layer():
    """A population layer may mix points and polygons: the points stay, in row order."""
    mixed = frame(
        [box(0, 0, 1000, 1000), Point(2000, 500), box(5000, 0, 5100, 100)],
        population=[1000.0, 50.0, 7.0],
    )
    points, weights = people_points(mixed)
    assert len(points) == 100 + 1 + 1
    assert weights.sum() == pytest.approx(1057.0)
    assert points[100].equals(Point(2000, 500)) and weights[100] == 50.0
    assert points[101].equals(Point(5050, 50)) and weights[101] == pytest.approx(7.0)


@given(
    x=st.floats(-1e6, 1e6),
    width=st.floats(1.0, 400_000.0),
    height=st.floats(1.0, 400_000.0),
    people=st.floats(1.0, 1e7),
)
def test_people_points_hold_everyone_at_any_scale(x, width, height, people):
    rect = box(x, 3_000_000.0, x + width, 3_000_000.0 + height)
    points, weights = people_points(frame([rect], population=[people]))
    assert weights.sum() == pytest.approx(people, rel=1e-9)
    assert shapely.covers(rect, points).all()  # pieces of a rectangle are convex


def _cut_both_ways(polygons: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """The boundary cells of ``people_points``, cut by its clipping and by a general
    intersection (the reference), cell by cell, and how many cells lie wholly inside."""
    from geoaccess.population.people import _cells, _clipped

    shapes = polygons.geometry.to_numpy(dtype=object)
    g, cells = _cells(shapes, 100.0, MAX_CELLS_PER_POLYGON)
    inside = shapely.contains_properly(shapes[g], cells)
    crossing = shapely.intersects(shapes[g], cells) & ~inside
    g, cells = g[crossing], cells[crossing]
    return _clipped(shapes[g], cells), shapely.intersection(shapes[g], cells), int(inside.sum())


def test_boundary_cells_are_cut_as_an_intersection_cuts_them():
    """A C-shaped polygon with a square hole (3 km² - 0.75 km² - 0.04 km² = 2.21 km²)
    cut on the 100 m grid: the clipped piece of every boundary cell has the area and
    the centroid of the intersection, and whole cells and pieces add up to 2.21 km²."""
    c_shape = shapely.difference(box(0, 0, 2000, 1500), box(500, 500, 2000, 1000))
    holed = shapely.difference(c_shape, box(130, 170, 330, 370))
    clipped, reference, whole_cells = _cut_both_ways(frame([holed]))
    assert len(clipped) > 40
    np.testing.assert_allclose(shapely.area(clipped), shapely.area(reference), rtol=1e-9)
    assert whole_cells * 100.0**2 + shapely.area(clipped).sum() == pytest.approx(2.21e6)
    both = shapely.area(reference) > 0
    apart = shapely.distance(shapely.centroid(clipped), shapely.centroid(reference))
    assert apart[both].max() < 1e-6


def test_boundary_cells_of_aleppos_neighbourhoods_are_cut_as_an_intersection_cuts_them():
    """OCHA's Aleppo neighbourhoods (real outlines): every boundary cell's piece has the
    intersection's area (to a millionth of a square metre) and centroid (to a micrometre)."""
    hoods = gpd.read_file(
        shared_file("derived_geojson/aleppo_city_neighborhoods_ocha_cod_ab.geojson")
    )
    clipped, reference, _ = _cut_both_ways(hoods.to_crs(UTM))
    assert len(clipped) > 1000
    np.testing.assert_allclose(shapely.area(clipped), shapely.area(reference), atol=1e-6)
    both = shapely.area(reference) > 0
    apart = shapely.distance(shapely.centroid(clipped), shapely.centroid(reference))
    assert apart[both].max() < 1e-6


def test_people_points_of_syrias_districts():
    """OCHA's 62 districts of Syria (185,000 km²): about 48,000 points, not the 18 million
    cells of 100 m; each district's people all on its points, small districts on finer
    grids than large ones."""
    districts = gpd.read_file(shared_file("derived_geojson/syr_admin2_ocha_cod_ab.geojson"))
    districts = districts.to_crs(UTM).assign(population=100_000.0)
    points, weights = people_points(districts)
    assert weights.sum() == pytest.approx(62 * 100_000.0, rel=1e-12)
    assert len(points) < districts.area.sum() / 100.0**2 / 100
    density = []
    for k in range(len(districts)):
        one_points, one_weights = people_points(districts.iloc[[k]])
        assert one_weights.sum() == pytest.approx(100_000.0, rel=1e-12)
        assert len(one_points) <= 2 * MAX_CELLS_PER_POLYGON
        density.append(len(one_points) / districts.area.iloc[k])
    assert density[int(np.argmin(districts.area))] > 10 * density[int(np.argmax(districts.area))]
