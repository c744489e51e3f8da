"""The maps in a real headless Chromium, with every non-file request blocked."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _map_fixtures import EVIL, SIEGE_START, ring_assessment, ring_timeline

from geoaccess.maps import assessment_map, timeline_map

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Screenshots for a person to look at (gitignored); docs/demo_map.png is a copy of one.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)", allow_module_level=True)
if importlib.util.find_spec("playwright") is None:
    pytest.skip("playwright (Python) is not installed", allow_module_level=True)
if importlib.util.find_spec("offlinefolium") is None:
    pytest.skip(
        "the network is blocked in these tests, so they need offline=True: "
        'pip install "geoaccess[offline]"',
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Page:
    """A page that blocks every non-file request and records JavaScript errors."""

    def __init__(
        self, browser, html: str, tmp_path: Path, size: tuple[int, int] = (1200, 800)
    ) -> None:
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.page = self.context.new_page()
        self.page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.route("**/*", self._route)
        path = tmp_path / "map.html"
        path.write_text(html, encoding="utf-8")
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(".leaflet-container")
        self.page.wait_for_timeout(300)

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def eval(self, script: str):
        return self.page.evaluate(script)


@pytest.fixture
def open_page(browser, tmp_path) -> Iterator:
    pages: list[Page] = []

    def opener(m, size: tuple[int, int] = (1200, 800)) -> Page:
        page = Page(browser, m.get_root().render(), tmp_path, size)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.context.close()


_AREA_STATUS = """(areaId) => {
    const name = Object.keys(window).find(k => k.startsWith("map_"));
    let found = null;
    window[name].eachLayer(l => {
        if (l.feature && l.feature.properties.area_id === areaId && l.feature.properties.status)
            found = l.feature.properties.status;
    });
    return found;
}"""


_AREA_POPUP = """(areaId) => {
    const name = Object.keys(window).find(k => k.startsWith("map_"));
    let found = null;
    window[name].eachLayer(l => {
        const p = l.feature && l.feature.properties;
        if (p && p.area_id === areaId && p.status && l.getCenter && found === null) {
            // a click on the shape opens the popup the page builds for it
            l.fire("click", {latlng: l.getCenter()}, true);
            const content = document.querySelector(".leaflet-popup-content");
            found = content && content.innerText;
            window[name].closePopup();
        }
    });
    return found;
}"""


def test_assessment_map_renders_offline_without_errors(open_page):
    page = open_page(assessment_map(ring_assessment(), tiles=None, offline=True))
    assert page.errors == []
    assert page.blocked == []
    assert page.eval("document.querySelectorAll('.leaflet-overlay-pane path').length") > 5
    assert page.page.locator(".ga-legend").is_visible()
    assert page.page.locator(".ga-title").is_visible()
    assert "Situation as of 20 July 2016" in page.page.locator(".ga-title").inner_text()
    assert "besieged" in page.page.locator(".ga-legend").inner_text()
    assert page.page.locator(".ga-sources").is_visible()
    assert page.page.locator(".leaflet-control-scale").is_visible()


def test_clicking_a_corridor_entrance_opens_its_popup(open_page):
    page = open_page(assessment_map(ring_assessment(), tiles=None, offline=True))
    page.page.locator("path.ga-corridor-entrance").first.click()
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Bustan al-Qasr crossing" in text
    assert "Status" in text and "open" in text
    assert "Population within reach" in text


def test_clicking_a_corridor_line_opens_its_popup(open_page):
    page = open_page(assessment_map(ring_assessment(), tiles=None, offline=True))
    point = page.eval("""() => {
        const name = Object.keys(window).find(k => k.startsWith("map_"));
        let p = null;
        window[name].eachLayer(l => {
            if (l.feature && l.feature.properties.corridor_id && l.getLatLngs) {
                const ll = l.getLatLngs();
                const mid = L.latLng((ll[0].lat + ll[1].lat) / 2, (ll[0].lng + ll[1].lng) / 2);
                p = window[name].latLngToContainerPoint(mid);
            }
        });
        return p;
    }""")
    box = page.page.locator(".leaflet-container").bounding_box()
    page.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Corridor Bustan al-Qasr crossing" in popup.inner_text()


def _set_day(page: Page, day: dt.date, start: dt.date = SIEGE_START) -> None:
    offset = (day - start).days
    page.eval(f"""() => {{
        const s = document.querySelector('.ga-timeline input[type=range]');
        s.value = {offset};
        s.dispatchEvent(new Event('input'));
    }}""")


def test_timeline_slider_changes_date_and_status(open_page):
    page = open_page(timeline_map(ring_timeline(), tiles=None, offline=True))
    assert page.errors == []
    stamp = page.page.locator(".ga-date-stamp")
    _set_day(page, dt.date(2016, 7, 20))
    assert stamp.inner_text() == "20 July 2016"
    assert page.page.evaluate(_AREA_STATUS, "a1") == "besieged"
    legend = page.page.locator(".ga-legend")
    assert page.page.locator(".ga-legend-item[data-ga-key=besieged]").is_visible()
    assert not page.page.locator(".ga-legend-item[data-ga-key=hard_to_reach]").is_visible()
    _set_day(page, dt.date(2016, 8, 20))
    assert stamp.inner_text() == "20 August 2016"
    assert page.page.evaluate(_AREA_STATUS, "a1") == "hard_to_reach"
    assert page.page.locator(".ga-legend-item[data-ga-key=hard_to_reach]").is_visible()
    assert "hard to reach" in legend.inner_text()
    assert "20 August 2016" in page.page.locator(".ga-title").inner_text()
    # the gap's zone exists only from 6 August
    assert page.eval("document.querySelector('.ga-timeline').dataset.snapshot") == "1"
    assert page.errors == []


@pytest.mark.parametrize("kind", ["assessment", "timeline"])
def test_names_from_data_stay_text(open_page, kind):
    if kind == "assessment":
        m = assessment_map(ring_assessment(evil=True), tiles=None, offline=True)
    else:
        m = timeline_map(ring_timeline(evil=True), tiles=None, offline=True)
    page = open_page(m)
    title_before = page.eval("document.title")
    assert EVIL in page.page.locator(".ga-sources").inner_text()
    page.page.locator("path.ga-corridor-entrance").first.click()
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert EVIL in popup.inner_text()
    # hover every area and zone so that tooltips and popups are built
    for tooltip in page.eval("""() => {
        const name = Object.keys(window).find(k => k.startsWith("map_"));
        const out = [];
        window[name].eachLayer(l => {
            if (l.feature && l.getTooltip && l.getTooltip()) {
                l.openTooltip(); out.push(l.getTooltip().getElement().innerText);
                if (l.getPopup()) { l.openPopup(); }
            }
        });
        return out;
    }"""):
        assert "<img" not in tooltip or EVIL in tooltip
    page.page.wait_for_timeout(200)
    assert page.eval("document.querySelectorAll('.leaflet-container img').length") == 0
    assert page.eval("document.title") == title_before != "pwned"
    assert page.errors == []


@pytest.fixture(scope="module")
def aleppo_30_july():
    """The bundled scenario assessed on 30 July 2016, once for this module's tests."""
    import geoaccess as ga

    return ga.assess(ga.datasets.aleppo_2016(), "2016-07-30")


@pytest.mark.slow
def test_bundled_assessment_map_and_screenshot(open_page, aleppo_30_july):
    """Writes test-output/demo_map.png, the picture of the map a person can look at."""
    page = open_page(aleppo_30_july.map(tiles=None, offline=True))
    assert page.errors == [] and page.blocked == []
    assert "Situation as of 30 July 2016" in page.page.locator(".ga-title").inner_text()
    assert page.page.locator(".ga-legend").is_visible()
    assert "CC BY-IGO 3.0" in page.page.locator(".ga-sources").inner_text()
    popup = page.page.evaluate(_AREA_POPUP, "N0204")  # both names, and the p-code
    assert "Bustan Al-Qaser" in popup and "بستان القصر" in popup and "N0204" in popup
    page.page.wait_for_selector(".leaflet-popup", state="detached")  # closed (it fades)
    page.page.locator("path.ga-corridor-entrance").first.click()
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Corridor" in popup.inner_text() and "Status" in popup.inner_text()
    assert any(s in popup.inner_text() for s in ("open", "announced", "closed"))
    page.page.locator(".leaflet-popup-close-button").click()
    page.page.wait_for_selector(".leaflet-popup", state="detached")
    page.page.mouse.move(1050, 700)  # over the legend: no tooltip in the picture
    page.page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(SCREENSHOTS / "demo_map.png"))


@pytest.mark.slow
def test_bundled_timeline_slider_moves_bustan_al_qasr(open_page, bundled_half_year):
    tl = bundled_half_year
    rows = tl.intervals[tl.intervals["name"] == "Bustan Al-Qaser"]
    area_id = str(rows["area_id"].iloc[0])
    assert area_id == "N0204"  # OCHA's neighbourhood code
    page = open_page(tl.map(tiles=None, offline=True))
    assert page.errors == []
    _set_day(page, dt.date(2016, 7, 20), start=tl.start)
    assert page.page.locator(".ga-date-stamp").inner_text() == "20 July 2016"
    assert page.page.evaluate(_AREA_STATUS, area_id) == "besieged"
    _set_day(page, dt.date(2016, 8, 20), start=tl.start)
    assert page.page.locator(".ga-date-stamp").inner_text() == "20 August 2016"
    assert page.page.evaluate(_AREA_STATUS, area_id) == "hard_to_reach"
    assert page.errors == []


def _box(page: Page, selector: str) -> dict:
    box = page.page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.slow
def test_a_sitrep_inset_folds_legend_sources_and_layer_control(open_page, aleppo_30_july):
    """At 800 x 600 the boxes fold to a line each; none covers another or much map."""
    page = open_page(aleppo_30_july.map(tiles=None), size=(800, 600))
    assert page.errors == [] and page.blocked == []
    assert page.eval("document.querySelector('.leaflet-container').dataset.gaCompact") == "1"
    assert page.eval("document.querySelector('.ga-legend details').open") is False
    assert page.eval("document.querySelector('.ga-sources details').open") is False
    expanded = ".leaflet-control-layers-expanded"
    assert page.eval(f"document.querySelectorAll('{expanded}').length") == 0
    container = _box(page, ".leaflet-container")
    boxes = {s: _box(page, s) for s in (".ga-legend", ".ga-sources", ".leaflet-control-layers")}
    for (a, first), (b, second) in [
        (x, y) for i, x in enumerate(boxes.items()) for y in list(boxes.items())[i + 1 :]
    ]:
        assert not _overlap(first, second), (a, b)
    sources = boxes[".ga-sources"]
    assert sources["width"] * sources["height"] < 0.05 * container["width"] * container["height"]
    # what the map is stays said, folded or not
    assert "Illustrative reconstruction" in page.page.locator(".ga-disclaimer").inner_text()
    page.page.locator(".ga-legend summary").click()
    assert page.page.locator(".ga-legend-item[data-ga-key=besieged]").is_visible()
    assert page.errors == []


def test_a_large_map_shows_its_boxes_open(open_page):
    page = open_page(assessment_map(ring_assessment(), tiles=None), size=(1400, 900))
    assert page.eval("document.querySelector('.ga-legend details').open") is True
    assert page.page.locator(".ga-boundaries").is_visible()
    assert page.eval("document.querySelectorAll('.leaflet-control-layers-expanded').length") == 1


def test_population_legend_shows_only_with_its_layer(open_page):
    page = open_page(assessment_map(ring_assessment(), tiles=None))
    section = page.page.locator("[data-ga-section=population]")
    assert section.count() == 1
    assert not section.is_visible()
    toggle = page.page.locator(
        ".leaflet-control-layers-overlays label", has_text="Population"
    ).locator("input")
    toggle.check()
    assert section.is_visible()
    toggle.uncheck()
    assert not section.is_visible()
    assert page.errors == []


# ---------------------------------------------------------------------- many areas
_OPEN_EACH_AREA = """() => {
    const name = Object.keys(window).find(k => k.startsWith("map_"));
    const map = window[name];
    const norm = html => { const d = document.createElement("div"); d.innerHTML = html;
                           return d.innerHTML; };
    const out = [];
    // the page says how an area is shown by propagating events from its shape
    map.eachLayer(l => {
        if (!(l.feature && l.feature.properties.area_id !== undefined && l.getCenter)) return;
        const at = l.getCenter();
        l.fire("mouseover", {latlng: at}, true);
        const tip = document.querySelector(".leaflet-tooltip td");
        l.fire("click", {latlng: at}, true);
        const pop = document.querySelector(".leaflet-popup-content td");
        out.push({area_id: l.feature.properties.area_id, status: l.feature.properties.status,
                  tooltip: tip && norm(tip.innerHTML), popup: pop && norm(pop.innerHTML),
                  coordinates: l.feature.geometry.coordinates});
        l.fire("mouseout", {latlng: at}, true);
        map.closePopup();
    });
    return out;
}"""

_NORMALISED = """(htmls) => htmls.map(html => {
    const d = document.createElement("div"); d.innerHTML = html; return d.innerHTML;
})"""


@pytest.mark.parametrize("evil", [False, True])
def test_area_popups_tooltips_and_shapes_are_the_prepared_ones(open_page, evil):
    """What the page builds for each area is what area_features says, byte for byte."""
    from geoaccess.display import side_names
    from geoaccess.maps.area_fields import area_features
    from geoaccess.maps.prepare import simplify_frame

    result = ring_assessment(evil=evil)
    page = open_page(assessment_map(result, tiles=None))
    areas = simplify_frame(result.areas, metric_crs=result.metric_crs)
    names = side_names(result.scenario.parties)
    expected = {f["properties"]["area_id"]: f for f in area_features(areas, side_names=names)}
    found = page.eval(_OPEN_EACH_AREA)
    assert sorted(a["area_id"] for a in found) == sorted(expected)
    for area in found:
        p = expected[area["area_id"]]["properties"]
        tooltip, popup = page.page.evaluate(_NORMALISED, [p["tooltip"], p["popup"]])
        assert (area["status"], area["tooltip"], area["popup"]) == (p["status"], tooltip, popup)
        geometry = expected[area["area_id"]]["geometry"]
        assert area["coordinates"] == json.loads(json.dumps(geometry["coordinates"]))
    assert page.eval("document.querySelectorAll('.leaflet-container img').length") == 0
    assert page.errors == []


def test_population_layer_shows_the_same_areas(open_page):
    page = open_page(assessment_map(ring_assessment(), tiles=None))
    paths = "document.querySelectorAll('.leaflet-overlay-pane path').length"
    before = page.eval(paths)
    toggle = page.page.locator(
        ".leaflet-control-layers-overlays label", has_text="Population"
    ).locator("input")
    toggle.check()
    assert page.eval(paths) == before + 3
    fills = page.eval(
        "[...document.querySelectorAll('.leaflet-overlay-pane path')]"
        ".map(p => p.getAttribute('fill'))"
    )
    assert {"#f2f0f7", "#cbc9e2"} <= set(fills)  # the smallest classes of the Purples
    toggle.uncheck()
    assert page.eval(paths) == before
    assert page.errors == []


def many_areas(n: int = 10_000):
    """The ring assessment with its areas replaced by a grid of ``n`` small squares."""
    import dataclasses

    import geopandas as gpd
    import numpy as np
    import shapely

    base = ring_assessment()
    side = int(np.ceil(np.sqrt(n)))
    i, j = np.divmod(np.arange(n), side)
    size = 0.14 / side
    x0, y0 = 37.09 + j * size, 36.13 + i * size
    statuses = np.array(["besieged", "hard_to_reach", "accessible", "watchlist"])
    areas = gpd.GeoDataFrame(
        {
            "area_id": [f"A{k}" for k in range(n)],
            "name": [f"Area {k}" for k in range(n)],
            "pcode": [f"SY{k:06d}" for k in range(n)],
            "status": statuses[(i // 10 + j // 10) % 4],
            "side": "opposition",
            "reason": "Generated.",
            "population": (np.arange(n) * 37) % 5000 + 10.0,
        },
        geometry=shapely.box(x0, y0, x0 + size, y0 + size),
        crs=4326,
    )
    return dataclasses.replace(base, areas=areas)


def test_a_map_of_10000_areas_loads_without_errors(open_page):
    page = open_page(assessment_map(many_areas(), tiles=None))
    assert page.eval("document.querySelectorAll('.leaflet-overlay-pane path').length") > 10_000
    assert page.eval("document.querySelectorAll('path[fill^=\"url(\"]').length") > 5_000
    assert page.errors == [] and page.blocked == []


def test_status_layer_toggles_and_hatches_the_besieged_areas(open_page):
    """Two besieged areas hatched with the pattern, one accessible area plain."""
    page = open_page(assessment_map(ring_assessment(), tiles=None))
    hatched = "document.querySelectorAll('.leaflet-overlay-pane path[fill^=\"url(#\"]').length"
    paths = "document.querySelectorAll('.leaflet-overlay-pane path').length"
    assert page.eval(hatched) == 2
    before = page.eval(paths)
    toggle = page.page.locator(
        ".leaflet-control-layers-overlays label", has_text="Access status"
    ).locator("input")
    assert toggle.is_checked()
    toggle.uncheck()
    assert page.eval(paths) == before - 3
    assert page.eval(hatched) == 0
    toggle.check()
    assert page.eval(paths) == before
    assert page.eval(hatched) == 2
    assert page.errors == []


def test_hovering_an_area_with_a_malicious_name_shows_it_as_text(open_page):
    page = open_page(assessment_map(ring_assessment(evil=True), tiles=None))
    point = page.eval("""() => {
        const name = Object.keys(window).find(k => k.startsWith("map_"));
        const map = window[name];
        const box = map.getContainer().getBoundingClientRect();
        let p = null;
        map.eachLayer(l => {  // a point of the area's own shape, under no other feature
            if (!(l.feature && l.feature.properties.area_id === "a1" && l._path)) return;
            const b = l._path.getBoundingClientRect();
            for (let i = 1; i < 20 && !p; i++) for (let j = 1; j < 20 && !p; j++) {
                const x = b.left + b.width * i / 20, y = b.top + b.height * j / 20;
                if (document.elementFromPoint(x, y) === l._path)
                    p = {x: x - box.left, y: y - box.top};
            }
        });
        return p;
    }""")
    box = page.page.locator(".leaflet-container").bounding_box()
    page.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = page.page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text().startswith(EVIL + ": besieged since")
    page.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert EVIL in popup.inner_text() and "Bustan" not in popup.inner_text()
    assert page.eval("document.querySelectorAll('.leaflet-container img').length") == 0
    assert page.eval("document.title") != "pwned"
    assert page.errors == []
