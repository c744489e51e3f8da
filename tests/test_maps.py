"""Object-level tests of the folium maps: layers, legend, title, bounds, escaping, size."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys

import folium
import pytest
from _map_fixtures import EVIL, ring_assessment, ring_timeline

from geoaccess.maps import assessment_map, timeline_map
from geoaccess.maps.layers import LAYER_TITLES
from geoaccess.maps.legend import Legend, MapTitle, SourcesNote
from geoaccess.maps.timeline import TimelineControl


def _children(m: folium.Map, kind: type) -> list:
    found = []

    def walk(element):
        for child in element._children.values():
            if isinstance(child, kind):
                found.append(child)
            walk(child)

    walk(m)
    return found


def _html(m: folium.Map) -> str:
    return m.get_root().render()


@pytest.fixture(scope="module")
def ring_map() -> folium.Map:
    return assessment_map(ring_assessment(), tiles=None)


def test_every_layer_is_in_the_layer_control(ring_map):
    control = _children(ring_map, folium.LayerControl)
    assert len(control) == 1
    control[0].render()
    names = set(control[0].overlays)
    assert names == set(LAYER_TITLES.values())


def test_legend_lists_statuses_present_and_sides(ring_map):
    (legend,) = _children(ring_map, Legend)
    keys = legend.keys
    assert "besieged" in keys and "accessible" in keys
    assert "hard_to_reach" not in keys
    assert {"side:government", "side:opposition"} <= set(keys)
    assert {"front_lines", "siege_lines", "lifelines", "corridor:open"} <= set(keys)
    assert keys.index("besieged") < keys.index("accessible")


def test_title_and_sources(ring_map):
    (title,) = _children(ring_map, MapTitle)
    assert title.title == "Situation as of 20 July 2016"
    (note,) = _children(ring_map, SourcesNote)
    assert note.sources == ("Synthetic test data",)
    assert note.disclaimer == "Illustrative reconstruction; not for operational use."
    html = _html(ring_map)
    assert "Situation as of 20 July 2016" in html


def test_bounds_fit_the_ring(ring_map):
    (fit,) = _children(ring_map, folium.FitBounds)
    (lat_min, lon_min), (lat_max, lon_max) = fit.bounds
    # 8 km around (37.16, 36.20): about 0.072 degrees of latitude, 0.089 of longitude
    assert lat_min == pytest.approx(36.20 - 0.072, abs=2e-3)
    assert lat_max == pytest.approx(36.20 + 0.072, abs=2e-3)
    assert lon_min == pytest.approx(37.16 - 0.089, abs=3e-3)
    assert lon_max == pytest.approx(37.16 + 0.089, abs=3e-3)


def test_no_tiles_means_no_tile_url(ring_map):
    html = _html(ring_map)
    assert not _children(ring_map, folium.TileLayer)
    assert "tile.openstreetmap" not in html and "{z}" not in html


def test_default_tiles_are_present():
    m = assessment_map(ring_assessment())
    assert len(_children(m, folium.TileLayer)) == 1


def test_text_from_data_is_escaped():
    html = _html(assessment_map(ring_assessment(evil=True), tiles=None))
    assert EVIL not in html
    assert "<img" not in html
    assert "&lt;img" in html or "\\u0026lt;img" in html
    assert 'onerror="document' not in html


def test_simplification_shrinks_the_page():
    result = ring_assessment()
    # offline=False: the inlined scripts would dwarf the geometry being measured
    fine = len(_html(assessment_map(result, tiles=None, simplify_m=0, precision=8, offline=False)))
    coarse = len(
        _html(assessment_map(result, tiles=None, simplify_m=100, precision=4, offline=False))
    )
    assert coarse < 0.8 * fine


def test_m_adds_to_an_existing_map():
    m = folium.Map(tiles=None)
    folium.LayerControl().add_to(m)
    out = assessment_map(ring_assessment(), m=m)
    assert out is m
    assert len(_children(m, folium.LayerControl)) == 1
    kinds = [type(c) for c in m._children.values()]
    control = kinds.index(folium.LayerControl)
    layers = [k for k, t in enumerate(kinds) if issubclass(t, folium.FeatureGroup)]
    assert layers and control > max(layers)  # the control lists every layer
    html = _html(m)
    assert html.count("L.control.layers(") == 1


def test_bad_options_are_reported():
    with pytest.raises(ValueError, match="simplify_m"):
        assessment_map(ring_assessment(), simplify_m=-1)
    with pytest.raises(ValueError, match="precision"):
        assessment_map(ring_assessment(), precision=2.5)
    with pytest.raises(TypeError, match=r"folium\.Map"):
        assessment_map(ring_assessment(), m="map")


def test_assessment_map_method_passes_options():
    m = ring_assessment().map(tiles=None, title="Custom")
    (title,) = _children(m, MapTitle)
    assert title.title == "Custom"


def test_incidents_of_the_window_only():
    html = _html(assessment_map(ring_assessment(day=dt.date(2016, 9, 1)), tiles=None))
    assert not re.search(r"shelling on 2016-07", html)


# ---------------------------------------------------------------------- timeline
@pytest.fixture(scope="module")
def ring_tl_map() -> folium.Map:
    return timeline_map(ring_timeline(), tiles=None)


def test_timeline_layers_and_control(ring_tl_map):
    (control,) = _children(ring_tl_map, folium.LayerControl)
    control.render()
    assert {LAYER_TITLES[k] for k in ("zones", "areas", "front_lines", "corridors")} <= set(
        control.overlays
    )
    (legend,) = _children(ring_tl_map, Legend)
    assert {"besieged", "hard_to_reach", "accessible"} <= set(legend.keys)
    (slider,) = _children(ring_tl_map, TimelineControl)
    assert slider.data["dates"] == ["2016-07-17", "2016-08-06", "2016-09-04"]


def test_timeline_embeds_only_the_evaluated_dates():
    tl = ring_timeline()
    (slider,) = _children(timeline_map(tl, tiles=None), TimelineControl)
    data = slider.data
    assert data["start"] == "2016-07-17" and data["end"] == "2016-09-30"
    assert all(len(states) == len(tl.evaluated) for states in data["areas"]["states"])
    assert len(data["areas"]["features"]) == 3  # each area's shape once
    table = data["areas"]["table"]
    a1 = [table[k]["status"] for k in data["areas"]["states"][0]]
    assert a1 == ["besieged", "hard_to_reach", "besieged"]
    # the Ramouseh gap zone is drawn only on the second date
    gap = [
        i
        for i, f in enumerate(data["zones"]["features"])
        if "Ramouseh" in f["properties"]["tooltip"]
    ]
    assert [data["zones"]["present"][i] for i in gap] == [[1]]


def test_timeline_text_is_escaped():
    html = _html(timeline_map(ring_timeline(evil=True), tiles=None))
    assert EVIL not in html and "<img" not in html


def test_timeline_shapes_are_simplified_once_and_values_kept_per_date():
    """Dates holding the very same shapes share one simplification, each with its values."""
    from functools import partial

    import geopandas as gpd
    import pandas as pd
    import shapely

    from geoaccess.maps.prepare import simplify_frame
    from geoaccess.maps.timeline import _prepared

    shapes = [shapely.Point(37.1, 36.2).buffer(0.01, 64), shapely.Polygon(), None]
    shapes.append(shapely.box(37.2, 36.2, 37.21, 36.21))
    first = gpd.GeoDataFrame(
        {"area_id": ["a", "b", "c", "d"], "status": pd.array(["besieged", "x", "y", None])},
        geometry=shapes,
        crs=4326,
        index=[10, 11, 12, 13],
    )
    second = first.assign(status=pd.array(["accessible", "x", "y", "hard_to_reach"]))
    moved = second.set_geometry([shapes[0], shapes[1], shapes[2], shapely.box(37, 36, 37.1, 36.1)])
    calls = []

    def prep(frame):
        calls.append(frame)
        return simplify_frame(frame, metric_crs="EPSG:32637", simplify_m=25)

    got = _prepared([first, second, moved], prep)
    assert [c is f for c, f in zip(calls, [first, moved], strict=True)] == [True, True]
    for frame, out in zip([first, second, moved], got, strict=True):
        want = partial(simplify_frame, metric_crs="EPSG:32637", simplify_m=25)(frame)
        pd.testing.assert_frame_equal(pd.DataFrame(out), pd.DataFrame(want))
    assert got[1]["status"].tolist() == ["accessible", "hard_to_reach"]


def test_area_properties_are_built_once_per_distinct_row():
    """A timeline's dates share the properties of areas whose values did not change."""
    import geopandas as gpd
    import shapely

    from geoaccess.maps.area_fields import area_features

    def day(status: str, index: list[int]) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {
                "area_id": ["a1", "a2"],
                "status": [status, "accessible"],
                "route_clearance_m": [float("nan"), float("nan")],  # light dates: NaN
                "area_ids": [["x"], ["y"]] if status == "unhashable" else [None, None],
            },
            geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
            crs=4326,
            index=index,
        )

    built: dict = {}
    dates = [day("besieged", [0, 1]), day("besieged", [5, 6]), day("hard_to_reach", [0, 1])]
    shared = [area_features(frame, built=built) for frame in dates]
    assert len(built) == 3  # a1 besieged, a2 accessible, a1 hard to reach
    assert shared == [area_features(frame) for frame in dates]
    assert [f["properties"]["key"] for f in shared[1]] == ["5", "6"]
    # rows holding a list are built each time, and the same
    assert area_features(day("unhashable", [0, 1]), built=built) == area_features(
        day("unhashable", [0, 1])
    )
    assert len(built) == 3


def test_an_open_validity_is_left_out_of_popups():
    """A zone or corridor valid to no date has no "Valid to" row (it said "NaT")."""
    html = _html(assessment_map(ring_assessment(), tiles=None))
    assert "Valid from" in html
    assert "NaT" not in html


def test_a_row_label_from_data_is_escaped_too():
    """Features are keyed by the frame's index, which may be text from data."""
    import geopandas as gpd
    import shapely

    from geoaccess.maps.area_fields import area_features

    areas = gpd.GeoDataFrame(
        {"area_id": ["a1"], "status": ["besieged"]},
        geometry=[shapely.box(0, 0, 1, 1)],
        index=["{{ 7*7 }}<b>"],
        crs=4326,
    )
    (feature,) = area_features(areas)
    assert feature["properties"]["key"] == "&#123;&#123; 7*7 }}&lt;b&gt;"


@pytest.mark.parametrize("kind", ["assessment", "timeline"])
@pytest.mark.parametrize(
    "payload",
    ["QQ{{ 7*7 }}", "QQ{% raw %}", "QQ{# x", "QQ{{ cycler.__init__.__globals__.os.getpid() }}"],
)
def test_template_syntax_in_data_is_never_run(monkeypatch, kind, payload):
    """branca compiles rendered markup as Jinja: names must not be expressions there."""
    import _map_fixtures

    monkeypatch.setattr(_map_fixtures, "EVIL", payload)
    if kind == "assessment":
        html = _html(assessment_map(ring_assessment(evil=True), tiles=None))
    else:
        html = _html(timeline_map(ring_timeline(evil=True), tiles=None))
    assert "QQ49" not in html and f"QQ{os.getpid()}" not in html
    # the text is there, its brace escaped for HTML (in JSON too) or in a JSON string
    assert len(re.findall(r"QQ(?:&#123;|\\u0026#123;|\\u007b)", html)) >= 3


def test_timeline_adds_to_an_existing_map():
    m = folium.Map(tiles=None)
    assert timeline_map(ring_timeline(), m=m) is m
    assert _html(m).count("L.control.layers(") == 1


def test_offline_without_the_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "offlinefolium", None)
    with pytest.raises(ImportError, match=re.escape('pip install "geoaccess[offline]"')):
        assessment_map(ring_assessment(), offline=True)


def test_offline_inlines_every_script_and_stylesheet():
    pytest.importorskip("offlinefolium", reason='needs pip install "geoaccess[offline]"')
    html = _html(assessment_map(ring_assessment(), tiles=None, offline=True))
    assert not re.search(r'<script[^>]+src="http', html)
    assert not re.search(r'<link[^>]+href="http', html)
    assert "L.Map" in html or "leaflet" in html.lower()


def test_offline_copies_are_written_as_they_are():
    """A library file is not a template: ``{%``, ``{{`` and ``{#`` in it reach the page."""
    pytest.importorskip("offlinefolium", reason='needs pip install "geoaccess[offline]"')
    from geoaccess.maps.offline import OfflineResources, offline_resources

    m = folium.Map(tiles=None)
    leaflet = next(url for url in offline_resources() if url.endswith("/leaflet.js"))
    code = "/* {% raw %} {{ 7*7 }} {# */ var ok = 1;\n"
    m.add_child(OfflineResources({leaflet: code}))
    html = _html(m)
    assert f"<script>{code}</script>" in html


# ---------------------------------------------------------------------- bundled scenario
@pytest.fixture(scope="module")
def aleppo_20_july(bundled_20_july):
    """The bundled scenario assessed on 20 July 2016 (shared with other modules)."""
    return bundled_20_july


@pytest.mark.slow
def test_bundled_assessment_map(aleppo_20_july):
    m = aleppo_20_july.map(tiles=None)
    (fit,) = _children(m, folium.FitBounds)
    (lat_min, lon_min), (lat_max, lon_max) = fit.bounds
    assert 35.9 < lat_min < lat_max < 36.5 and 36.8 < lon_min < lon_max < 37.5
    (title,) = _children(m, MapTitle)
    assert title.title == "Situation as of 20 July 2016"
    (note,) = _children(m, SourcesNote)  # the CC BY-IGO 3.0 attribution of OCHA's data
    assert "CC BY-IGO 3.0" in note.sources[0] and "OCHA" in note.sources[0]
    html = _html(m)
    assert "بستان القصر" in html or "\\u0628\\u0633\\u062a\\u0627\\u0646" in html


@pytest.mark.slow
def test_bundled_timeline_map_is_small(bundled_half_year):
    tl = bundled_half_year
    html = _html(tl.map(tiles=None))
    assert len(html.encode()) < 3_000_000


def test_the_legend_says_the_population_tables_figures(aleppo_20_july) -> None:
    """The map, res.population and the command line give one set of figures."""
    res = aleppo_20_july
    (legend,) = _children(assessment_map(res, tiles=None), Legend)
    labels = {item.key: item.label for section in legend.sections for item in section.items}
    rows = res.population[res.population["category"] == "status"].set_index("label")
    besieged = rows.loc["besieged"]
    assert labels["besieged"] == (
        f"besieged: {besieged['areas']} areas, {besieged['population']:,.0f} people"
    )
