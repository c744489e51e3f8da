"""Exact area-weighted grid sums as a line integral along boundaries (no raster file)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, Polygon, box

from geoaccess.population.boundary_integral import boundary_pieces, integrate_rows

#: 6 rows × 8 columns of 10 m cells, top-left corner at (0, 60), holding 0..47
GRID = np.arange(48, dtype=float).reshape(6, 8)
NORTH_UP = Affine(10.0, 0.0, 0.0, 0.0, -10.0, 60.0)


def grid_sums(geoms, values=GRID, transform=NORTH_UP) -> np.ndarray:
    """Sum every geometry over the whole grid read as one window."""
    geoms = np.asarray(geoms, dtype=object)
    pieces = boundary_pieces(geoms, transform)
    rows = pieces.take((pieces.row >= 0) & (pieces.row < values.shape[0]))
    terms = integrate_rows(rows, values, 0, 0)
    return np.bincount(rows.target, weights=terms, minlength=geoms.size)


def covered_fractions(geom, transform=NORTH_UP, shape=GRID.shape) -> np.ndarray:
    """Each cell's covered fraction, cell by cell with shapely (slow, obviously right)."""
    fractions = np.zeros(shape)
    for row in range(shape[0]):
        for col in range(shape[1]):
            corners = [
                transform @ (col + du, row + dw) for du, dw in ((0, 0), (1, 0), (1, 1), (0, 1))
            ]
            cell = Polygon(corners)
            fractions[row, col] = cell.intersection(geom).area / cell.area
    return fractions


def test_whole_cells_sum_their_values():
    # cell (row 5, col 0) spans (0, 0)-(10, 10); the box (20, 30)-(50, 50) spans rows 1-2,
    # columns 2-4
    got = grid_sums([box(0, 0, 10, 10), box(20, 30, 50, 50), box(0, 0, 80, 60)])
    assert got.tolist() == pytest.approx([40.0, GRID[1:3, 2:5].sum(), GRID.sum()])


def test_a_quarter_cell_and_a_triangle_count_their_fractions():
    # a quarter of cell (5, 0) holding 40; half of cell (0, 7) holding 7, cut diagonally
    triangle = Polygon([(70, 50), (80, 50), (80, 60)])
    got = grid_sums([box(0, 0, 5, 5), triangle])
    assert got.tolist() == pytest.approx([10.0, 3.5])


def test_a_hole_holds_no_one_whichever_way_the_rings_turn():
    ring = box(10, 10, 70, 50).difference(box(30, 20, 50, 40))
    expected = GRID[1:5, 1:7].sum() - GRID[2:4, 3:5].sum()
    for geom in (ring, shapely.reverse(ring), shapely.orient_polygons(ring)):
        assert grid_sums([geom])[0] == pytest.approx(expected)


def test_parts_of_a_multipolygon_add_up():
    parts = shapely.MultiPolygon([box(0, 0, 10, 10), box(70, 50, 80, 60)])
    assert grid_sums([parts])[0] == pytest.approx(40.0 + 7.0)


def test_ground_off_the_grid_holds_no_one():
    # a box from far left of the grid to its middle, and one wholly right of it
    got = grid_sums([box(-500, -500, 40, 1000), box(100, 10, 130, 50)])
    assert got.tolist() == pytest.approx([GRID[:, :4].sum(), 0.0], abs=1e-9)


def test_a_rotated_grid():
    # the grid turned 30° about its corner: a polygon of cells (1..2, 2..4) in pixel
    # coordinates, mapped to the world, holds exactly those cells
    turned = Affine.rotation(30.0) @ NORTH_UP
    cells = Polygon([turned @ corner for corner in ((2, 1), (5, 1), (5, 3), (2, 3))])
    assert grid_sums([cells], transform=turned)[0] == pytest.approx(GRID[1:3, 2:5].sum())


def test_edges_along_grid_lines_and_vertices_on_them():
    # a box whose edges lie on cell lines and a diamond whose vertices sit on cell corners
    diamond = Polygon([(40, 10), (70, 40), (40, 50), (10, 20)])
    fractions = covered_fractions(diamond)
    got = grid_sums([box(10, 10, 30, 30), diamond])
    assert got.tolist() == pytest.approx([GRID[3:5, 1:3].sum(), (fractions * GRID).sum()])


def test_any_constant_per_row_cancels_around_a_ring():
    # the integral may start its cumulative sums at any column, ring by ring
    geom = Point(37, 27).buffer(18)
    pieces = boundary_pieces(np.array([geom], dtype=object), NORTH_UP)
    shifted = np.hstack([np.full((6, 1), 1000.0), GRID])  # one column more on the left
    whole = integrate_rows(pieces, GRID, 0, 0).sum()
    assert integrate_rows(pieces, shifted, 0, -1).sum() == pytest.approx(whole)
    assert whole == pytest.approx((covered_fractions(geom) * GRID).sum())


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(-20, 90),
    y=st.floats(-20, 70),
    radius=st.floats(0.5, 40),
    hole=st.floats(0.0, 0.9),
    angle=st.floats(0, 90),
)
def test_sums_equal_the_covered_fractions_cell_by_cell(x, y, radius, hole, angle):
    """Any disc with a hole, anywhere on or off a rotated grid: cell by cell shapely."""
    turned = Affine.rotation(angle, pivot=(40, 30)) @ NORTH_UP
    geom = Point(x, y).buffer(radius, 8)
    if hole:
        geom = geom.difference(Point(x + radius / 4, y).buffer(radius * hole / 2, 8))
    expected = (covered_fractions(geom, turned) * GRID).sum()
    got = grid_sums([geom], transform=turned)[0]
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 30))
def test_a_partition_of_the_grid_holds_every_person_once(seed, count):
    """Voronoi cells past the grid's edges partition it: their sums add up to its total."""
    rng = np.random.default_rng(seed)
    points = shapely.MultiPoint(rng.uniform((-10, -10), (90, 70), size=(count, 2)))
    frame = box(-50, -50, 130, 110)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=frame))
    cells = shapely.intersection(cells, frame)
    values = rng.gamma(0.5, 40.0, size=GRID.shape)
    assert grid_sums(cells, values).sum() == pytest.approx(values.sum(), rel=1e-12)


def test_no_geometry_gives_no_piece():
    pieces = boundary_pieces(np.array([Polygon(), None], dtype=object), NORTH_UP)
    assert pieces.size == 0
