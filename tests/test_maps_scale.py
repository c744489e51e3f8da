"""Maps of many areas: the same classes, shapes and text in a page a browser loads fast."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely
from _map_fixtures import ring_assessment

from geoaccess.maps import jenks
from geoaccess.maps.area_fields import area_features, area_table, area_tooltip
from geoaccess.maps.encode import column, decode_rings, delta_rings
from geoaccess.maps.jenks import natural_breaks


# ---------------------------------------------------------------------- natural breaks
def _values(seed: int) -> np.ndarray:
    """Skewed counts, normal values or round hundreds (ties), 5 to 250 of them."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 250))
    if seed % 3 == 0:
        return np.round(rng.lognormal(6.0, 1.2, n))
    if seed % 3 == 1:
        return rng.normal(0.0, 1.0, n)
    return np.round(rng.lognormal(6.0, 1.2, n) / 100) * 100


@pytest.mark.parametrize("block", [None, 300])
@pytest.mark.parametrize("seed", range(12))
def test_natural_breaks_are_mapclassifys(seed, block, monkeypatch):
    """Same breaks as mapclassify.FisherJenks, in one block of rows or in many."""
    mapclassify = pytest.importorskip("mapclassify")
    if block is not None:
        monkeypatch.setattr(jenks, "_BLOCK_CELLS", block)
    values = _values(seed)
    k = min(5, len(np.unique(values)))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        expected = [float(b) for b in mapclassify.FisherJenks(values, k=k).bins]
    assert natural_breaks(values, k) == expected


def test_natural_breaks_on_paper():
    # three clusters: the within-class squares are 2 + 2 + 0, any other split costs more
    assert natural_breaks([30, 1, 12, 2, 11, 3, 10], 3) == [3.0, 12.0, 30.0]
    assert natural_breaks([4.0, 4.0, 9.0], 2) == [4.0, 9.0]
    assert natural_breaks([7.0], 1) == [7.0]


def test_natural_breaks_refuses_more_classes_than_values():
    with pytest.raises(ValueError, match="distinct values"):
        natural_breaks([1.0, 1.0, 2.0], 3)


# ---------------------------------------------------------------------- coordinates
def _decoded(geom, precision: int) -> list[list[list[tuple[float, float]]]]:
    return [
        [decode_rings(ring, precision=precision) for ring in polygon]
        for polygon in delta_rings([geom], precision=precision)[0]
    ]


def test_delta_rings_give_back_the_rounded_polygon():
    """Exterior and hole, each vertex rounded to 5 decimals, closing vertex restored."""
    outer = [(37.123456, 36.1), (37.2, 36.1), (37.2, 36.2), (37.123456, 36.2)]
    hole = [(37.15, 36.15), (37.16, 36.15), (37.16, 36.16)]
    polygon = shapely.Polygon(outer, [hole])
    # what simplify_frame hands over: each coordinate rounded to 5 decimals
    rounded = shapely.transform(polygon, lambda xy: np.round(xy * 1e5) / 1e5)
    ((exterior, interior),) = _decoded(polygon, 5)
    assert exterior == list(rounded.exterior.coords)
    assert interior == list(rounded.interiors[0].coords)
    assert exterior[0] == (37.12346, 36.1)


def test_delta_rings_store_steps_of_whole_units():
    square = shapely.box(36.1, 35.2, 36.3, 35.4)
    assert delta_rings([square], precision=1) == [[[[363, 352, 0, 2, -2, 0, 0, -2]]]]


def test_delta_rings_keep_every_part_and_drop_what_rounding_collapses():
    two = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)])
    sliver = shapely.box(5, 5, 5.000001, 6)  # collapses to a line at 5 decimals
    with_tiny_hole = shapely.Polygon(
        [(0, 0), (1, 0), (1, 1), (0, 1)], [[(0.5, 0.5), (0.500001, 0.5), (0.5, 0.500001)]]
    )
    out = delta_rings([two, sliver, with_tiny_hole, shapely.Point(1, 1)], precision=5)
    assert [len(polygons) for polygons in out] == [2, 0, 1, 0]
    assert len(out[2][0]) == 1  # the hole collapsed to a point: gone, the exterior kept
    # a repeated vertex after rounding is stored once
    twice = shapely.Polygon([(0, 0), (1, 0), (1.000001, 0), (1, 1), (0, 1)])
    assert len(delta_rings([twice], precision=5)[0][0][0]) == 8


def test_columns_repeat_once():
    assert column(["a", "b", "a", "a"]) == {"d": ["a", "b"], "i": [0, 1, 0, 0]}
    assert column(["a", "b", "c"]) == {"v": ["a", "b", "c"]}


# ---------------------------------------------------------------------- area table
def _popup(table, j: int) -> str:
    """The popup as the page builds it from the table (the script's ``popup``)."""
    rows = "".join(
        f"<tr><th>{label}</th><td>{values[j]}</td></tr>"
        for label, values in zip(table.row_labels, zip(*table.rows, strict=True), strict=True)
        if values[j] != ""
    )
    note = f'<p class="ga-note">{table.notes[j]}</p>' if table.notes[j] else ""
    title = f"<strong>{table.titles[j]}</strong>"
    return f'<div class="ga-detail">{title}<table>{rows}</table>{note}</div>'


@pytest.mark.parametrize("evil", [False, True])
def test_area_table_says_what_the_features_say(evil):
    """Popup, tooltip, status and population of every area as area_features gives them."""
    result = ring_assessment(evil=evil)
    areas = result.areas.assign(name_local=["بستان القصر", "", None], adm2_pcode="SY02")
    names = {"opposition": "Opposition <groups>"}
    features = area_features(areas, side_names=names)
    table = area_table(areas, side_names=names)
    for j, feature in enumerate(features):
        p = feature["properties"]
        assert _popup(table, j) == p["popup"]
        assert area_tooltip(table.titles[j], table.labels[j], table.since[j]) == p["tooltip"]
        assert (table.area_ids[j], table.statuses[j], table.labels[j]) == (
            p["area_id"],
            p["status"],
            p["label"],
        )
        assert table.populations[j] == p["population"]
    assert "Local name" in features[0]["properties"]["popup"]
    assert "Local name" not in features[1]["properties"]["popup"]
    assert "Opposition &lt;groups&gt;" in features[0]["properties"]["popup"]
