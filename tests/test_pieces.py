"""Areas cut by pockets (engine/pieces.py), on shapes whose pieces are known on paper.

An area's pieces are the ground it shares with pockets: a neighbouring pocket that only
touches it along an edge or at a corner gives no piece, one it straddles gives two whose
shares make the whole area, and a piece thinner than ``snap_m`` is residue.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _builders import UTM, box
from hypothesis import given
from hypothesis import strategies as st
from shapely import affinity

from geoaccess.engine.pieces import _residue, _within_or_meeting, cut_areas
from geoaccess.polygons import polygonal, polygonal_array

SNAP_M = 50.0


def pockets(**geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"pocket_id": list(geoms), "side": ["A"] * len(geoms)},
        geometry=list(geoms.values()),
        crs=UTM,
    )


def one_area(geom: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"area_id": ["x"], "population": [1_000.0]}, geometry=[geom], crs=UTM)


AREA = box(0, 0, 1_000, 1_000)


def test_within_and_meeting_read_from_one_matrix() -> None:
    pocket = box(-100, -100, 2_000, 2_000)
    cases = {
        "inside": (box(0, 0, 500, 500), True, True),
        "same ground": (box(-100, -100, 2_000, 2_000), True, True),
        "inside, sharing an edge": (box(-100, 0, 500, 500), True, True),
        "straddling": (box(1_500, 0, 2_500, 500), False, True),
        "holding the pocket": (box(-200, -200, 3_000, 3_000), False, True),
        "along an edge": (box(2_000, 0, 2_500, 500), False, False),
        "at a corner": (box(2_000, 2_000, 2_500, 2_500), False, False),
    }
    a = np.array([geom for geom, _, _ in cases.values()], dtype=object)
    within, meet = _within_or_meeting(a, np.full(len(a), pocket, dtype=object))
    assert dict(zip(cases, within.tolist(), strict=True)) == {k: v[1] for k, v in cases.items()}
    assert dict(zip(cases, meet.tolist(), strict=True)) == {k: v[2] for k, v in cases.items()}
    assert within.tolist() == shapely.within(a, pocket).tolist()


def test_pockets_touching_an_area_only_at_its_edge_or_corner_give_no_piece() -> None:
    notch = box(1_000, 200, 1_200, 400)  # along 200 m of the area's east edge
    corner = box(1_000, 1_000, 1_500, 1_500)  # at the area's north-east corner
    home = shapely.difference(box(-500, -500, 1_500, 1_500), shapely.union(notch, corner))
    found = cut_areas(
        one_area(AREA),
        pockets(
            home=home,  # holds the area
            notch=notch,
            corner=corner,
            beside=box(1_500, -500, 3_000, 1_500),  # shares an edge with home only
        ),
        SNAP_M,
    )
    assert found["pocket_id"].tolist() == ["home"]
    assert found["share"].tolist() == pytest.approx([1.0])
    assert found["population"].tolist() == pytest.approx([1_000.0])
    assert found.geometry.iloc[0] is AREA  # whole: no overlay


def test_an_area_straddling_two_pockets_is_cut_in_two_whose_shares_make_it_whole() -> None:
    found = cut_areas(
        one_area(AREA),
        pockets(west=box(-500, -500, 300, 1_500), east=box(300, -500, 1_500, 1_500)),
        SNAP_M,
    )
    assert found["pocket_id"].tolist() == ["west", "east"]
    assert found["share"].tolist() == pytest.approx([0.3, 0.7], rel=1e-12)
    assert found.geometry.area.tolist() == pytest.approx([300_000.0, 700_000.0], rel=1e-12)
    assert found.geometry.geom_type.tolist() == ["Polygon", "Polygon"]


def test_a_sliver_of_an_area_across_a_zone_edge_is_folded_into_its_main_piece() -> None:
    # 20 m of the area lies on the east pocket: thinner than snap_m, residue
    found = cut_areas(
        one_area(AREA),
        pockets(west=box(-500, -500, 980, 1_500), east=box(980, -500, 1_500, 1_500)),
        SNAP_M,
    )
    assert found["pocket_id"].tolist() == ["west"]
    assert found["share"].tolist() == pytest.approx([1.0], rel=1e-12)
    assert found["population"].tolist() == pytest.approx([1_000.0], rel=1e-12)


@given(
    width=st.floats(1.0, 200.0),
    length=st.floats(1.0, 3_000.0),
    angle=st.floats(0.0, 180.0),
    notch=st.floats(0.0, 0.9),
)
def test_residue_is_what_the_erosion_says(
    width: float, length: float, angle: float, notch: float
) -> None:
    """A piece is residue when smaller than snap_m² or gone when eroded by snap_m / 2,
    whichever pieces the cheap inner-point test lets skip the erosion."""
    strip = shapely.box(0, 0, length, width)
    if notch:  # a bite out of the strip's side, leaving a neck of (1 - notch) * width
        bite = shapely.box(length * 0.4, width * (1 - notch), length * 0.6, width * 2)
        strip = shapely.difference(strip, bite)
    piece = affinity.rotate(strip, angle, origin=(0, 0))
    geoms = np.array([piece, affinity.translate(piece, 5_000, 0)], dtype=object)
    eroded = shapely.is_empty(shapely.buffer(geoms, -SNAP_M / 2, quad_segs=2))
    expected = (shapely.area(geoms) < SNAP_M**2) | eroded
    assert _residue(geoms, shapely.area(geoms), SNAP_M).tolist() == expected.tolist()


def test_residue_of_known_strips() -> None:
    strips = np.array(
        [
            box(0, 0, 2_000, 45),  # 45 m wide: gone when eroded by 25 m
            box(0, 0, 2_000, 55),  # 55 m: a 5 m core stays
            box(0, 0, 40, 40),  # smaller than 50 m x 50 m
        ],
        dtype=object,
    )
    assert _residue(strips, shapely.area(strips), SNAP_M).tolist() == [True, False, True]


def test_polygonal_array_keeps_only_polygons() -> None:
    two = shapely.GeometryCollection([box(0, 0, 1, 1), box(5, 5, 6, 6), shapely.Point(9, 9)])
    geoms = [
        box(0, 0, 1, 1),
        shapely.GeometryCollection([box(0, 0, 1, 1), shapely.LineString([(1, 0), (3, 0)])]),
        two,
        shapely.GeometryCollection([shapely.Point(0, 0), shapely.LineString([(1, 0), (3, 0)])]),
        shapely.LineString([(0, 0), (1, 1)]),
    ]
    out = polygonal_array(geoms)
    assert [g.geom_type for g in out] == [
        "Polygon",
        "Polygon",
        "MultiPolygon",
        "MultiPolygon",
        "MultiPolygon",
    ]
    assert [g.area for g in out] == [1.0, 1.0, 2.0, 0.0, 0.0]
    assert out[1].equals(box(0, 0, 1, 1)) and out[2].equals(shapely.union_all(two.geoms[:2]))
    assert out[0] is geoms[0]  # polygons are left as they are


@given(
    st.lists(
        st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(1, 3), st.integers(1, 3)),
        min_size=3,
        max_size=6,
    )
)
def test_polygonal_array_is_polygonal_of_each(boxes: list[tuple[int, int, int, int]]) -> None:
    """Overlays of L-shapes on a grid: polygons, lines, points and their collections."""
    cells = [shapely.box(x, y, x + w, y + h) for x, y, w, h in boxes]
    shapes = [shapely.union(a, b) for a, b in itertools.pairwise(cells)]
    geoms = [shapely.intersection(a, b) for a in shapes for b in shapes]
    geoms.append(shapely.GeometryCollection(geoms))  # separate parts, nested collections
    out = polygonal_array(np.array(geoms, dtype=object))
    for got, geom in zip(out, geoms, strict=True):
        assert shapely.equals_exact(got, polygonal(geom), 0)
