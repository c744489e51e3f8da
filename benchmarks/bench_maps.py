"""Map pages: HTML bytes and load time in headless Chromium, ours vs ``geopandas.explore()``.

Three pages are written and each is opened three times (loads interleaved, a fresh
browser each time, every non-file request answered from the local copies of
``folium-offline`` so no network is touched):

- **10k**: the assessment map of the bundled Aleppo scenario with its 35 areas replaced
  by 10,000 generated areas (:func:`generated_areas`: a Voronoi coverage of the frame
  whose shared edges are bent by a smooth field, so the polygons have detailed
  boundaries like COD-AB units), on 2016-09-20 (besieged, hard-to-reach and accessible
  areas); self-contained (the default) and with CDN links (``offline=False``);
- **explore**: ``res.areas.explore(tiles=None)`` of the same 10,000 areas (CDN links);
- **timeline**: the bundled Aleppo timeline map, 1 July to 31 December 2016.

Every page has ``tiles=None``. The load time is measured in the page: from navigation
start (``performance.now()`` origin) to the first animation frame after the overlay pane
holds the areas' shapes (an SVG path per drawn area). Peak memory is the high-water mark
of resident memory (``VmHWM``) of the page's renderer process. Goals of issue 13: our
page ≥ 6 times smaller than explore's, and loaded in under 2 s.
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

import geoaccess as ga
from benchmarks._timing import print_table
from benchmarks.bench_population import load

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
N_AREAS = 10_000
DAY = "2016-09-20"
TIMELINE = ("2016-07-01", "2016-12-31")
LOADS = 3
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
#: Polls every animation frame until the overlay pane holds ``want`` shapes (a canvas
#: counts as all of them), then stamps the next frame's time on ``window.__gaDrawn``.
DRAWN = """(() => {
    const want = %d;
    function check() {
        const pane = document.querySelector(".leaflet-overlay-pane");
        const n = pane ? pane.querySelectorAll("path").length
            + want * pane.querySelectorAll("canvas").length : 0;
        if (n >= want) {
            requestAnimationFrame(() => { window.__gaDrawn = performance.now(); });
            return;
        }
        requestAnimationFrame(check);
    }
    requestAnimationFrame(check);
})();"""


# --------------------------------------------------------------------------- inputs
def generated_areas(
    extent: tuple[float, float, float, float], n: int, *, seed: int = 0
) -> gpd.GeoDataFrame:
    """``n`` areas covering ``extent``: Voronoi cells with bent, shared boundaries.

    Each cell's edges are cut into pieces of about an eighth of a cell's width and every
    vertex inside the frame is moved by a smooth field of about that amplitude; a vertex
    shared by two cells moves the same way in both, so the areas still tile the frame.
    Names (with a local name), p-codes and a lognormal population go with them.
    """
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = extent
    points = shapely.multipoints(rng.uniform([lon0, lat0], [lon1, lat1], size=(n, 2)))
    frame = shapely.box(*extent)
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(points, extend_to=frame)), frame
    )
    cells = cells[np.argsort(shapely.bounds(cells)[:, 0], kind="stable")]
    step = float(np.sqrt((lon1 - lon0) * (lat1 - lat0) / n)) / 8
    wave = 2 * np.pi / (7.3 * step)

    def bend(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        inside = (x > lon0) & (x < lon1) & (y > lat0) & (y < lat1)
        dx = step * np.sin(wave * y + 1.3 * np.cos(0.7 * wave * x))
        dy = step * np.cos(wave * x + 1.1 * np.sin(0.9 * wave * y))
        return np.column_stack([x + dx * inside, y + dy * inside])

    cells = shapely.make_valid(shapely.transform(shapely.segmentize(cells, step), bend))
    count = len(cells)
    return gpd.GeoDataFrame(
        {
            "area_id": [f"A{k:05d}" for k in range(count)],
            "name": [f"Neighbourhood {k}" for k in range(count)],
            "name_local": [f"حي {k}" for k in range(count)],
            "pcode": [f"SY02{k:05d}" for k in range(count)],
            "population": np.round(rng.lognormal(6.5, 1.0, count)),
        },
        geometry=cells,
        crs="EPSG:4326",
    )


def many_areas(scn: ga.Scenario, n: int = N_AREAS) -> ga.Scenario:
    """The scenario with its areas replaced by ``n`` :func:`generated_areas`."""
    layers: dict[str, gpd.GeoDataFrame | None] = {
        k: v for k, v in scn.layers.items() if k not in ("zones", "areas")
    }
    layers["areas"] = generated_areas(scn.extent, n)
    return ga.Scenario.create(
        f"{scn.name}, {n:,} generated areas",
        parties=scn.parties,
        zones=scn.zones,
        relations=scn.relations,
        rear=scn.rear,
        layers=layers,
        rules=scn.rules,
        extent=scn.extent,
        description=scn.description,
        sources=scn.sources,
    )


# --------------------------------------------------------------------------- browser
@contextmanager
def chromium() -> Iterator[Any]:
    """Playwright's Chromium driver (the Debian browser is launched per load)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p.chromium


def _cdn() -> Mapping[str, str]:
    """Local copies of the CDN files folium links (folium-offline), by URL."""
    try:
        from offlinefolium import elements
    except ImportError:
        return {}
    return getattr(elements, "_res", {})


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += parents.get(pid, [])
    return out


def _renderer_peak_mb(tag: str) -> float:
    """Largest ``VmHWM`` of the renderers of the browser launched with ``tag`` (MB)."""
    root = None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if tag in cmdline and "--type=" not in cmdline:
                root = int(entry.name)
    peak = 0.0
    for pid in _descendants(root) if root else []:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if "--type=renderer" in cmdline:
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def open_once(driver: Any, path: Path, *, shapes: int) -> dict[str, float]:
    """Load ``path`` in a fresh browser: seconds to the shapes drawn, peak MB, JS errors."""
    tag = f"--ga-bench={uuid.uuid4().hex}"
    cdn = _cdn()
    errors: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith("file://"):
            r.continue_()
        elif url in cdn:
            kind = "text/css" if url.endswith(".css") else "application/javascript"
            r.fulfill(status=200, body=cdn[url], content_type=kind)
        else:
            r.abort()

    browser = driver.launch(executable_path=str(CHROMIUM), args=[*ARGS, tag])
    try:
        page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route("**/*", route)
        page.add_init_script(DRAWN % shapes)
        page.goto(path.as_uri(), wait_until="load", timeout=300_000)
        page.wait_for_function("window.__gaDrawn !== undefined", timeout=300_000)
        drawn_ms = page.evaluate("window.__gaDrawn")
        peak = _renderer_peak_mb(tag)
    finally:
        browser.close()
    return {"seconds": drawn_ms / 1000, "peak_mb": peak, "errors": float(len(errors))}


def interleaved_loads(
    driver: Any, pages: Mapping[str, tuple[Path, int]], *, repeat: int = LOADS
) -> dict[str, list[dict[str, float]]]:
    """``repeat`` rounds, each loading every page once (so load changes hit all alike)."""
    out: dict[str, list[dict[str, float]]] = {name: [] for name in pages}
    for _ in range(repeat):
        for name, (path, shapes) in pages.items():
            out[name].append(open_once(driver, path, shapes=shapes))
    return out


# --------------------------------------------------------------------------- pages
def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def write(folder: Path, name: str, html: str) -> Path:
    path = folder / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


def main() -> None:
    if not CHROMIUM.exists():
        log.warning("%s is absent: map pages are not benchmarked", CHROMIUM)
        return
    aleppo = ga.datasets.aleppo_2016()
    seconds, res = timed(lambda: ga.assess(many_areas(aleppo), DAY))
    log.info("assess with %d areas: %.1f s", len(res.areas), seconds)
    tl = ga.timeline(aleppo, *TIMELINE)
    first_areas = len(tl.snapshots[0].areas)
    builds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages: dict[str, tuple[Path, int]] = {}
        cases: dict[str, tuple[Callable[[], Any], int]] = {
            "10k ours": (lambda: res.map(tiles=None), len(res.areas)),
            "10k ours, CDN": (lambda: res.map(tiles=None, offline=False), len(res.areas)),
            "10k explore()": (lambda: res.areas.explore(tiles=None), len(res.areas)),
            "Aleppo timeline": (lambda: tl.map(tiles=None), first_areas),
            "Aleppo timeline, CDN": (lambda: tl.map(tiles=None, offline=False), first_areas),
        }
        sizes: dict[str, int] = {}
        for name, (make, shapes) in cases.items():
            builds[name], html = timed(lambda make=make: make().get_root().render())
            sizes[name] = len(html.encode("utf-8"))
            pages[name] = (write(folder, name.replace(" ", "_").replace(",", ""), html), shapes)
        with chromium() as driver:
            loads = interleaved_loads(driver, pages)
    explore = sizes["10k explore()"]
    rows = []
    for name in cases:
        secs = [r["seconds"] for r in loads[name]]
        peak = max(r["peak_mb"] for r in loads[name])
        errors = int(max(r["errors"] for r in loads[name]))
        ratio = explore / sizes[name] if name.startswith("10k") else "-"
        rows.append(
            [
                name,
                f"{sizes[name] / 1e6:.2f}",
                ratio,
                builds[name],
                min(secs),
                statistics.median(secs),
                f"{peak:.0f}",
                errors,
            ]
        )
    print_table(
        f"map pages in headless Chromium ({len(res.areas):,} areas assessed on {DAY};"
        f" timeline {TIMELINE[0]} to {TIMELINE[1]}; {LOADS} loads each, interleaved;"
        f" 'explore/ours' = explore() bytes / page bytes; {load()})",
        [
            "page",
            "MB",
            "explore/ours",
            "build s",
            "load s min",
            "load s median",
            "peak MB",
            "JS errors",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
